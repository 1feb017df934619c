"""Quality labels that count for EGalim, and the group each one counts in (domain.md §3).

A purchase line counts once, in its highest group: organic > SIQO > other EGalim >
externalities/performance. Codes are those of the national "ma cantine" platform.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Label(models.TextChoices):
    BIO = "BIO", _("Organic (incl. in conversion)")
    LABEL_ROUGE = "LABEL_ROUGE", _("Label Rouge")
    AOCAOP = "AOCAOP", _("AOC / AOP")
    IGP = "IGP", _("IGP")
    STG = "STG", _("STG")
    HVE = "HVE", _("High environmental value (HVE)")
    PECHE_DURABLE = "PECHE_DURABLE", _("Sustainable fishing")
    RUP = "RUP", _("Outermost region (RUP)")
    FERMIER = "FERMIER", _("Farm product (fermier)")
    COMMERCE_EQUITABLE = "COMMERCE_EQUITABLE", _("Fair trade")
    EXTERNALITES = "EXTERNALITES", _("Environmental externalities")
    PERFORMANCE = "PERFORMANCE", _("Environmental performance")


class EgalimGroup(models.IntegerChoices):
    """Higher value = counted first."""

    NONE = 0, _("Not EGalim")
    EXTERNALITIES = 1, _("Externalities / performance")
    OTHER = 2, _("Other EGalim labels")
    SIQO = 3, _("Official quality signs (SIQO)")
    BIO = 4, _("Organic")


LABEL_GROUP = {
    Label.BIO: EgalimGroup.BIO,
    Label.LABEL_ROUGE: EgalimGroup.SIQO,
    Label.AOCAOP: EgalimGroup.SIQO,
    Label.IGP: EgalimGroup.SIQO,
    Label.STG: EgalimGroup.SIQO,
    Label.HVE: EgalimGroup.OTHER,
    Label.PECHE_DURABLE: EgalimGroup.OTHER,
    Label.RUP: EgalimGroup.OTHER,
    Label.FERMIER: EgalimGroup.OTHER,
    Label.COMMERCE_EQUITABLE: EgalimGroup.OTHER,
    Label.EXTERNALITES: EgalimGroup.EXTERNALITIES,
    Label.PERFORMANCE: EgalimGroup.EXTERNALITIES,
}


SHORT_NAMES = {
    Label.BIO: "Bio",
    Label.LABEL_ROUGE: "Label Rouge",
    Label.AOCAOP: "AOC/AOP",
    Label.IGP: "IGP",
    Label.STG: "STG",
    Label.HVE: "HVE",
    Label.PECHE_DURABLE: "Pêche durable",
    Label.RUP: "RUP",
    Label.FERMIER: "Fermier",
    Label.COMMERCE_EQUITABLE: "Équitable",
    Label.EXTERNALITES: "Externalités",
    Label.PERFORMANCE: "Performance",
}


def short_name(code: str) -> str:
    """The few characters a badge shows; the full name goes in its tooltip."""
    return SHORT_NAMES[Label(code)]


def egalim_group(labels) -> EgalimGroup:
    """The single group a line with these labels counts in."""
    return max((LABEL_GROUP[Label(code)] for code in labels), default=EgalimGroup.NONE)

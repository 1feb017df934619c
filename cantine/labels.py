"""The shared vocabulary (``cantine.vocabulary``) as Django choices, with translated names.

Codes, groups and rules live in the vocabulary; this module only gives models, forms and
templates ``TextChoices`` built from it, so a code is never written twice.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cantine import vocabulary
from cantine.vocabulary import LABEL_GROUP, egalim_group  # noqa: F401  (re-exported)


def _choices(name: str, names: dict, base=models.TextChoices):
    return base(name, [(code.name, (code.value, _(label))) for code, label in names.items()])


Label = _choices("Label", vocabulary.LABEL_NAMES)
Family = _choices("Family", vocabulary.FAMILY_LABELS)
Unit = _choices("Unit", vocabulary.UNIT_NAMES)
EgalimGroup = _choices("EgalimGroup", vocabulary.EGALIM_GROUP_NAMES, models.IntegerChoices)
MEAT_AND_FISH = tuple(Family(code.value) for code in vocabulary.MEAT_AND_FISH)


def short_name(code: str) -> str:
    """The few characters a badge shows; the full name goes in its tooltip."""
    return gettext(vocabulary.LABEL_SHORT_NAMES[vocabulary.Label(code)])

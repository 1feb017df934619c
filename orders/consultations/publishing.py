"""Publishing a consultation: the threshold check the buyer acknowledges, then the
invitations of the producers whose offers and place match.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cantine import formatting
from cantine.local import distance_km
from cantine.models import User
from orders import notifications, procurement
from orders.consultations.errors import ConsultationError, ThresholdWarning
from orders.models import (
    Consultation,
    ConsultationInvite,
)
from producers.models import Offer, Producer

# --- Publishing: threshold check, invitations ------------------------------------------------


def matching_producers(consultation: Consultation) -> list[tuple[Producer, float | None]]:
    """Producers with an active offer in the consultation's family (the same products first)
    whose place is within ``radius_km`` of the kitchen, nearest first."""
    kitchen = consultation.canteen
    centre = kitchen.place
    offers = Offer.objects.filter(active=True).select_related(
        "food", "producer__commune__department"
    )
    found: dict[int, tuple[Producer, float | None]] = {}
    for offer in offers:
        if offer.producer_id in found or offer.food.family != consultation.family:
            continue
        distance = distance_km(centre, offer.producer.place)
        if distance is not None and distance > consultation.radius_km:
            continue
        found[offer.producer_id] = (offer.producer, distance)
    return sorted(found.values(), key=lambda pair: (pair[1] is None, pair[1] or 0))


def threshold_warnings(consultation: Consultation) -> list[procurement.Warning]:
    return procurement.warnings_for(consultation, timezone.localdate())


@transaction.atomic
def publish(*, consultation: Consultation, actor: User, acknowledged: bool = False) -> Consultation:
    """Open the consultation to answers and invite matching producers.

    When the family's cumulative amount for the year would cross a threshold the kind of
    purchase does not allow, publishing stops with ``ThresholdWarning`` unless the buyer
    acknowledged it (the warning is then kept in the procurement file)."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != Consultation.Status.DRAFT:
        raise ConsultationError(_("Only a draft consultation can be published."))
    if consultation.answer_deadline <= timezone.now():
        raise ConsultationError(_("The answer deadline has passed: set a new one."))
    warnings = threshold_warnings(consultation)
    if warnings and not acknowledged:
        raise ThresholdWarning(warnings)
    consultation.threshold_warning = "\n".join(w.text for w in warnings)
    consultation.status = Consultation.Status.PUBLISHED
    consultation.published_at = timezone.now()
    consultation.save(update_fields=["threshold_warning", "status", "published_at"])
    for producer, distance in matching_producers(consultation):
        _invite, created = ConsultationInvite.objects.get_or_create(
            consultation=consultation,
            producer=producer,
            defaults={"distance_km": round(distance, 1) if distance is not None else None},
        )
        if created:
            _tell_invited(consultation, producer)
    return consultation


def _tell_invited(consultation: Consultation, producer: Producer) -> None:
    with translation.override("fr"):
        subject = _("Consultation %(number)s: %(title)s, answers until %(deadline)s") % {
            "number": consultation.number,
            "title": consultation.title,
            "deadline": formatting.day(
                timezone.localtime(consultation.answer_deadline), "SHORT_DATETIME_FORMAT"
            ),
        }
        lines = "\n".join(
            f"- {item.food.name} : {formatting.quantity(item.quantity, item.unit)}, "
            f"{formatting.day(item.delivery_date, 'short')}"
            for item in consultation.items.select_related("food")
        )
        body = _(
            "%(canteen)s consults producers for:\n%(lines)s\n\nDelivery at %(place)s. You can "
            "answer for part of the quantities, alone or with other farms, in your cantine portal."
        ) % {
            "canteen": consultation.canteen.name,
            "lines": lines,
            "place": consultation.delivery_place,
        }
    notifications._queue(None, producer.email, subject, body)

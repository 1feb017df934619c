"""Producers' answers, alone or as a group, until the deadline; a producer only ever
reads the answers it takes part in.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cantine import formatting
from cantine.labels import Label
from cantine.models import User, Weekday
from cantine.roles import producer_of
from orders.consultations.errors import ConsultationError
from orders.models import (
    Answer,
    AnswerLine,
    Consultation,
)
from producers.models import Producer

# --- Answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineSpec:
    item_id: int
    unit_price: Decimal
    quantity: Decimal
    producer: Producer | None = None  # the member who delivers it; the lead when None


def is_open(consultation: Consultation, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (
        consultation.status == Consultation.Status.PUBLISHED and now < consultation.answer_deadline
    )


def answers_of(producer: Producer):
    """The answers a producer takes part in (as lead or member): all it may ever read."""
    return Answer.objects.filter(Q(lead=producer) | Q(members=producer)).distinct()


def open_consultations():
    return Consultation.objects.filter(
        status=Consultation.Status.PUBLISHED, answer_deadline__gt=timezone.now()
    ).select_related("canteen")


@transaction.atomic
def submit_answer(
    *,
    consultation: Consultation,
    actor: User,
    lines: list[LineSpec],
    partners: list[Producer] | None = None,
    intermediaries: int = 0,
    freshness_days: int = 1,
    delivery_weekdays: list[int] | None = None,
    labels: list[str] | None = None,
    note: str = "",
) -> Answer:
    """The actor's producer answers (again: its answer is replaced) until the deadline.

    ``partners`` make it a group answer: each line names the member who delivers it."""
    lead = producer_of(actor)
    if lead is None:
        raise ConsultationError(_("Only a producer can answer a consultation."))
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not is_open(consultation):
        raise ConsultationError(_("This consultation is closed to answers."))
    members = {lead.pk: lead, **{p.pk: p for p in partners or []}}
    taken = (
        Answer.objects.filter(consultation=consultation, members__in=list(members))
        .exclude(lead=lead)
        .distinct()
    )
    if taken.exists():
        raise ConsultationError(
            _("A producer of this group already answers in another group for this consultation.")
        )
    labels = list(dict.fromkeys(labels or []))
    if set(labels) - set(Label.values):
        raise ConsultationError(_("Unknown labels."))
    missing = [Label(code).label for code in consultation.required_labels if code not in labels]
    if missing:
        raise ConsultationError(
            _("This consultation requires: %(labels)s.") % {"labels": ", ".join(map(str, missing))}
        )
    weekdays = sorted({int(d) for d in (delivery_weekdays or [])})
    if any(d not in Weekday.values for d in weekdays):
        raise ConsultationError(_("Delivery days must be weekdays 0 (Monday) to 6 (Sunday)."))
    if intermediaries < 0 or freshness_days < 0:
        raise ConsultationError(_("Intermediaries and days are zero or more."))
    items = {i.pk: i for i in consultation.items.select_related("food")}
    if not lines:
        raise ConsultationError(_("Answer for at least one product."))
    rows = []
    for spec in lines:
        item = items.get(spec.item_id)
        if item is None:
            raise ConsultationError(_("This product is not part of the consultation."))
        producer = spec.producer or lead
        if producer.pk not in members:
            raise ConsultationError(_("Each line is delivered by a member of the group."))
        if spec.unit_price < 0:
            raise ConsultationError(_("A price cannot be negative."))
        if not 1 <= spec.quantity <= item.quantity:
            raise ConsultationError(
                _("Offer between 1 and %(quantity)s of “%(food)s”.")
                % {
                    "quantity": formatting.quantity(item.quantity, item.unit),
                    "food": item.food.name,
                }
            )
        if weekdays and item.delivery_date.weekday() not in weekdays:
            raise ConsultationError(
                _("“%(food)s” is to be delivered on %(day)s, not one of your delivery days.")
                % {"food": item.food.name, "day": item.delivery_date.strftime("%d/%m/%Y")}
            )
        rows.append((item, producer, spec))
    keys = [(item.pk, producer.pk) for item, producer, _spec in rows]
    if len(set(keys)) != len(keys):
        raise ConsultationError(_("One line per product and member."))
    answer, _created = Answer.objects.update_or_create(
        consultation=consultation,
        lead=lead,
        defaults={
            "intermediaries": intermediaries,
            "freshness_days": freshness_days,
            "delivery_weekdays": weekdays,
            "labels": labels,
            "note": note.strip()[:500],
            "status": Answer.Status.SUBMITTED,
            "created_by": actor,
        },
    )
    answer.members.set(list(members.values()))
    answer.lines.all().delete()
    AnswerLine.objects.bulk_create(
        AnswerLine(
            answer=answer,
            item=item,
            producer=producer,
            unit_price=spec.unit_price,
            quantity=Decimal(spec.quantity).quantize(Decimal("0.1")),
        )
        for item, producer, spec in rows
    )
    return answer

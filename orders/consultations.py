"""Consultations: a buyer puts a lot to producers, they answer, the award splits it.

The loop public buyers run with Agrilocal-like tools, on its legal footing:
- the cook makes a consultation from a lot of the lots simulator (``orders.lots``: the same
  grouping of needs by family and week, or product and week) or from a list of products, with
  the award criteria and their weights, then publishes it (``publish``): producers whose offers
  and place match are invited (portal, e-mail), after a threshold check
  (``orders.procurement``) the buyer must acknowledge when it warns;
- producers answer until the deadline (``submit_answer``), alone or as a group whose members
  each deliver their part; a producer only ever reads the answers it takes part in;
- after the deadline the award (``orders.award``) splits the lot across the answers; the buyer
  accepts it or departs from it with a written reason (``award``); the award sends purchase
  orders through the order life cycle (``orders.lifecycle``) and tells every answer why.

Writes take keyword-only arguments and an ``actor``; refusals raise ``ConsultationError`` with
a message for the person who asked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cantine.dates import week_start
from cantine.labels import Family, Label
from cantine.local import distance_km
from cantine.models import Canteen, Weekday
from cantine.roles import producer_of
from nutrition.models import Food, FoodPrice
from orders import award as award_model
from orders import lifecycle, lots, notifications, procurement
from orders.models import (
    Answer,
    AnswerLine,
    Consultation,
    ConsultationInvite,
    ConsultationItem,
    Need,
    PurchaseOrder,
    PurchaseOrderLine,
)
from producers.models import Offer, Producer

CRITERIA = award_model.CRITERIA


class ConsultationError(Exception):
    """A rule said no; the message is for the person who asked."""


class ThresholdWarning(ConsultationError):
    """Publishing would cross a threshold the kind of purchase does not allow: the buyer sees
    the warnings and must acknowledge them (or change the kind of purchase)."""

    def __init__(self, warnings: list[procurement.Warning]):
        super().__init__(" ".join(w.text for w in warnings))
        self.warnings = warnings


# --- Making a consultation -------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSpec:
    food: Food
    quantity: Decimal
    delivery_date: date
    unit: str = ""
    estimated_unit_price: Decimal | None = None
    need_id: int | None = None


@dataclass
class LotChoice:
    """A lot of the simulator's grouping, as the buyer picks it to consult producers."""

    key: str
    family: str
    period: str
    needs: list[Need] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Family and period, and the product when the lot holds one (product and week)."""
        foods = {n.food.name for n in self.needs}
        product = f" · {foods.pop().split(',')[0]}" if len(foods) == 1 else ""
        return f"{Family(self.family).label}{product} · {self.period}"


def lot_choices(kitchen: Canteen, start: date, end: date, granularity: str) -> list[LotChoice]:
    """The period's needs grouped as the lots simulator groups them (``lots.group_needs``)."""
    from orders import allocation
    from orders.instances import need_key, period_needs, product_key

    needs = {need_key(n.pk): n for n in period_needs(kitchen, start, end)}
    rows = [
        allocation.Need(
            id=key,
            product=product_key(n.food_id),
            quantity=float(n.quantity),
            delivery_date=n.delivery_date.isoformat(),
            unit=n.unit,
            family=n.food.family,
        )
        for key, n in needs.items()
    ]
    if granularity == lots.Granularity.FREE:
        granularity = lots.Granularity.PRODUCT_WEEK
    territory = kitchen.commune.department_id
    choices = []
    for lot in lots.group_needs(rows, granularity, territory):
        key = "|".join(str(part) for part in lot.key)
        choices.append(LotChoice(key, lot.family, lot.period, [needs[n.id] for n in lot.needs]))
    return sorted(choices, key=lambda c: (c.family, c.period))


def estimated_price(kitchen: Canteen, food: Food) -> Decimal:
    """The kitchen's reference price for a food (``nutrition.FoodPrice``), else 0 (unknown)."""
    price = FoodPrice.objects.filter(kitchen=kitchen, food=food).first()
    return price.unit_price if price else Decimal(0)


def estimated_prices(kitchen: Canteen, foods) -> dict[int, Decimal]:
    """``estimated_price`` of each food id, in one query (unknown prices are 0)."""
    ids = {getattr(food, "pk", food) for food in foods}
    known = FoodPrice.objects.filter(kitchen=kitchen, food_id__in=ids).values_list(
        "food_id", "unit_price"
    )
    return {food_id: Decimal(0) for food_id in ids} | dict(known)


def items_from_needs(kitchen: Canteen, needs: list[Need]) -> list[ItemSpec]:
    prices = estimated_prices(kitchen, [n.food_id for n in needs])
    return [
        ItemSpec(
            food=n.food,
            quantity=n.quantity,
            delivery_date=n.delivery_date,
            unit=n.unit,
            estimated_unit_price=prices[n.food_id],
            need_id=n.pk,
        )
        for n in needs
        if n.quantity > 0
    ]


def _check_weights(weights: dict[str, int]) -> dict[str, int]:
    try:
        cleaned = {c: int(weights.get(c, 0) or 0) for c in CRITERIA}
    except (TypeError, ValueError):
        raise ConsultationError(_("A weight is a whole number of points.")) from None
    if any(v < 0 or v > 100 for v in cleaned.values()):
        raise ConsultationError(_("A weight is between 0 and 100 points."))
    if sum(cleaned.values()) != 100:
        raise ConsultationError(
            _("The weights of the award criteria add up to 100 points (here %(total)s).")
            % {"total": sum(cleaned.values())}
        )
    return cleaned


@transaction.atomic
def create_consultation(
    *,
    kitchen: Canteen,
    actor,
    title: str,
    family: str,
    items: list[ItemSpec],
    answer_deadline: datetime,
    kind: str = Consultation.Kind.NO_PUBLICITY,
    weights: dict[str, int] | None = None,
    required_labels: list[str] | None = None,
    delivery_place: str = "",
    radius_km: int = 80,
    source: str = "",
) -> Consultation:
    """A draft consultation; nothing is sent to producers before ``publish``."""
    if family not in Family.values:
        raise ConsultationError(_("Choose the product family of the consultation."))
    if kind not in Consultation.Kind.values:
        raise ConsultationError(_("Choose the kind of purchase."))
    if not items:
        raise ConsultationError(_("A consultation asks for at least one product."))
    if answer_deadline <= timezone.now():
        raise ConsultationError(_("The answer deadline must be in the future."))
    labels = list(dict.fromkeys(required_labels or []))
    unknown = sorted(set(labels) - set(Label.values))
    if unknown:
        raise ConsultationError(_("Unknown labels: %(labels)s.") % {"labels": ", ".join(unknown)})
    weights = _check_weights(
        weights or {"price": 40, "direct_supply": 20, "carbon": 20, "freshness": 20}
    )
    for spec in items:
        if spec.food.family != family:
            raise ConsultationError(
                _(
                    "“%(food)s” is not in the family %(family)s: a consultation holds one "
                    "family, since thresholds are counted per family."
                )
                % {"food": spec.food.name, "family": Family(family).label}
            )
        if spec.quantity < 1:
            raise ConsultationError(_("Ask at least 1 unit of each product."))
        if spec.delivery_date < answer_deadline.date():
            raise ConsultationError(_("Deliveries come after the answer deadline."))
    consultation = Consultation.objects.create(
        canteen=kitchen,
        title=title.strip()[:200] or _("Consultation"),
        family=family,
        kind=kind,
        delivery_place=(delivery_place or kitchen.address or kitchen.commune.name)[:250],
        required_labels=labels,
        answer_deadline=answer_deadline,
        radius_km=max(1, int(radius_km)),
        weight_price=weights["price"],
        weight_direct_supply=weights["direct_supply"],
        weight_carbon=weights["carbon"],
        weight_freshness=weights["freshness"],
        source=source[:200],
        created_by=actor,
    )
    ConsultationItem.objects.bulk_create(
        ConsultationItem(
            consultation=consultation,
            food=spec.food,
            quantity=Decimal(spec.quantity).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
            unit=spec.unit or spec.food.purchase_unit,
            delivery_date=spec.delivery_date,
            estimated_unit_price=(
                spec.estimated_unit_price
                if spec.estimated_unit_price is not None
                else estimated_price(kitchen, spec.food)
            ),
            need_id=spec.need_id,
        )
        for spec in items
    )
    return consultation


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
def publish(consultation: Consultation, *, actor, acknowledged: bool = False) -> Consultation:
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
            "deadline": timezone.localtime(consultation.answer_deadline).strftime("%d/%m/%Y %H:%M"),
        }
        lines = "\n".join(
            f"- {item.food.name} : {item.quantity} {item.unit}, {item.delivery_date:%d/%m/%Y}"
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
    actor,
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
                _("Offer between 1 and %(quantity)s %(unit)s of “%(food)s”.")
                % {"quantity": item.quantity, "unit": item.unit, "food": item.food.name}
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


# --- Award -----------------------------------------------------------------------------------


def award_instance(consultation: Consultation, time_limit_s: float = 10.0):
    """The award model's instance for the consultation's answers (ids are database keys)."""
    kitchen = consultation.canteen
    lines = list(
        AnswerLine.objects.filter(answer__consultation=consultation)
        .exclude(answer__status=Answer.Status.WITHDRAWN)
        .select_related("answer", "producer__commune__department", "item")
    )
    items = tuple(
        award_model.Item(
            id=str(item.pk),
            quantity=float(item.quantity),
            reference_price=float(item.estimated_unit_price),
            delivery_date=item.delivery_date.isoformat(),
        )
        for item in consultation.items.all()
    )
    suppliers = {
        line.producer_id: award_model.Supplier(
            id=str(line.producer_id),
            delivery_cost=float(line.producer.delivery_cost),
            min_order_value=float(line.producer.minimum_order_value),
        )
        for line in lines
    }
    bids = []
    for line in lines:
        distance = distance_km(kitchen.place, line.producer.place)
        bids.append(
            award_model.Bid(
                id=str(line.pk),
                answer=str(line.answer_id),
                item=str(line.item_id),
                supplier=str(line.producer_id),
                unit_price=float(line.unit_price),
                max_quantity=float(line.quantity),
                intermediaries=line.answer.intermediaries,
                distance_km=round(distance, 1) if distance is not None else 0.0,
                freshness_days=float(line.answer.freshness_days),
            )
        )
    return award_model.Instance(
        items=items,
        suppliers=tuple(suppliers.values()),
        bids=tuple(bids),
        weights=award_model.Weights(**consultation.weights),
        time_limit_s=time_limit_s,
    )


@dataclass
class Proposal:
    """The optimiser's split and every answer's ranking, for the buyer to accept or change."""

    instance: award_model.Instance
    solution: award_model.Solution
    ranking: list[dict]

    @property
    def quantities(self) -> dict[int, Decimal]:
        return {int(line.bid): Decimal(str(line.quantity)) for line in self.solution.lines}


def propose(consultation: Consultation) -> Proposal:
    instance = award_instance(consultation)
    solution = award_model.solve(instance)
    return Proposal(instance, solution, ranking(consultation, solution))


def ranking(consultation: Consultation, solution: award_model.Solution) -> list[dict]:
    """Answers best first: their score is the mean of their lines' points, weighted by the
    value they offer (quantity x the item's reference price)."""
    rows = []
    answers = consultation.answers.prefetch_related(
        "lines__item__food", "lines__producer", "members"
    )
    for answer in answers:
        lines = list(answer.lines.all())
        weights = [
            float(ln.quantity) * float(ln.item.estimated_unit_price or ln.unit_price or 1)
            for ln in lines
        ]
        total_weight = sum(weights) or 1.0
        per = {
            c: sum(w * solution.scores[str(ln.pk)][c] for ln, w in zip(lines, weights, strict=True))
            / total_weight
            for c in (*CRITERIA, "total")
        }
        rows.append(
            {
                "answer": answer,
                "points": {c: round(v, 1) for c, v in per.items()},
                "lines": [
                    {
                        "line": ln,
                        "points": solution.scores[str(ln.pk)],
                        "awarded": solution.quantity(str(ln.pk)),
                    }
                    for ln in lines
                ],
            }
        )
    rows.sort(key=lambda r: -r["points"]["total"])
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows


def _reason_text(code: str) -> str:
    return {
        "outscored": _("better-scored answers covered the whole quantity"),
        "minimum_order": _("the quantity left was worth less than the minimum order"),
        "delivery_cost": _("its delivery cost outweighed its score"),
        "override": _("the buyer departed from the optimal split"),
    }[code]


@transaction.atomic
def award(
    *,
    consultation: Consultation,
    actor,
    quantities: dict[int, Decimal] | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> list[PurchaseOrder]:
    """Award the consultation after its deadline and send the purchase orders.

    Without ``quantities`` the optimiser's split is taken; with them (answer line id ->
    quantity) the buyer departs from it and must say why in ``reason``. Every answer is told
    its outcome and why. Returns the orders created or amended."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    now = now or timezone.now()
    if consultation.status != Consultation.Status.PUBLISHED:
        raise ConsultationError(_("Only an open consultation can be awarded."))
    if now < consultation.answer_deadline:
        raise ConsultationError(
            _("Answers are open until %(deadline)s: the award comes after the deadline.")
            % {
                "deadline": timezone.localtime(consultation.answer_deadline).strftime(
                    "%d/%m/%Y %H:%M"
                )
            }
        )
    proposal = propose(consultation)
    if not proposal.instance.bids:
        raise ConsultationError(_("No answer came before the deadline: there is nothing to award."))
    if quantities is None and proposal.solution.status == "unknown":
        raise ConsultationError(
            _("The optimiser found no split in time: award your own quantities, with a reason.")
        )
    optimal = proposal.quantities
    lines = {
        ln.pk: ln
        for ln in AnswerLine.objects.filter(answer__consultation=consultation).select_related(
            "item__food", "producer", "answer"
        )
    }
    chosen = optimal if quantities is None else _checked_override(quantities, lines)
    overridden = quantities is not None and {k: v for k, v in chosen.items() if v} != {
        k: v for k, v in optimal.items() if v
    }
    if overridden and not reason.strip():
        raise ConsultationError(
            _("Say why the award departs from the optimal split: the reason goes in the file.")
        )
    for pk, line in lines.items():
        line.awarded_quantity = chosen.get(pk, Decimal(0))
        line.scores = proposal.solution.scores[str(pk)]
        line.save(update_fields=["awarded_quantity", "scores"])
    _tell_outcomes(consultation, lines, proposal, optimal if overridden else None, reason.strip())
    consultation.status = Consultation.Status.AWARDED
    consultation.awarded_at = now
    consultation.override_reason = reason.strip() if overridden else ""
    consultation.award_status = proposal.solution.status
    consultation.save(update_fields=["status", "awarded_at", "override_reason", "award_status"])
    return _order(consultation, [ln for ln in lines.values() if ln.awarded_quantity], actor)


def _checked_override(quantities: dict[int, Decimal], lines: dict[int, AnswerLine]):
    chosen, per_item = {}, defaultdict(Decimal)
    for pk, quantity in quantities.items():
        line = lines.get(int(pk))
        if line is None:
            raise ConsultationError(_("This answer line is not part of the consultation."))
        quantity = Decimal(quantity)
        if quantity != quantity.to_integral_value() or not 0 <= quantity <= line.quantity:
            raise ConsultationError(
                _(
                    "Award a whole quantity between 0 and %(quantity)s to %(producer)s for “%(food)s”."
                )
                % {
                    "quantity": line.quantity,
                    "producer": line.producer.name,
                    "food": line.item.food.name,
                }
            )
        chosen[line.pk] = quantity
        per_item[line.item_id] += quantity
    for line in lines.values():
        if per_item[line.item_id] > line.item.quantity:
            raise ConsultationError(
                _("More of “%(food)s” is awarded than asked (%(quantity)s %(unit)s).")
                % {
                    "food": line.item.food.name,
                    "quantity": line.item.quantity,
                    "unit": line.item.unit,
                }
            )
    return chosen


def _tell_outcomes(consultation, lines, proposal: Proposal, optimal: dict | None, reason: str):
    """Each answer's status and the reasons, kept on the answer and mailed to its lead.
    ``optimal`` is the optimiser's split when the buyer departed from it: a line it would
    have awarded is then told it was the buyer's choice."""
    overridden = optimal is not None
    by_answer = defaultdict(list)
    for line in lines.values():
        by_answer[line.answer_id].append(line)
    ranks = {row["answer"].pk: row for row in proposal.ranking}
    for answer_id, answer_lines in by_answer.items():
        answer = answer_lines[0].answer
        won = [ln for ln in answer_lines if ln.awarded_quantity]
        row = ranks.get(answer_id)
        with translation.override("fr"):
            parts = [
                _("Score %(points)s / 100, rank %(rank)s of %(count)s.")
                % {"points": row["points"]["total"], "rank": row["rank"], "count": len(ranks)}
            ]
            for line in answer_lines:
                if line.awarded_quantity:
                    parts.append(
                        _("%(food)s: %(quantity)s %(unit)s awarded (%(producer)s).")
                        % {
                            "food": line.item.food.name,
                            "quantity": line.awarded_quantity,
                            "unit": line.item.unit,
                            "producer": line.producer.name,
                        }
                    )
                else:
                    code = (
                        "override"
                        if overridden and optimal.get(line.pk)
                        else proposal.solution.reasons.get(str(line.pk), "outscored")
                    )
                    parts.append(
                        _("%(food)s: not retained, %(why)s.")
                        % {"food": line.item.food.name, "why": _reason_text(code)}
                    )
            if overridden:
                parts.append(_("Buyer's reason: %(reason)s") % {"reason": reason})
            outcome = " ".join(parts)
        if not won:
            answer.status = Answer.Status.UNSUCCESSFUL
        elif len(won) == len(answer_lines) and all(
            ln.awarded_quantity == ln.quantity for ln in won
        ):
            answer.status = Answer.Status.AWARDED
        else:
            answer.status = Answer.Status.PARTLY
        answer.outcome = outcome
        answer.save(update_fields=["status", "outcome"])
        with translation.override("fr"):
            subject = _("Consultation %(number)s: %(status)s") % {
                "number": consultation.number,
                "status": answer.get_status_display(),
            }
        notifications._queue(None, answer.lead.email, subject, outcome)


def _order(consultation: Consultation, won: list[AnswerLine], actor) -> list[PurchaseOrder]:
    """Purchase orders for what was awarded: one per producer and delivery date, through the
    order life cycle. Each line buys an offer made for the award (inactive, so the allocation
    optimiser never buys it again), at the answered price, in packs of one unit."""
    groups: dict[tuple[int, date], list[AnswerLine]] = defaultdict(list)
    for line in won:
        groups[(line.producer_id, line.item.delivery_date)].append(line)
    touched = []
    for (_producer, day), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        producer = group[0].producer
        offers = [(_award_offer(consultation, line), line) for line in group]
        order = (
            PurchaseOrder.objects.filter(
                canteen=consultation.canteen,
                producer=producer,
                delivery_date=day,
                status__in=[*PurchaseOrder.AMENDABLE, PurchaseOrder.Status.DRAFT],
            )
            .order_by("pk")
            .first()
        )
        if order is not None and order.status != PurchaseOrder.Status.DRAFT:
            new = [
                lifecycle.NewLine(
                    offer=offer, packs=int(line.awarded_quantity), week=week_start(day)
                )
                for offer, line in offers
            ]
            order = lifecycle.amend_order(order=order, actor=actor, add=new)
            _link(order, offers)
            touched.append(order)
            continue
        fresh = order is None
        if fresh:
            order = PurchaseOrder.objects.create(
                canteen=consultation.canteen,
                producer=producer,
                delivery_date=day,
                delivery_cost=producer.delivery_cost,
                created_by=actor,
            )
        for offer, line in offers:
            packs = int(line.awarded_quantity)
            order_line = PurchaseOrderLine(
                order=order,
                offer=offer,
                need_id=line.item.need_id,
                week=week_start(day),
                packs=packs,
                quantity=Decimal(packs),
                unit_price=line.unit_price,
                total=lifecycle.line_total(packs, Decimal(1), line.unit_price),
            )
            order_line.save()
            line.order_line = order_line
            line.save(update_fields=["order_line"])
        order.goods_total = sum((ln.total for ln in order.lines.all()), Decimal(0))
        order.save(update_fields=["goods_total"])
        if fresh:
            order = lifecycle.send_order(order, actor)
        touched.append(order)
    return touched


def _link(order: PurchaseOrder, offers) -> None:
    for offer, line in offers:
        line.order_line = order.lines.filter(offer=offer).first()
        line.save(update_fields=["order_line"])


def _award_offer(consultation: Consultation, line: AnswerLine) -> Offer:
    return Offer.objects.create(
        producer=line.producer,
        food=line.item.food,
        product_label=f"{line.item.food.name.split(',')[0]} ({consultation.number})"[:200],
        unit=line.item.unit,
        pack_size=Decimal(1),
        unit_price=line.unit_price,
        weekly_capacity=None,
        labels=[code for code in line.answer.labels if code in Label.values],
        valid_from=line.item.delivery_date,
        valid_to=line.item.delivery_date,
        active=False,
    )

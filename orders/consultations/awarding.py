"""The award: the split across the answers (``orders.award``), accepted or departed from
with a written reason, then the purchase orders and a word to every answer.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cantine import formatting
from cantine.dates import week_start
from cantine.labels import Label
from cantine.local import distance_km
from cantine.models import User
from orders import award as award_model
from orders import lifecycle, notifications
from orders.consultations.errors import CRITERIA, ConsultationError
from orders.models import (
    Answer,
    AnswerLine,
    Consultation,
    PurchaseOrder,
    PurchaseOrderLine,
)
from producers.models import Offer

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
    actor: User,
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
                _("More of “%(food)s” is awarded than asked (%(quantity)s).")
                % {
                    "food": line.item.food.name,
                    "quantity": formatting.quantity(line.item.quantity, line.item.unit),
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
                % {
                    "points": formatting.number(row["points"]["total"], 1, trim=False),
                    "rank": row["rank"],
                    "count": len(ranks),
                }
            ]
            for line in answer_lines:
                if line.awarded_quantity:
                    parts.append(
                        _("%(food)s: %(quantity)s awarded (%(producer)s).")
                        % {
                            "food": line.item.food.name,
                            "quantity": formatting.quantity(line.awarded_quantity, line.item.unit),
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


def _order(consultation: Consultation, won: list[AnswerLine], actor: User) -> list[PurchaseOrder]:
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
            order = lifecycle.send_order(order=order, actor=actor)
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

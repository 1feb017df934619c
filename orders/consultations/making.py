"""Making a consultation: from a lot of the lots simulator or a list of products, with
the award criteria and their weights.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cantine.labels import Family, Label
from cantine.models import Canteen, User
from nutrition.models import Food, FoodPrice
from orders import lots
from orders.consultations.errors import CRITERIA, ConsultationError
from orders.models import (
    Consultation,
    ConsultationItem,
    Need,
)

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
    actor: User,
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

"""Translate needs and offers between the database and the allocation optimiser's dataclasses.

The optimiser (``orders.allocation``) is pure; this module is the only place that reads models
to build its instance, and the only place that spells its ids: every id is a prefixed database
key, so a solution maps back without lookups by name (``need_key``/``need_pk`` and the other
pairs below). Allocation runs, lot simulations, re-allocation of refusals and menu repair all
build their instances here.

Instance choices, kept simple and stated where figures are shown:
- an offer serves a need when it sells the same food in the same unit, is active and valid on
  the need's delivery date, and its producer delivers on that weekday (a producer with no
  delivery days set delivers any day, ``Offer.delivers_on``);
- an offer's capacity is weekly: it enters the optimiser once per week of the period it can
  deliver in, each time with its weekly capacity (``offer_key``);
- "local" is the kitchen's own definition (``Canteen.local_definition``) applied to the
  producer's place; the distance is the great-circle one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from cantine.dates import week_start
from cantine.local import distance_km
from cantine.models import Canteen
from orders import allocation
from orders.models import Need, PurchaseOrder, PurchaseOrderLine
from producers.models import Offer

DEFAULT_TIME_LIMIT_S = 10.0
TARGET_KEYS = allocation.TARGET_KEYS


def need_key(need_pk: int) -> str:
    """A need's id in the optimiser."""
    return f"N{need_pk}"


def need_pk(key: str) -> int:
    return int(key[1:])


def line_key(line_pk: int) -> str:
    """An order line's id when its refused quantity is re-allocated (it stands for a need):
    ``R`` for refused, so that it never reads as a need's ``N``."""
    return f"R{line_pk}"


def line_pk(key: str) -> int:
    """The order line of a re-allocation id; re-allocations recorded before these keys
    existed spelled it ``N<line pk>``, which reads the same."""
    return int(key[1:])


def producer_key(producer_pk: int) -> str:
    return f"P{producer_pk}"


def producer_pk(key: str) -> int:
    return int(key[1:])


def product_key(food_pk: int) -> str:
    return f"F{food_pk}"


def offer_key(offer_pk: int, week: date | None = None) -> str:
    """An offer's id in the optimiser: one row per week it can deliver in, since its capacity
    is weekly (``lifecycle`` checks the same week when the producer confirms)."""
    return f"O{offer_pk}" if week is None else f"O{offer_pk}@{week.isoformat()}"


def offer_pk(key: str) -> int:
    """The database key of an optimiser offer id (``offer_key``)."""
    return int(key[1:].split("@", 1)[0])


def period_needs(kitchen: Canteen, start: date, end: date):
    """Needs of the weeks in [start, end] with something to buy."""
    return (
        Need.objects.filter(canteen=kitchen, week__range=(week_start(start), end))
        .filter(quantity__gt=0)
        .select_related("food")
        .order_by("delivery_date", "food__name")
    )


def candidate_offers(needs: list[Need]):
    """Active offers for the foods needed, valid at some point of the needs' dates."""
    if not needs:
        return Offer.objects.none()
    first = min(n.delivery_date for n in needs)
    last = max(n.delivery_date for n in needs)
    return (
        Offer.objects.filter(active=True, food__in={n.food_id for n in needs})
        .filter(valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
        .select_related("producer__commune__department")
        .order_by("pk")
    )


def answered_capacity(offers: list[Offer], dates: list[date]) -> dict[tuple[int, date], float]:
    """What each offer's producer said it can deliver, per week, where it refused some of an
    order that week: the quantity it confirmed there. A producer who refused spinach for the
    week of 7 December ("harvest lost") is not proposed the same spinach again that week."""
    if not offers or not dates:
        return {}
    first, last = week_start(min(dates)), week_start(max(dates)) + timedelta(days=6)
    lines = (
        PurchaseOrderLine.objects.filter(
            offer__in=offers,
            confirmed_packs__isnull=False,
            order__delivery_date__range=(first, last),
        )
        .exclude(order__status=PurchaseOrder.Status.CANCELLED)
        .select_related("offer", "order")
    )
    confirmed: dict[tuple[int, date], float] = defaultdict(float)
    refused: set[tuple[int, date]] = set()
    for line in lines:
        key = (line.offer_id, week_start(line.order.delivery_date))
        confirmed[key] += float(line.confirmed_packs * line.size)
        if line.confirmed_packs < line.packs:
            refused.add(key)
    return {key: confirmed[key] for key in refused}


def build_instance(
    kitchen: Canteen,
    needs: list[Need],
    offers: list[Offer],
    *,
    targets: dict | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    goal: str = "min_cost",
    budget: float | None = None,
    key: Callable[[int], str] = need_key,
) -> allocation.Instance:
    """The optimiser's instance for these needs and offers (see the module docstring).

    ``key`` names each need from its ``pk``: ``line_key`` when the "needs" are refused order
    lines being bought elsewhere."""
    local = kitchen.local_definition()
    need_rows = tuple(
        allocation.Need(
            id=key(n.pk),
            product=product_key(n.food_id),
            quantity=float(n.quantity),
            delivery_date=n.delivery_date.isoformat(),
            unit=n.unit,
            family=n.food.family,
        )
        for n in needs
    )
    dates = sorted({n.delivery_date for n in needs})
    answered = answered_capacity(offers, dates)
    producers, offer_rows = {}, []
    for offer in offers:
        served = [d for d in dates if offer.delivers_on(d)]
        if not served:
            continue
        producer = offer.producer
        if producer.pk not in producers:
            place = producer.place
            distance = distance_km(local.centre, place)
            producers[producer.pk] = allocation.Producer(
                id=producer_key(producer.pk),
                delivery_cost=float(producer.delivery_cost),
                min_order_value=float(producer.minimum_order_value),
                local=local.is_local(place),
                distance_km=round(distance, 1) if distance is not None else None,
            )
        capacity = offer.weekly_capacity
        by_week = defaultdict(list)
        for day in served:
            by_week[week_start(day)].append(day.isoformat())
        for monday, days in sorted(by_week.items()):
            week_capacity = float(capacity) if capacity is not None else None
            if (offer.pk, monday) in answered:  # the producer said how much it can, that week
                said = answered[(offer.pk, monday)]
                week_capacity = said if week_capacity is None else min(week_capacity, said)
                if week_capacity <= 0:
                    continue
            offer_rows.append(
                allocation.Offer(
                    id=offer_key(offer.pk, monday if len(by_week) > 1 else None),
                    producer=producer_key(producer.pk),
                    product=product_key(offer.food_id),
                    unit_price=float(offer.unit_price),
                    pack_size=float(offer.pack_size),
                    capacity=week_capacity,
                    labels=tuple(offer.labels),
                    delivery_dates=tuple(days),
                    unit=offer.unit,
                )
            )
    return allocation.Instance(
        needs=need_rows,
        producers=tuple(producers.values()),
        offers=tuple(offer_rows),
        targets=allocation.Targets(**clean_targets(targets)),
        time_limit_s=time_limit_s,
        objective=goal,
        budget=budget,
    )


def instance_for_period(
    kitchen: Canteen,
    start: date,
    end: date,
    *,
    targets=None,
    time_limit_s=DEFAULT_TIME_LIMIT_S,
    goal: str = "min_cost",
    budget: float | None = None,
) -> tuple[allocation.Instance, list[Need], list[Offer]]:
    needs = list(period_needs(kitchen, start, end))
    offers = list(candidate_offers(needs))
    instance = build_instance(
        kitchen,
        needs,
        offers,
        targets=targets,
        time_limit_s=time_limit_s,
        goal=goal,
        budget=budget,
    )
    return instance, needs, offers


def clean_targets(targets: dict | None) -> dict:
    """Targets as shares in [0, 1]; unknown keys and empty values dropped."""
    cleaned = {}
    for key, value in (targets or {}).items():
        if key not in TARGET_KEYS or value in (None, ""):
            continue
        value = float(value)
        if not 0 <= value <= 1:
            raise ValidationError(_("A target is a share between 0 and 100 %."))
        if value > 0:
            cleaned[key] = value
    return cleaned

"""Greenhouse gases of purchases: the food itself (AGRIBALYSE) and its last trip (transport).

Only what can be computed is counted, and the coverage says how much that is:
- weight: a line's quantity in kg; litres and pieces weigh what their food says (its density,
  the weight of one piece: ``nutrition.Food``), lines whose weight cannot be known are left out;
- food: lines with a weight and a CIQUAL food whose AGRIBALYSE footprint (kg CO2e per kg, farm
  to retail) is known: weight x footprint;
- transport: lines with a weight from a producer with a known place: the great-circle
  distance from the producer to the canteen x the weight x ``LIGHT_VAN_KG_CO2E_PER_TKM``.

The database sums kilograms and food CO2e per (family, producer, canteen); distances are then
computed once per producer-canteen pair in Python (a few hundred pairs at most).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, When

from cantine.formatting import number
from cantine.local import distance_km
from cantine.models import Canteen
from producers.models import Producer
from purchases.models import Family, Unit

# Delivery by a light commercial vehicle (VUL, diesel, <= 3.5 t), kg CO2e per tonne-kilometre,
# well-to-wheel, with the usual load factor and empty returns: order of magnitude of ADEME's
# Base Carbone (base-empreinte.ademe.fr, "Transport de marchandises > Routier > Véhicule
# utilitaire léger", t.km), source GLEC 2025. A short-chain delivery is a light van: this is the
# honest factor for it, ten times a 40 t lorry's per t.km. Check the current value before
# publishing a figure; change it here only.
LIGHT_VAN_KG_CO2E_PER_TKM = Decimal("1.5")


def light_van_factor_source() -> str:
    """Where the factor comes from, in the reader's notation ("1,5" in French): built when
    shown, since the language is the request's."""
    return (
        "ADEME, Base Carbone : véhicule utilitaire léger (≤ 3,5 t, gazole), "
        f"{number(LIGHT_VAN_KG_CO2E_PER_TKM)} kg CO2e par tonne·km"
    )


KG = Decimal(1)
TONNE = Decimal(1000)


@dataclass(frozen=True)
class CarbonRow:
    key: str
    name: str
    kg: Decimal  # weight bought by the kilogram
    food_kg_co2e: Decimal
    transport_kg_co2e: Decimal

    @property
    def total(self) -> Decimal:
        return self.food_kg_co2e + self.transport_kg_co2e


@dataclass(frozen=True)
class Carbon:
    by_family: list[CarbonRow]
    by_producer: list[CarbonRow]
    food_kg_co2e: Decimal
    transport_kg_co2e: Decimal
    kg: Decimal
    covered_amount: Decimal  # € HT of the lines with a food footprint
    total_amount: Decimal  # € HT of all lines

    @property
    def total(self) -> Decimal:
        return self.food_kg_co2e + self.transport_kg_co2e

    @property
    def coverage_pct(self) -> Decimal | None:
        if not self.total_amount:
            return None
        return (100 * self.covered_amount / self.total_amount).quantize(Decimal("0.1"))


def transport_kg_co2e(weight_kg: Decimal, km: float) -> Decimal:
    return weight_kg / TONNE * Decimal(str(round(km, 3))) * LIGHT_VAN_KG_CO2E_PER_TKM


WEIGHT = DecimalField(max_digits=20, decimal_places=6)


def _weight_kg():
    """A line's weight in kg, from its unit (None when a litre or a piece weighs unknown)."""
    return Case(
        When(unit=Unit.KG, then=F("quantity")),
        When(unit=Unit.LITRE, then=F("quantity") * F("food__density_kg_per_l")),
        When(unit=Unit.PIECE, then=F("quantity") * F("food__piece_grams") / TONNE),
        default=None,
        output_field=WEIGHT,
    )


def _food_co2e():
    return ExpressionWrapper(F("weight") * F("food__co2e_per_kg"), output_field=WEIGHT)


def carbon(lines: QuerySet) -> Carbon:
    """Food and transport CO2e of these ledger lines, per family and per producer."""
    weighed = Q(weight__isnull=False)
    with_food = weighed & Q(food__co2e_per_kg__isnull=False)
    every_line = lines
    lines = lines.annotate(weight=_weight_kg())
    groups = list(
        lines.filter(weighed)
        .values("family", "producer_id", "canteen_id")
        .annotate(kg=Sum("weight"), food=Sum(_food_co2e(), filter=with_food))
        .order_by()
    )
    amounts = every_line.aggregate(total=Sum("price_ht"))
    amounts["covered"] = lines.filter(with_food).aggregate(covered=Sum("price_ht"))["covered"]
    distances = _distances(groups)
    families, producers = defaultdict(lambda: [KG * 0] * 3), defaultdict(lambda: [KG * 0] * 3)
    for group in groups:
        kg, food = group["kg"] or 0, group["food"] or 0
        km = distances.get((group["producer_id"], group["canteen_id"]))
        transport = transport_kg_co2e(kg, km) if km is not None else Decimal(0)
        for bucket in (families[group["family"]], producers[group["producer_id"]]):
            bucket[0] += kg
            bucket[1] += food
            bucket[2] += transport
    names = dict(
        Producer.objects.filter(pk__in=[p for p in producers if p]).values_list("pk", "name")
    )
    by_family = [
        CarbonRow(key, str(Family(key).label), *_rounded(values))
        for key, values in families.items()
    ]
    by_producer = [
        CarbonRow(str(key or ""), names.get(key, ""), *_rounded(values))
        for key, values in producers.items()
        if key
    ]
    return Carbon(
        by_family=sorted(by_family, key=lambda r: -r.total),
        by_producer=sorted(by_producer, key=lambda r: -r.total),
        food_kg_co2e=sum((r.food_kg_co2e for r in by_family), Decimal(0)),
        transport_kg_co2e=sum((r.transport_kg_co2e for r in by_family), Decimal(0)),
        kg=sum((r.kg for r in by_family), Decimal(0)),
        covered_amount=amounts["covered"] or Decimal(0),
        total_amount=amounts["total"] or Decimal(0),
    )


def _rounded(values) -> tuple[Decimal, Decimal, Decimal]:
    kg, food, transport = values
    return (
        Decimal(kg).quantize(Decimal("0.1")),
        Decimal(food).quantize(Decimal("0.1")),
        Decimal(transport).quantize(Decimal("0.1")),
    )


def _distances(groups) -> dict[tuple[int, int], float]:
    """Producer to canteen, km, for each pair that has both places."""
    pairs = {(g["producer_id"], g["canteen_id"]) for g in groups if g["producer_id"]}
    if not pairs:
        return {}
    producers = Producer.objects.select_related("commune__department").in_bulk(
        {p for p, _c in pairs}
    )
    canteens = Canteen.objects.select_related("commune__department").in_bulk({c for _p, c in pairs})
    distances = {}
    for producer_id, canteen_id in pairs:
        km = distance_km(producers[producer_id].place, canteens[canteen_id].place)
        if km is not None:
            distances[(producer_id, canteen_id)] = km
    return distances

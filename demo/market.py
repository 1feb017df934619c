"""The demo's market: what each producer offers, a regional wholesaler for the rest, food
prices, and the purchases of last year and this year so far."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cantine.models import Canteen
from cantine.vocabulary import Label, Unit
from demo import datafiles
from demo.catalogue import bought_codes
from demo.territory import SEED, demo_siret, farm_kind
from producers.models import Producer

# --- offers: what each demo producer sells, by activity, for foods of the demo catalogue ------

# kind -> (CIQUAL codes the kind can sell, price range € HT per kg, pack sizes, weekly capacity)
OFFER_RANGES: dict[str, tuple[tuple[str, ...], tuple[float, float], tuple, tuple[int, int]]] = (
    datafiles.offer_ranges()
)
OFFERS_PER_PRODUCER = 10


def producer_kind(producer: Producer) -> str | None:
    """The demo kind of a seeded producer, read back from its activities (see farm_kind)."""
    return farm_kind(
        {
            "activite_vegetale_principale": producer.plant_activity.replace("î", "i"),
            "activite_animale_principale": producer.animal_activity.replace("Œ", "Oe"),
        }
    )


@transaction.atomic
def seed_offers(producers: list[Producer]) -> int:
    """About ten offers per producer for foods its activity yields; idempotent (a producer that
    already has offers keeps them as they are). Returns how many offers the producers have."""
    from nutrition.models import Food
    from producers.models import Offer

    codes = {_bought_code(code) for spec in OFFER_RANGES.values() for code in spec[0]}
    foods = {f.code: f for f in Food.objects.filter(code__in=codes)}
    start = date(2026, 1, 1)
    for producer in producers:
        kind = producer_kind(producer)
        if kind is None or producer.offers.exists():
            continue
        rng = random.Random(f"{SEED}-{producer.siret}")
        available, (low, high), packs, (cap_low, cap_high) = OFFER_RANGES[kind]
        chosen = list(dict.fromkeys(_bought_code(c) for c in available if _bought_code(c) in foods))
        chosen = rng.sample(chosen, min(OFFERS_PER_PRODUCER, len(chosen)))
        if kind == "dairy" and rng.random() < 0.5:
            chosen.append(MILK)  # half the dairy farms also sell milk by the litre
        for code in chosen:
            food = foods.get(code)
            if food is None:
                continue
            labels = [
                label for label in producer.labels if label != Label.BIO or rng.random() < 0.8
            ]
            ranges = OFFER_RANGES["milk"] if code == MILK else OFFER_RANGES[kind]
            price_per_kg = Decimal(str(rng.uniform(*ranges[1])))
            pack_kg = Decimal(str(rng.choice(ranges[2])))
            capacity_kg = Decimal(rng.randrange(ranges[3][0], ranges[3][1] + 1, 10))
            Offer.objects.create(
                producer=producer,
                food=food,
                product_label=food.name.split(",")[0][:200],
                valid_from=start,
                valid_to=None,
                labels=labels,
                **_sold_in_its_unit(food, price_per_kg, pack_kg, capacity_kg),
            )
    return Offer.objects.filter(producer__in=producers).count()


MILK = "19042"
PIECE_PACKS = (12, 24, 48)  # pots, eggs: trays and crates as farms deliver them


def _bought_code(code: str) -> str:
    """The product a farm sells for a food of the catalogue (raw when the dish is cooked)."""
    return bought_codes().get(code, code)


def _sold_in_its_unit(food, price_per_kg: Decimal, pack_kg: Decimal, capacity_kg: Decimal) -> dict:
    """An offer's unit, pack, price and capacity in the unit the food is bought in."""
    cent = Decimal("0.01")
    if food.purchase_unit == Unit.PIECE:
        piece_kg = food.piece_grams / 1000
        pack = Decimal(PIECE_PACKS[int(pack_kg) % len(PIECE_PACKS)])
        return {
            "unit": Unit.PIECE,
            "pack_size": pack,
            "unit_price": max((price_per_kg * piece_kg).quantize(cent), cent),
            "weekly_capacity": (capacity_kg / piece_kg / pack).to_integral_value() * pack,
        }
    if food.purchase_unit == Unit.LITRE:
        return {
            "unit": Unit.LITRE,
            "pack_size": pack_kg,
            "unit_price": price_per_kg.quantize(cent),
            "weekly_capacity": capacity_kg,
        }
    return {
        "unit": Unit.KG,
        "pack_size": pack_kg,
        "unit_price": price_per_kg.quantize(cent),
        "weekly_capacity": capacity_kg,
    }


# --- a regional wholesaler, for what the farms around do not grow ------------------------------

WHOLESALER = datafiles.wholesaler()  # Nantes
# € HT per kg by CIQUAL group (or sub-group), typical catalogue prices for collective catering.
WHOLESALE_PRICES = datafiles.wholesale_prices()
DEFAULT_WHOLESALE_PRICE = Decimal("5.00")


def _wholesale_price(food) -> Decimal:
    for name in (food.subgroup_name, food.group_name):
        for key, price in WHOLESALE_PRICES.items():
            if name and key in name.lower():
                return price
    return DEFAULT_WHOLESALE_PRICE


@transaction.atomic
def seed_wholesaler(kitchen: Canteen) -> int:
    """One non-local wholesaler offering every food of the catalogue, so that every dish has a
    price and every need can be bought somewhere; idempotent."""
    from nutrition.models import DishIngredient
    from producers.models import Offer

    name, commune, latitude, longitude = WHOLESALER
    wholesaler, created = Producer.objects.get_or_create(
        siret=demo_siret("producer", 999),
        defaults={
            "name": name,
            "status": Producer.Status.WHOLESALER,
            "commune_id": commune,
            "latitude": latitude,
            "longitude": longitude,
            "delivery_weekdays": [0, 1, 2, 3, 4],
            "delivery_cost": Decimal("0"),
            "minimum_order_value": Decimal("150"),
            "contact_name": "Service collectivités",
            "email": "collectivites@grossiste.example",
        },
    )
    if not created:
        return wholesaler.offers.count()
    foods = {
        i.food for i in DishIngredient.objects.filter(dish__kitchen=kitchen).select_related("food")
    }
    offers = []
    for food in sorted(foods, key=lambda f: f.code):
        terms = _sold_in_its_unit(food, _wholesale_price(food), Decimal(1), Decimal(0))
        terms["pack_size"], terms["weekly_capacity"] = Decimal(1), None  # by the unit, no limit
        offers.append(
            Offer(
                producer=wholesaler,
                food=food,
                product_label=food.name.split(",")[0][:200],
                labels=[],
                valid_from=date(2026, 1, 1),
                **terms,
            )
        )
    Offer.objects.bulk_create(offers)
    return wholesaler.offers.count()


def seed_food_prices(canteens: list[Canteen]) -> None:
    """Reference prices from the current offers, for every kitchen of the demo."""
    from orders.prices import refresh_food_prices

    for canteen in canteens:
        if canteen.kind != Canteen.Kind.SATELLITE:
            refresh_food_prices(kitchen=canteen)


# --- purchases: last year and this year so far, as the ledger of a manager would hold them ------

# What the wholesaler's lines carry, with their odds: mostly unlabelled, some organic or SIQO.
WHOLESALE_LABELS = datafiles.wholesale_labels(Label)
WHOLESALE_ORIGINS = datafiles.wholesale_origins()


def _pick(rng: random.Random, choices):
    return rng.choices([c for c, _w in choices], weights=[w for _c, w in choices])[0]


def _purchase_line(canteen, offer, day, rng, kilos, local_definition, is_farm):
    """One delivered line: about ``kilos`` of the offer's product, in the offer's unit."""
    from purchases.models import Purchase, Source

    producer = offer.producer
    is_local = local_definition.is_local(producer.place)
    labels = list(offer.labels) if is_farm else _pick(rng, WHOLESALE_LABELS)
    quantity = offer.food.quantity_for_grams(kilos * 1000).quantize(Decimal("1"))
    return Purchase(
        canteen=canteen,
        date=day,
        description=offer.product_label,
        supplier=producer.name,
        producer=producer,
        family=offer.food.family,
        labels=labels,
        origin="FRANCE" if is_farm else _pick(rng, WHOLESALE_ORIGINS),
        is_short_chain=is_farm and producer.sells_direct,
        is_local=is_local,
        local_definition=canteen.local_scope if is_local else "",
        local_definition_km=canteen.local_radius_km
        if is_local and canteen.local_radius_km
        else None,
        price_ht=(offer.unit_price * quantity).quantize(Decimal("0.01")),
        quantity=quantity,
        unit=offer.unit,
        food=offer.food,
        source=Source.ORDER,
    )


@transaction.atomic
def seed_purchases(canteens: list[Canteen], producers: list[Producer], today=None) -> int:
    """Weekly deliveries for the kitchen and the administrative canteen from January of last year
    to last week: farms' offers (their labels, local or not under each canteen's definition)
    and the wholesaler for the rest, the farms' part growing over the months as a policy would.
    Idempotent: a canteen that already has purchases keeps them."""
    from producers.models import Offer
    from purchases.models import Purchase

    today = today or timezone.localdate()
    start = date(today.year - 1, 1, 1)
    start += timedelta(days=(7 - start.weekday()) % 7)  # first Monday
    farm_offers = list(
        Offer.objects.filter(producer__in=producers)
        .exclude(producer__status=Producer.Status.WHOLESALER)
        .select_related("producer__commune__department", "food")
        .order_by("pk")
    )
    wholesale_offers = list(
        Offer.objects.filter(producer__status=Producer.Status.WHOLESALER)
        .select_related("producer__commune__department", "food")
        .order_by("pk")
    )
    if not farm_offers or not wholesale_offers:
        return Purchase.objects.count()
    volumes = {canteens[0].pk: (6, 10), canteens[-1].pk: (2, 3)}  # (farm, wholesale) lines/week
    for canteen in (canteens[0], canteens[-1]):
        if Purchase.objects.filter(canteen=canteen).exists():
            continue
        rng = random.Random(f"{SEED}-purchases-{canteen.siret}")
        definition = canteen.local_definition()
        farm_lines, wholesale_lines = volumes[canteen.pk]
        lines = []
        day = start
        weeks = ((today - start).days // 7) or 1
        for week in range(weeks):
            if day.month == 8:  # school holidays: the kitchen is closed
                day += timedelta(days=7)
                continue
            growth = week / weeks  # 0 -> 1 over the period
            farms = farm_lines + round(3 * growth)
            for offer in rng.sample(farm_offers, min(farms, len(farm_offers))):
                kilos = Decimal(rng.randrange(10, 80))
                lines.append(_purchase_line(canteen, offer, day, rng, kilos, definition, True))
            for offer in rng.sample(wholesale_offers, min(wholesale_lines, len(wholesale_offers))):
                kilos = Decimal(rng.randrange(15, 120))
                lines.append(_purchase_line(canteen, offer, day, rng, kilos, definition, False))
            day += timedelta(days=7)
        Purchase.objects.bulk_create(lines, batch_size=2000)
    return Purchase.objects.count()

"""What the kitchens bought: a year of purchase lines and of purchase orders."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.departement.copier import Copier


class TradeMixin:
    """What the kitchens bought of ``Departement`` (its state is set by ``Departement.__init__``)."""

    def ledger(self, copier: Copier):
        from cantine.models import Canteen
        from cantine.vocabulary import Label
        from producers.models import Producer
        from purchases.models import Purchase

        rng = random.Random(f"{self.seed}-ledger")
        producers = {
            p.pk: p
            for p in Producer.objects.filter(
                pk__in=[r["id"] for r in self.producer_rows]
            ).select_related("commune__department")
        }
        farm_offers = [o for o in self.offers if producers[o["producer_id"]].status != "wholesaler"]
        wholesale_offers = [
            o for o in self.offers if producers[o["producer_id"]].status == "wholesaler"
        ]
        total_covers = sum(self.covers.values()) or 1
        kitchens = (
            Canteen.objects.filter(pk__in=[k["id"] for k in self.kitchens])
            .select_related("commune__department", "local_territory")
            .order_by("pk")
        )
        fields = [
            "canteen", "date", "description", "supplier", "producer", "family", "labels",
            "origin", "is_short_chain", "is_local", "local_definition", "local_definition_km",
            "price_ht", "quantity", "unit", "food", "source", "created_at",
        ]  # fmt: skip
        wholesale_labels = [
            ([], 72),
            ([Label.BIO], 12),
            ([Label.LABEL_ROUGE], 8),
            ([Label.AOCAOP], 4),
            ([Label.HVE], 4),
        ]
        label_choices = [json.dumps(c) for c, _w in wholesale_labels]
        label_weights = [w for _c, w in wholesale_labels]
        cent = Decimal("0.01")

        # Everything the rows need is read first: no query may run while COPY holds the
        # connection.
        kitchens = list(kitchens)
        local_of = {}
        for kitchen in kitchens:
            definition = kitchen.local_definition()
            local_of[kitchen.pk] = {pk: definition.is_local(p.place) for pk, p in producers.items()}

        def rows():
            for kitchen in kitchens:
                local = local_of[kitchen.pk]
                # A kitchen buys from the farms near it: the 60 nearest, by the offers' order.
                near = sorted(
                    {o["producer_id"] for o in farm_offers},
                    key=lambda pk: (
                        math.hypot(
                            (producers[pk].latitude or 0) - (kitchen.latitude or 0),
                            (producers[pk].longitude or 0) - (kitchen.longitude or 0),
                        ),
                        pk,
                    ),
                )[:60]
                near_set = set(near)
                farms = [o for o in farm_offers if o["producer_id"] in near_set]
                days = [d for d in self.service_days[kitchen.pk] if d < self.monday]
                if not days:
                    continue
                lines = round(self.purchase_lines * self.covers[kitchen.pk] / total_covers)
                per_day = lines / len(days)
                carry = 0.0
                scope = kitchen.local_scope
                km = Decimal(kitchen.local_radius_km) if kitchen.local_radius_km else None
                for n, day in enumerate(days):
                    carry += per_day
                    count, carry = int(carry), carry - int(carry)
                    farm_share = 0.25 + 0.2 * n / len(days)
                    created = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                        hours=14
                    )
                    for _ in range(count):
                        is_farm = rng.random() < farm_share
                        offer = rng.choice(farms if is_farm else wholesale_offers)
                        producer = producers[offer["producer_id"]]
                        packs = rng.randint(1, 12)
                        quantity = offer["pack_size"] * packs
                        is_local = local[producer.pk]
                        yield (
                            kitchen.pk, day, offer["product_label"], producer.name, producer.pk,
                            offer["family"],
                            json.dumps(offer["labels"]) if is_farm else rng.choices(label_choices, label_weights)[0],
                            "FRANCE" if is_farm else rng.choices(("FRANCE", "EUROPE", "OTHER"), (6, 3, 1))[0],
                            is_farm and producer.sells_direct, is_local,
                            scope if is_local else "", km if is_local else None,
                            (offer["unit_price"] * quantity).quantize(cent), quantity, offer["unit"],
                            offer["food_id"], "order" if is_farm else "import", created,
                        )  # fmt: skip

        copier.copy(Purchase, fields, rows())

    def orders(self, copier: Copier):
        from orders.models import PurchaseOrder, PurchaseOrderLine

        rng = random.Random(f"{self.seed}-orders")
        producers = {p["id"]: p for p in self.producer_rows if p["status"] != "wholesaler"}
        offers_of: dict[int, list[dict]] = {}
        for offer in self.offers:
            if offer["producer_id"] in producers:
                offers_of.setdefault(offer["producer_id"], []).append(offer)
        farm_ids = sorted(offers_of)
        orders, lines = [], []
        next_order, next_line = copier.next_id(PurchaseOrder), copier.next_id(PurchaseOrderLine)
        cent = Decimal("0.01")
        for position, kitchen in enumerate(self.kitchens):
            # Each kitchen orders from 12 farms, spread so that every farm has buyers.
            pool = [farm_ids[(position * 12 + n) % len(farm_ids)] for n in range(12)]
            cook = self.cook_ids[kitchen["id"]]
            weeks = {}
            for day in self.service_days[kitchen["id"]]:
                weeks.setdefault(day - timedelta(days=day.weekday()), []).append(day)
            for monday, days in sorted(weeks.items()):
                for producer_id in rng.sample(pool, rng.randint(3, 5)):
                    producer = producers[producer_id]
                    on = [d for d in days if d.weekday() in producer["delivery_weekdays"]]
                    delivery = on[0] if on else days[0]
                    sent_at = datetime.combine(
                        monday - timedelta(days=7), datetime.min.time(), tzinfo=UTC
                    ) + timedelta(hours=9)
                    if delivery + timedelta(days=28) <= self.today:
                        status = "paid"
                    elif delivery <= self.today:
                        status = "delivered"
                    elif delivery <= self.today + timedelta(days=2):
                        status = "confirmed"
                    else:
                        status = "sent"
                    answered = status != "sent"
                    received = status in ("delivered", "paid")
                    goods = Decimal(0)
                    chosen = rng.sample(
                        offers_of[producer_id], min(len(offers_of[producer_id]), rng.randint(2, 6))
                    )
                    for offer in chosen:
                        packs = rng.randint(1, 6)
                        quantity = offer["pack_size"] * packs
                        total = (quantity * offer["unit_price"]).quantize(cent)
                        goods += total
                        lines.append((
                            next_line, next_order, offer["id"], monday, offer["product_label"],
                            offer["unit"], offer["pack_size"], offer["labels"], packs, None,
                            quantity, offer["unit_price"], total, packs if answered else None, "",
                            sent_at + timedelta(hours=20) if answered else None,
                            quantity if received else None, "",
                        ))  # fmt: skip
                        next_line += 1
                    orders.append((
                        next_order, kitchen["id"], producer_id, delivery, None, status, goods,
                        producer["delivery_cost"], cook, sent_at - timedelta(hours=1), sent_at,
                        datetime.combine(delivery - timedelta(days=2), datetime.min.time(), tzinfo=UTC) + timedelta(hours=18) if status == "sent" else None,
                        delivery if received else None,
                        delivery + timedelta(days=3) if status == "paid" else None,
                        delivery + timedelta(days=28) if status == "paid" else None,
                        None, 0,
                    ))  # fmt: skip
                    next_order += 1
        copier.copy(
            PurchaseOrder,
            ["id", "canteen", "producer", "delivery_date", "run", "status", "goods_total",
             "delivery_cost", "created_by", "created_at", "sent_at", "answer_deadline",
             "received_on", "invoiced_on", "paid_on", "amended_at", "revision"],
            orders,
        )  # fmt: skip
        copier.copy(
            PurchaseOrderLine,
            ["id", "order", "offer", "week", "product_label", "unit", "pack_size", "labels",
             "packs", "previous_packs", "quantity", "unit_price", "total", "confirmed_packs",
             "refusal_reason", "answered_at", "received_quantity", "quality_remark"],
            lines,
        )  # fmt: skip

"""Parsing and validation of an instance: every problem named with its path."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from cantine.vocabulary import Unit, parse_unit
from orders.allocation.contract import (
    DEFAULT_FAMILY,
    DEFAULT_SOLVER,
    EGALIM_LABELS,
    EPS,
    FAMILIES,
    LABEL_ALIASES,
    OBJECTIVES,
    SOLVERS,
    TARGET_KEYS,
    FixedLine,
    Instance,
    InstanceError,
    Need,
    Offer,
    Producer,
    Targets,
)


class _Checker:
    """Collects problems with their JSON path instead of stopping at the first one."""

    def __init__(self):
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def number(
        self,
        obj,
        key,
        path,
        *,
        default=None,
        required=False,
        minimum=None,
        positive=False,
        maximum=None,
        nullable=True,
    ):
        if key not in obj or obj[key] is None:
            if required or (not nullable and key in obj):
                self.fail(f"{path}.{key}", "required number is missing")
            return default
        value = obj[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            self.fail(f"{path}.{key}", f"expected a number, got {value!r}")
            return default
        if positive and value <= 0:
            self.fail(f"{path}.{key}", f"must be > 0, got {value}")
        elif minimum is not None and value < minimum:
            self.fail(f"{path}.{key}", f"must be >= {minimum}, got {value}")
        elif maximum is not None and value > maximum:
            self.fail(f"{path}.{key}", f"must be <= {maximum}, got {value}")
        return float(value)

    def string(self, obj, key, path, *, required=True, default=None):
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(f"{path}.{key}", "required text is missing")
            return default
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.{key}", f"expected non-empty text, got {value!r}")
            return default
        return value.strip()

    def iso_date(self, value, path):
        if not isinstance(value, str):
            self.fail(path, f"expected an ISO date (YYYY-MM-DD), got {value!r}")
            return None
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            self.fail(path, f"invalid ISO date {value!r} (expected YYYY-MM-DD)")
            return None

    def boolean(self, obj, key, path, default):
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", f"expected true or false, got {value!r}")
            return default
        return value

    def items(self, obj, key, required=True):
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(key, "required list is missing")
            return []
        if not isinstance(value, list):
            self.fail(key, f"expected a list, got {type(value).__name__}")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                good.append((i, item))
            else:
                self.fail(f"{key}[{i}]", f"expected an object, got {item!r}")
        return good

    def unique_id(self, item, path, seen: set):
        ident = self.string(item, "id", path)
        if ident is not None:
            if ident in seen:
                self.fail(f"{path}.id", f"duplicate id {ident!r}")
            seen.add(ident)
        return ident


def normalise_label(raw: str) -> str:
    """'Label Rouge', 'aoc' and 'AOC/AOP' all become a canonical EGalim code."""
    code = raw.strip().upper().replace(" ", "_").replace("-", "_").replace("/", "_")
    return LABEL_ALIASES.get(code, code)


def _unit(c: _Checker, obj, path):
    raw = obj.get("unit")
    if raw is None:
        return None
    unit = parse_unit(raw) if isinstance(raw, str) else None
    if unit is None:
        c.fail(f"{path}.unit", f"unknown unit {raw!r} (expected {', '.join(map(str, Unit))})")
        return None
    return str(unit)


def _parse_needs(c: _Checker, data) -> list[Need]:
    needs, seen = [], set()
    for i, item in c.items(data, "needs"):
        path = f"needs[{i}]"
        ident = c.unique_id(item, path, seen)
        product = c.string(item, "product", path)
        quantity = c.number(item, "quantity", path, required=True, positive=True)
        when = c.iso_date(item.get("delivery_date"), f"{path}.delivery_date")
        family = c.string(item, "family", path, required=False, default=DEFAULT_FAMILY)
        if family is not None and family not in FAMILIES:
            c.fail(
                f"{path}.family",
                f"unknown family {family!r} (expected one of {', '.join(FAMILIES)})",
            )
        unit = _unit(c, item, path)
        if None not in (ident, product, quantity, when):
            needs.append(Need(ident, product, quantity, when, unit, family or DEFAULT_FAMILY))
    return needs


def _parse_producers(c: _Checker, data) -> list[Producer]:
    producers, seen = [], set()
    for i, item in c.items(data, "producers"):
        path = f"producers[{i}]"
        ident = c.unique_id(item, path, seen)
        delivery = c.number(item, "delivery_cost", path, default=0.0, minimum=0)
        min_order = c.number(item, "min_order_value", path, default=0.0, minimum=0)
        local = c.boolean(item, "local", path, False)
        distance = c.number(item, "distance_km", path, minimum=0)
        if ident is not None:
            producers.append(Producer(ident, delivery, min_order, local, distance))
    return producers


def _parse_labels(c: _Checker, item, path) -> tuple[str, ...]:
    raw = item.get("labels") or []
    if not isinstance(raw, list):
        c.fail(f"{path}.labels", f"expected a list of labels, got {raw!r}")
        return ()
    labels = []
    for j, label in enumerate(raw):
        code = normalise_label(label) if isinstance(label, str) else None
        if code not in EGALIM_LABELS:
            c.fail(
                f"{path}.labels[{j}]",
                f"unknown label {label!r} (expected one of {', '.join(EGALIM_LABELS)})",
            )
        elif code not in labels:
            labels.append(code)
    return tuple(labels)


def _parse_offers(c: _Checker, data, producer_ids: set) -> list[Offer]:
    offers, seen = [], set()
    for i, item in c.items(data, "offers"):
        path = f"offers[{i}]"
        ident = c.unique_id(item, path, seen)
        producer = c.string(item, "producer", path)
        if producer is not None and producer not in producer_ids:
            c.fail(f"{path}.producer", f"unknown producer {producer!r}")
        product = c.string(item, "product", path)
        price = c.number(item, "unit_price", path, required=True, minimum=0)
        pack = c.number(item, "pack_size", path, required=True, positive=True)
        capacity = c.number(item, "capacity", path, minimum=0)
        remaining = c.number(item, "remaining_capacity", path, minimum=0)
        labels = _parse_labels(c, item, path)
        dates_raw = item.get("delivery_dates")
        dates = []
        if not isinstance(dates_raw, list) or not dates_raw:
            c.fail(f"{path}.delivery_dates", "expected a non-empty list of ISO dates")
        else:
            for j, raw in enumerate(dates_raw):
                d = c.iso_date(raw, f"{path}.delivery_dates[{j}]")
                if d is not None and d not in dates:
                    dates.append(d)
        unit = _unit(c, item, path)
        if None not in (ident, producer, product, price, pack) and dates:
            offers.append(
                Offer(
                    ident,
                    producer,
                    product,
                    price,
                    pack,
                    capacity,
                    labels,
                    tuple(dates),
                    unit,
                    remaining,
                )
            )
    return offers


def _parse_targets(c: _Checker, data) -> Targets:
    raw = data.get("targets")
    if raw is None:
        return Targets()
    if not isinstance(raw, dict):
        c.fail("targets", f"expected an object, got {raw!r}")
        return Targets()
    for key in raw:
        if key not in TARGET_KEYS:
            c.fail(f"targets.{key}", f"unknown target (expected one of {', '.join(TARGET_KEYS)})")
    values = {k: c.number(raw, k, "targets", minimum=0, maximum=1) for k in TARGET_KEYS}
    return Targets(**values)


def _parse_fixed(c: _Checker, data, needs: dict, offers: dict) -> list[FixedLine]:
    fixed = []
    used: dict[str, float] = defaultdict(float)
    for i, item in c.items(data, "fixed_lines", required=False):
        path = f"fixed_lines[{i}]"
        need_id, offer_id = c.string(item, "need", path), c.string(item, "offer", path)
        packs = item.get("packs")
        if isinstance(packs, bool) or not isinstance(packs, int) or packs < 1:
            c.fail(f"{path}.packs", f"expected a whole number of packs >= 1, got {packs!r}")
            continue
        need, offer = needs.get(need_id), offers.get(offer_id)
        if need_id is not None and need is None:
            c.fail(f"{path}.need", f"unknown need {need_id!r}")
        if offer_id is not None and offer is None:
            c.fail(f"{path}.offer", f"unknown offer {offer_id!r}")
        if need is None or offer is None:
            continue
        if need.product != offer.product:
            c.fail(
                path,
                f"offer {offer.id!r} sells {offer.product!r}, need {need.id!r} is {need.product!r}",
            )
            continue
        used[offer.id] += packs * offer.pack_size
        if (
            offer.remaining_capacity is None
            and offer.capacity is not None
            and used[offer.id] > offer.capacity + EPS
        ):
            c.fail(
                path,
                f"fixed quantity {used[offer.id]:g} exceeds capacity {offer.capacity:g} "
                f"of offer {offer.id!r}",
            )
        fixed.append(FixedLine(need.id, offer.id, packs))
    return fixed


def parse_instance(data: dict) -> Instance:
    """Validate a JSON-like dict; raise InstanceError listing every problem with its path."""
    c = _Checker()
    if not isinstance(data, dict):
        raise InstanceError([f"$: expected a JSON object, got {type(data).__name__}"])
    needs = _parse_needs(c, data)
    producers = _parse_producers(c, data)
    offers = _parse_offers(c, data, {p.id for p in producers})
    targets = _parse_targets(c, data)
    max_share = c.number(data, "max_share_per_producer", "$", positive=True, maximum=1)
    allow_unmet = c.boolean(data, "allow_unmet", "$", True)
    penalty = c.number(data, "unmet_penalty_per_unit", "$", default=1000.0, minimum=0)
    objective = data.get("objective", "min_cost")
    if objective not in OBJECTIVES:
        c.fail("objective", f"unknown objective {objective!r} (expected min_cost or max_local)")
    budget = c.number(data, "budget", "$", minimum=0)
    time_limit = c.number(data, "time_limit_s", "$", default=10.0, positive=True)
    gap = c.number(data, "mip_gap", "$", default=0.001, minimum=0, maximum=1)
    solver = data.get("solver", DEFAULT_SOLVER)
    if solver not in SOLVERS:
        c.fail("solver", f"unknown solver {solver!r} (expected one of {', '.join(SOLVERS)})")
    fixed = _parse_fixed(c, data, {n.id: n for n in needs}, {o.id: o for o in offers})
    if c.problems:
        raise InstanceError([p.replace("$.", "") for p in c.problems])
    return Instance(
        tuple(needs),
        tuple(producers),
        tuple(offers),
        targets,
        max_share,
        allow_unmet,
        penalty,
        objective,
        budget,
        time_limit,
        tuple(fixed),
        gap,
        solver,
    )

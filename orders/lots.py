"""Lots (allotissement): needs grouped by product family x territory x period.

A public buyer awards each lot to one supplier. Big lots (one per family for the whole period)
shut small producers out: few can supply every vegetable every week. Fine lots (one per
product and week) let each farm answer for what it grows. The simulator shows what that costs
and gains, by solving the same needs and offers at each granularity:

- ``free``: no lots, the optimiser splits each need across offers freely (the lower bound of
  cost; what fine-grained, low-value purchases allow);
- otherwise each lot is awarded to the one producer that serves it at least cost (goods, its
  delivery costs and a penalty per unit it cannot supply), lots taken largest first, each
  award using up the capacity it takes. This is how a tender is judged (best bid per lot), not
  a joint optimum over all lots.

The territory is the kitchen's own (its department), since one kitchen buys for one place; a
group of buyers would add theirs to the key.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from cantine import solver_runs
from cantine.dates import week_start
from cantine.labels import Family
from cantine.models import Canteen, User
from orders import allocation
from orders.instances import instance_for_period
from orders.models import LotSimulation


class Granularity(models.TextChoices):
    FREE = "free", _("No lots (free split)")
    FAMILY_PERIOD = "family_period", _("One lot per family for the period")
    FAMILY_WEEK = "family_week", _("One lot per family and week")
    PRODUCT_WEEK = "product_week", _("One lot per product and week")


@dataclass
class Lot:
    key: tuple
    family: str
    territory: str
    period: str
    needs: list[allocation.Need] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{Family(self.family).label} · {self.period}"


def lot_key(need: allocation.Need, granularity: str, territory: str) -> tuple:
    week = week_start(date.fromisoformat(need.delivery_date)).isoformat()
    if granularity == Granularity.FAMILY_PERIOD:
        return (need.family, territory, "period")
    if granularity == Granularity.FAMILY_WEEK:
        return (need.family, territory, week)
    return (need.family, territory, week, need.product)


def group_needs(needs, granularity: str, territory: str) -> list[Lot]:
    """The lots of a granularity (``free`` has none: every need stands alone)."""
    lots: dict[tuple, Lot] = {}
    for need in needs:
        key = lot_key(need, granularity, territory)
        if key not in lots:
            period = "période" if key[2] == "period" else f"semaine du {key[2]}"
            lots[key] = Lot(key, need.family, territory, period)
        lots[key].needs.append(need)
    return list(lots.values())


@dataclass
class Outcome:
    granularity: str
    label: str
    lots: int
    cost: float
    unmet_quantity: float
    shares: dict[str, float]
    producers: int

    @property
    def share_percents(self) -> dict[str, float]:
        return {k: round(100 * v, 1) for k, v in self.shares.items()}


def _summarise(instance, granularity, lots_count, lines, unmet_quantity) -> Outcome:
    """Cost and shares of a set of lines: goods + one delivery cost per producer and date."""
    offers = {o.id: o for o in instance.offers}
    producers = {p.id: p for p in instance.producers}
    needs = {n.id: n for n in instance.needs}
    goods = {"total": 0.0, "bio": 0.0, "egalim": 0.0, "local": 0.0}
    trips = set()
    for line in lines:
        offer = offers[line.offer]
        goods["total"] += line.cost
        goods["bio"] += line.cost * offer.is_bio
        goods["egalim"] += line.cost * offer.is_egalim
        goods["local"] += line.cost * producers[offer.producer].local
        trips.add((offer.producer, needs[line.need].delivery_date))
    delivery = sum(producers[p].delivery_cost for p, _d in trips)
    total = goods["total"]
    return Outcome(
        granularity=granularity,
        label=str(Granularity(granularity).label),
        lots=lots_count,
        cost=round(total + delivery, 2),
        unmet_quantity=round(unmet_quantity, 1),
        shares={k: (goods[k] / total if total else 0.0) for k in ("bio", "egalim", "local")},
        producers=len({p for p, _d in trips}),
    )


def award_lots(instance: allocation.Instance, lots: list[Lot], granularity: str) -> Outcome:
    """Each lot to the single producer serving it at least cost (see the module docstring)."""
    used: dict[str, float] = defaultdict(float)
    by_producer = defaultdict(list)
    for offer in instance.offers:
        by_producer[offer.producer].append(offer)
    producers = {p.id: p for p in instance.producers}
    lines, unmet = [], 0.0
    for lot in sorted(lots, key=lambda lot: -sum(n.quantity for n in lot.needs)):
        products = {n.product for n in lot.needs}
        best = None
        for producer_id, offers in by_producer.items():
            mine = [_remaining(o, used) for o in offers if o.product in products]
            mine = [o for o in mine if o.capacity is None or o.capacity > 0]
            if not mine:
                continue
            sub = replace(
                instance,
                needs=tuple(lot.needs),
                producers=(producers[producer_id],),
                offers=tuple(mine),
                targets=allocation.Targets(),
                fixed_lines=(),
            )
            solution = allocation.greedy_allocation(sub)
            if best is None or solution.cost < best.cost - 1e-9:
                best = solution
        if best is None:
            unmet += sum(n.quantity for n in lot.needs)
            continue
        for line in best.lines:
            used[line.offer] += line.quantity
        lines.extend(best.lines)
        unmet += sum(u.quantity for u in best.unmet)
    return _summarise(instance, granularity, len(lots), lines, unmet)


def _remaining(offer: allocation.Offer, used: dict[str, float]) -> allocation.Offer:
    if offer.capacity is None:
        return offer
    return replace(offer, capacity=max(0.0, offer.capacity - used[offer.id]))


def simulate(
    kitchen: Canteen, start: date, end: date, *, time_limit_s: float = 5.0
) -> list[Outcome]:
    """Cost and shares of the period's needs at each granularity, free split first."""
    instance, _needs, _offers = instance_for_period(kitchen, start, end, time_limit_s=time_limit_s)
    return outcomes_for(instance, kitchen.commune.department_id)


def outcomes_for(instance: allocation.Instance, territory: str) -> list[Outcome]:
    """The simulation itself, pure computation (no database): a worker runs it on a thread
    while its own thread keeps the run's heartbeat."""
    if not instance.needs:
        return []
    free = allocation.solve(instance)
    outcomes = [
        _summarise(
            instance,
            Granularity.FREE,
            len(instance.needs),
            free.lines,
            sum(u.quantity for u in free.unmet),
        )
    ]
    for granularity in (
        Granularity.PRODUCT_WEEK,
        Granularity.FAMILY_WEEK,
        Granularity.FAMILY_PERIOD,
    ):
        lots = group_needs(instance.needs, granularity, territory)
        outcomes.append(award_lots(instance, lots, granularity))
    return outcomes


def chart_bars(outcomes: list[Outcome], width: int = 360) -> dict:
    """Geometry of the server-rendered SVG chart: per granularity, local/organic/EGalim bars."""
    rows, y = [], 0
    for outcome in outcomes:
        bars = []
        for key in ("local", "bio", "egalim"):
            share = outcome.shares.get(key, 0.0)
            length = round(share * width, 1)
            bars.append(
                {
                    "key": key,
                    "y": y,
                    "width": length,
                    "text_x": round(244 + length, 1),
                    "text_y": y + 10,
                    "percent": round(100 * share),
                }
            )
            y += 14
        rows.append({"outcome": outcome, "bars": bars, "label_y": y - 17})
        y += 16
    return {"rows": rows, "height": max(y, 1)}


def request_simulation(*, kitchen: Canteen, start: date, end: date, actor: User) -> LotSimulation:
    """Queue a simulation; a second request for the same period joins the running one."""
    try:
        return solver_runs.request(
            LotSimulation,
            run_lot_simulation,
            canteen=kitchen,
            start=start,
            end=end,
            requested_by=actor,
        )
    except solver_runs.AlreadyRunning as running:
        return running.run


@task()
def run_lot_simulation(simulation_id: int) -> str:
    """The job that solves a queued simulation (``execute_simulation``)."""
    solver_runs.reap_all_stale()  # runs left "running" by a worker that died fail first
    return execute_simulation(simulation_id=simulation_id).status


def execute_simulation(*, simulation_id: int, time_limit_s: float = 5.0) -> LotSimulation:
    """Claim a queued simulation and solve it (see ``cantine.solver_runs``: never twice, never
    left "running")."""
    held = solver_runs.claim(LotSimulation, simulation_id)
    simulation = LotSimulation.objects.select_related("canteen__commune").get(pk=simulation_id)
    if held is None:
        return simulation
    started = time.perf_counter()
    try:
        kitchen = simulation.canteen
        instance, _needs, _offers = instance_for_period(
            kitchen, simulation.start, simulation.end, time_limit_s=time_limit_s
        )
        territory = kitchen.commune.department_id
        outcomes = solver_runs.solve_with_progress(
            lambda _report: outcomes_for(instance, territory),
            lambda _batch: None,
            heartbeat=held.beat,
        )
    except Exception as error:  # never leave a run "running"
        held.fail(str(error))
        raise
    with transaction.atomic():
        if not held.hold():
            return LotSimulation.objects.get(pk=simulation_id)
        simulation.outcomes = [asdict(o) for o in outcomes]
        simulation.status = (
            LotSimulation.Status.OPTIMAL if outcomes else LotSimulation.Status.UNKNOWN
        )
        simulation.solve_seconds = round(time.perf_counter() - started, 3)
        simulation.finished_at = timezone.now()
        simulation.save()
    return simulation


def outcomes_of(simulation: LotSimulation | None) -> list[Outcome]:
    return [Outcome(**row) for row in simulation.outcomes] if simulation else []

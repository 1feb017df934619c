"""Use cases that write orders: allocation runs and the purchase orders they become.

The optimiser (``orders.allocation``) is pure; this module turns the database into its
instance and its solution back into rows. Ids in the instance are prefixed database keys
(``N12`` a need, ``O7`` an offer, ``P3`` a producer), so a solution maps back without lookups
by name.

Instance choices, kept simple and stated where figures are shown:
- an offer serves a need when it sells the same food in the same unit, is active and valid on
  the need's delivery date, and its producer delivers on that weekday (a producer with no
  delivery days set delivers any day);
- an offer's capacity is weekly: it enters the optimiser once per week of the period it can
  deliver in, each time with its weekly capacity (``offer_key``);
- "local" is the kitchen's own definition (``Canteen.local_definition``) applied to the
  producer's place; the distance is the great-circle one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cantine import solver_runs
from cantine.local import distance_km
from cantine.models import Canteen
from orders import acceptance, allocation
from orders.acceptance import AllocationNotAcceptable, PlanChanged  # noqa: F401 (re-exported)
from orders.models import AllocationLine, AllocationRun, Need, PurchaseOrder
from orders.needs import week_start
from producers.models import Offer

DEFAULT_TIME_LIMIT_S = 10.0
TARGET_KEYS = ("bio_min_share", "egalim_min_share", "local_min_share")
CENT = Decimal("0.01")


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


def _delivers_on(offer: Offer, day: date) -> bool:
    weekdays = offer.producer.delivery_weekdays
    return (
        offer.is_valid_on(day)
        and offer.producer.is_available_on(day)
        and (not weekdays or day.weekday() in weekdays)
    )


def offer_key(offer_pk: int, week: date | None = None) -> str:
    """An offer's id in the optimiser: one row per week it can deliver in, since its capacity
    is weekly (``lifecycle`` checks the same week when the producer confirms)."""
    return f"O{offer_pk}" if week is None else f"O{offer_pk}@{week.isoformat()}"


def offer_pk(key: str) -> int:
    """The database key of an optimiser offer id (``offer_key``)."""
    return int(key[1:].split("@", 1)[0])


def build_instance(
    kitchen: Canteen,
    needs: list[Need],
    offers: list[Offer],
    *,
    targets: dict | None = None,
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
    goal: str = "min_cost",
    budget: float | None = None,
) -> allocation.Instance:
    """The optimiser's instance for these needs and offers (see the module docstring)."""
    local = kitchen.local_definition()
    need_rows = tuple(
        allocation.Need(
            id=f"N{n.pk}",
            product=f"F{n.food_id}",
            quantity=float(n.quantity),
            delivery_date=n.delivery_date.isoformat(),
            unit=n.unit,
            family=n.food.family,
        )
        for n in needs
    )
    dates = sorted({n.delivery_date for n in needs})
    producers, offer_rows = {}, []
    for offer in offers:
        served = [d for d in dates if _delivers_on(offer, d)]
        if not served:
            continue
        producer = offer.producer
        if producer.pk not in producers:
            place = producer.place
            distance = distance_km(local.centre, place)
            producers[producer.pk] = allocation.Producer(
                id=f"P{producer.pk}",
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
            offer_rows.append(
                allocation.Offer(
                    id=offer_key(offer.pk, monday if len(by_week) > 1 else None),
                    producer=f"P{producer.pk}",
                    product=f"F{offer.food_id}",
                    unit_price=float(offer.unit_price),
                    pack_size=float(offer.pack_size),
                    capacity=float(capacity) if capacity is not None else None,
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


class AllocationAlreadyRunning(Exception):
    """Raised with the run in progress when the same period is asked for twice."""

    def __init__(self, run: AllocationRun):
        super().__init__(str(run))
        self.run = run


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


def clean_goal(goal: str | None, budget) -> tuple[str, Decimal | None]:
    """The optimiser's goal and budget: buying the most local needs a budget to spend."""
    goal = goal or AllocationRun.Goal.MIN_COST
    if goal not in AllocationRun.Goal.values:
        raise ValidationError(_("Unknown goal: %(goal)s.") % {"goal": goal})
    budget = None if budget in (None, "") else Decimal(str(budget))
    if budget is not None and budget <= 0:
        raise ValidationError(_("A budget is a positive amount in euros."))
    if goal == AllocationRun.Goal.MAX_LOCAL and budget is None:
        raise ValidationError(_("Buying the most local needs a budget to spend."))
    return goal, budget


def request_allocation(
    *,
    canteen: Canteen,
    start: date,
    end: date,
    targets: dict | None = None,
    goal: str | None = None,
    budget=None,
    user=None,
) -> AllocationRun:
    """Queue an allocation run, unless one is already running for this kitchen and period.

    ``goal`` is "min_cost" (default: cheapest allocation meeting the targets, within
    ``budget`` if given) or "max_local" (most local value the ``budget`` can buy)."""
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    targets = clean_targets(targets)
    goal, budget = clean_goal(goal, budget)
    fields = {
        "canteen": canteen,
        "start": start,
        "end": end,
        "targets": targets,
        "goal": goal,
        "budget": budget,
    }
    try:
        with transaction.atomic():
            run = AllocationRun.objects.create(**fields, requested_by=user)
    except IntegrityError:
        active = AllocationRun.objects.filter(
            canteen=canteen, start=start, end=end, status__in=AllocationRun.ACTIVE
        ).first()
        if active is None:  # it ended between our insert and this read: ask again
            return request_allocation(**fields, user=user)
        raise AllocationAlreadyRunning(active) from None
    from orders.tasks import solve_allocation_run  # tasks import services: keep it local

    solver_runs.enqueue_on_commit(solve_allocation_run, run)
    return run


def execute_allocation_run(run_id: int, *, time_limit_s: float | None = None) -> AllocationRun:
    """Solve a queued run and store its lines; the run never stays "running" on error.

    Claimed first (``cantine.solver_runs.claim``): a run another worker holds, or one done,
    is returned untouched; the lines are stored only while the run is this attempt's."""
    held = solver_runs.claim(AllocationRun, run_id)
    run = AllocationRun.objects.get(pk=run_id)
    if held is None:
        return run
    try:
        instance, needs, offers = instance_for_period(
            run.canteen,
            run.start,
            run.end,
            targets=run.targets,
            time_limit_s=time_limit_s or DEFAULT_TIME_LIMIT_S,
            goal=run.goal,
            budget=float(run.budget) if run.budget is not None else None,
        )
        if not instance.needs:
            held.fail(_("No needs to buy for this period: compute the needs first."))
            run.refresh_from_db()
            return run

        def save_progress(batch: list[tuple]) -> None:
            points = [[round(elapsed, 2), objective, bound] for objective, bound, elapsed in batch]
            run.progress = [*run.progress, *points][-50:]
            held.beat(progress=run.progress, bound=batch[-1][1])

        solution = solver_runs.solve_with_progress(
            lambda report: allocation.solve(instance, progress=report),
            save_progress,
            heartbeat=held.beat,
        )
        baseline = allocation.greedy_allocation(replace(instance, targets=allocation.Targets()))
    except Exception as error:
        held.fail(str(error))
        raise
    with transaction.atomic():
        if not held.hold():  # reaped or retried meanwhile: another attempt stores the lines
            return AllocationRun.objects.get(pk=run_id)
        _store_solution(run, solution, baseline, {n.pk: n for n in needs}, offers)
    return run


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _store_solution(run, solution, baseline, needs: dict, offers: list[Offer]) -> None:
    offers_by_pk = {o.pk: o for o in offers}
    run.lines.all().delete()
    lines = []
    for line in solution.lines:
        offer = offers_by_pk[offer_pk(line.offer)]
        lines.append(
            AllocationLine(
                run=run,
                need=needs[int(line.need[1:])],
                offer=offer,
                packs=line.packs,
                quantity=Decimal(str(round(line.quantity, 3))),
                unit_price=offer.unit_price,
                total=_money(line.cost),
            )
        )
    AllocationLine.objects.bulk_create(lines)
    run.status = solution.status
    run.cost = round(solution.goods_cost + solution.delivery_cost, 2)
    run.goods_cost = solution.goods_cost
    run.delivery_cost = solution.delivery_cost
    run.objective, run.bound, run.gap = solution.objective, solution.bound, solution.gap
    run.shares = solution.shares
    run.unmet = [{"need": int(u.need[1:]), "quantity": u.quantity} for u in solution.unmet]
    run.deliveries = [
        {"producer": int(d.producer[1:]), "date": d.date, "value": d.value, "cost": d.delivery_cost}
        for d in solution.deliveries
    ]
    run.conflicts = solution.conflicts
    run.message = "; ".join(solution.violations)
    run.solve_seconds = solution.solve_seconds
    run.baseline_cost = round(baseline.goods_cost + baseline.delivery_cost, 2)
    run.baseline_shares = {
        **baseline.shares,
        "unmet_quantity": round(sum(u.quantity for u in baseline.unmet), 3),
    }
    run.finished_at = timezone.now()
    run.save()


def preview_acceptance(*, run: AllocationRun) -> acceptance.AcceptancePlan:
    """What accepting ``run`` would change, per producer and delivery date (nothing written)."""
    return acceptance.plan_acceptance(run=run)


def accept_allocation(
    *, run: AllocationRun, actor=None, expected_digest: str | None = None
) -> list[PurchaseOrder]:
    """Accept a solved run: what sent and confirmed orders cover is not ordered again.

    Draft orders of the period are replaced, sent ones amended (same order, same card for the
    producer), the rest goes to new drafts, one per producer and delivery date
    (``orders.acceptance``). With ``expected_digest`` (the preview's), a plan that changed
    since the preview is refused with ``PlanChanged``. Returns the orders created or changed.
    """
    return acceptance.apply_acceptance(run=run, actor=actor, expected_digest=expected_digest)

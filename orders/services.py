"""Use cases that write orders: allocation runs and the purchase orders they become.

The optimiser (``orders.allocation``) is pure; ``orders.instances`` turns the database into
its instance, and this module stores its solution back as rows (allocation lines, then draft
orders when the cook accepts).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from cantine import solver_runs
from cantine.models import Canteen, User
from orders import acceptance, allocation
from orders.acceptance import AllocationNotAcceptable, PlanChanged  # noqa: F401 (re-exported)
from orders.instances import (
    DEFAULT_TIME_LIMIT_S,
    clean_targets,
    instance_for_period,
    need_pk,
    offer_pk,
    producer_pk,
)
from orders.models import AllocationLine, AllocationRun, PurchaseOrder
from producers.models import Offer

CENT = Decimal("0.01")


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
    budget: Decimal | None = None,
    actor: User | None = None,
) -> AllocationRun:
    """Queue an allocation run, unless one is already running for this kitchen and period
    (then ``solver_runs.AlreadyRunning`` names it).

    ``goal`` is "min_cost" (default: cheapest allocation meeting the targets, within
    ``budget`` if given) or "max_local" (most local value the ``budget`` can buy)."""
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    targets = clean_targets(targets)
    goal, budget = clean_goal(goal, budget)
    return solver_runs.request(
        AllocationRun,
        solve_allocation_run,
        canteen=canteen,
        start=start,
        end=end,
        targets=targets,
        goal=goal,
        budget=budget,
        requested_by=actor,
    )


@task()
def solve_allocation_run(run_id: int) -> str:
    """The job that solves a queued run (``execute_allocation_run``)."""
    solver_runs.reap_all_stale()  # runs left "running" by a worker that died fail first
    return execute_allocation_run(run_id=run_id).status


def execute_allocation_run(*, run_id: int, time_limit_s: float | None = None) -> AllocationRun:
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
        baseline = allocation.greedy_allocation(_baseline_instance(instance, solution))
    except Exception as error:
        held.fail(str(error))
        raise
    with transaction.atomic():
        if not held.hold():  # reaped or retried meanwhile: another attempt stores the lines
            return AllocationRun.objects.get(pk=run_id)
        _store_solution(run, solution, baseline, instance, {n.pk: n for n in needs}, offers)
    return run


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _baseline_instance(instance, solution):
    """The plain baseline's instance: the needs the allocation meets (a need it leaves wholly
    unmet is left out), each to buy from its cheapest offer, with no share target."""
    met = {line.need for line in solution.lines}
    left = {u.need for u in solution.unmet} - met
    return replace(
        instance,
        targets=allocation.Targets(),
        needs=tuple(n for n in instance.needs if n.id not in left),
    )


def _store_solution(run, solution, baseline, instance, needs: dict, offers: list[Offer]) -> None:
    offers_by_pk = {o.pk: o for o in offers}
    run.lines.all().delete()
    lines = []
    for line in solution.lines:
        offer = offers_by_pk[offer_pk(line.offer)]
        lines.append(
            AllocationLine(
                run=run,
                need=needs[need_pk(line.need)],
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
    run.unmet = [{"need": need_pk(u.need), "quantity": u.quantity} for u in solution.unmet]
    run.deliveries = [
        {
            "producer": producer_pk(d.producer),
            "date": d.date,
            "value": d.value,
            "cost": d.delivery_cost,
        }
        for d in solution.deliveries
    ]
    run.conflicts = solution.conflicts
    run.message = "; ".join(solution.violations)
    run.solve_seconds = solution.solve_seconds
    minimum = {p.id: p.min_order_value for p in instance.producers}
    run.baseline_cost = round(baseline.goods_cost + baseline.delivery_cost, 2)
    run.baseline_shares = {
        **baseline.shares,
        "unmet_quantity": round(sum(u.quantity for u in baseline.unmet), 3),
        "unmet_needs": sorted(need_pk(u.need) for u in baseline.unmet if u.quantity > 1e-6),
        "under_minimum": sum(
            1 for d in baseline.deliveries if d.value < minimum.get(d.producer, 0) - 1e-6
        ),
    }
    run.finished_at = timezone.now()
    run.save()


def preview_acceptance(*, run: AllocationRun) -> acceptance.AcceptancePlan:
    """What accepting ``run`` would change, per producer and delivery date (nothing written)."""
    return acceptance.plan_acceptance(run=run)


def accept_allocation(
    *, run: AllocationRun, actor: User | None = None, expected_digest: str | None = None
) -> list[PurchaseOrder]:
    """Accept a solved run: what sent and confirmed orders cover is not ordered again.

    Draft orders of the period are replaced, sent ones amended (same order, same card for the
    producer), the rest goes to new drafts, one per producer and delivery date
    (``orders.acceptance``). With ``expected_digest`` (the preview's), a plan that changed
    since the preview is refused with ``PlanChanged``. Returns the orders created or changed.
    """
    return acceptance.apply_acceptance(run=run, actor=actor, expected_digest=expected_digest)

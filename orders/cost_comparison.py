"""How an allocation compares with the plain baseline: the cheapest offer per item.

The baseline (``orders.services``) buys the needs the allocation meets, each from its cheapest
offer, with no share target. Its cost is a fair comparison only when it is as good a purchase:
when it leaves needs unmet that the allocation buys, or breaks a producer's minimum order, the
two costs do not compare and the page says why instead. When it misses a share target the
allocation meets, what the allocation costs more is the price of that target. A saving is never
negative. Pure Python: the run's stored figures in, the verdict out.
"""

from __future__ import annotations

from dataclasses import dataclass

CENT = 0.005  # below half a cent, two costs are the same
SHARE_TOL = 1e-6
SHARE_KEYS = ("bio", "egalim", "local")


@dataclass(frozen=True)
class MissedTarget:
    """A share target the allocation meets and the baseline misses."""

    key: str  # "bio", "egalim" or "local"
    target: float  # 0.2 for 20 %
    baseline_share: float

    @property
    def target_percent(self) -> float:
        return 100 * self.target

    @property
    def baseline_percent(self) -> float:
        return 100 * self.baseline_share


@dataclass(frozen=True)
class CostComparison:
    cost: float
    baseline_cost: float
    goal: str  # "min_cost" or "max_local"
    baseline_short: int  # needs the baseline leaves unmet that the allocation buys
    run_short: int  # needs the allocation leaves unmet that the baseline buys
    baseline_under_minimum: int  # the baseline's orders under a producer's minimum
    missed: tuple[MissedTarget, ...] = ()

    @property
    def comparable(self) -> bool:
        return not (self.baseline_short or self.run_short or self.baseline_under_minimum)

    @property
    def difference(self) -> float:
        """What the allocation costs more than the baseline (negative: less)."""
        return self.cost - self.baseline_cost

    @property
    def kind(self) -> str:
        """``not_comparable``, ``saving``, ``same``, ``targets_price`` (dearer because it meets
        targets the baseline misses), ``local_price`` (dearer because it buys the most local)
        or ``time_limit`` (dearer with nothing to show for it: the search stopped early)."""
        if not self.comparable:
            return "not_comparable"
        if self.difference <= -CENT:
            return "saving"
        if self.difference < CENT:
            return "same"
        if self.missed:
            return "targets_price"
        return "local_price" if self.goal == "max_local" else "time_limit"

    @property
    def saving(self) -> float | None:
        """What the allocation saves against the baseline: never negative, None if none."""
        return -self.difference if self.kind == "saving" else None

    @property
    def extra(self) -> float | None:
        """What the allocation costs more, when that is the price of its targets or goal."""
        return self.difference if self.kind in {"targets_price", "local_price"} else None


def compare(
    *,
    cost: float,
    baseline_cost: float,
    goal: str,
    targets: dict,
    shares: dict,
    baseline_shares: dict,
    unmet: list[dict],
) -> CostComparison:
    """``targets`` as a run stores them (``bio_min_share``...), ``shares`` and
    ``baseline_shares`` as fractions, ``unmet`` the allocation's ``[{"need", "quantity"}]``;
    ``baseline_shares`` also holds the baseline's ``unmet_needs`` (need ids),
    ``unmet_quantity`` and ``under_minimum``."""
    run_unmet = {u["need"] for u in unmet if u.get("quantity", 0) > SHARE_TOL}
    if "unmet_needs" in baseline_shares:
        baseline_unmet = set(baseline_shares["unmet_needs"])
        baseline_short = len(baseline_unmet - run_unmet)
        run_short = len(run_unmet - baseline_unmet)
    else:  # a run stored before the baseline kept its unmet needs: compare the quantities
        left = sum(u.get("quantity", 0) for u in unmet)
        baseline_short = int(baseline_shares.get("unmet_quantity", 0) > left + SHARE_TOL)
        run_short = 0
    missed = []
    for key in SHARE_KEYS:
        target = targets.get(f"{key}_min_share")
        if not target:
            continue
        base = baseline_shares.get(key, 0.0)
        if shares.get(key, 0.0) >= target - SHARE_TOL and base < target - SHARE_TOL:
            missed.append(MissedTarget(key, target, base))
    return CostComparison(
        cost=cost,
        baseline_cost=baseline_cost,
        goal=goal,
        baseline_short=baseline_short,
        run_short=run_short,
        baseline_under_minimum=int(baseline_shares.get("under_minimum", 0)),
        missed=tuple(missed),
    )

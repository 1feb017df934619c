"""What the planner answers: the plan, its status, bound and gap, and the conflicts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nutrition.compliance import (
    ComplianceReport,
)
from nutrition.mealplan import ServedMeal

SCALE = 10_000  # objective and costs in 1/10,000 of a unit: exact for cent/gram data
GREEDY_ORDER = ("main", "side", "dairy", "dessert", "entree")
COMPONENT_LABELS = {
    "entree": "entrée",
    "main": "plat principal",
    "side": "garniture",
    "dairy": "produit laitier",
    "dessert": "dessert",
}
Progress = Callable[[float, float, float], None]


@dataclass
class Conflict:
    rules: list[str]
    why: str
    locks: list[dict] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"rules": self.rules, "locks": self.locks, "other": self.other, "why": self.why}


@dataclass
class PlanResult:
    status: str  # optimal | feasible | infeasible | unknown
    plan: list[ServedMeal]
    objective: float | None
    bound: float | None
    solve_seconds: float
    report: ComplianceReport | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(1e-9, abs(self.objective))

    def to_dict(self) -> dict:
        rules = []
        if self.report is not None:
            rules = [
                {"id": r.rule.id, "worst_count": r.worst_count, "ok": r.ok}
                for r in self.report.rules
            ]
        return {
            "status": self.status,
            "plan": [{"date": m.date.isoformat(), "dishes": dict(m.dishes)} for m in self.plan],
            "objective": self.objective,
            "bound": self.bound,
            "solve_seconds": round(self.solve_seconds, 3),
            "rules": rules,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "compliance_ok": None if self.report is None else self.report.ok,
            "stats": self.stats,
        }

"""Optimiser runs of the orders app: an allocation run with the lines it proposes, and a lot
simulation (both solver runs of the kernel, ``cantine.solver_runs``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.models import Canteen
from cantine.solver_runs import SolverRun
from orders.cost_comparison import CostComparison, compare
from orders.models.needs import Need
from producers.models import Offer


class AllocationRun(SolverRun):
    """One request to the allocation optimiser for a kitchen's needs over a period."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        OPTIMAL = "optimal", _("Optimal")
        FEASIBLE = "feasible", _("Feasible (time limit reached)")
        INFEASIBLE = "infeasible", _("Targets cannot all be met")
        UNKNOWN = "unknown", _("No allocation found in time")
        FAILED = "failed", _("Failed")

    class Goal(models.TextChoices):
        MIN_COST = "min_cost", _("Cheapest")
        MAX_LOCAL = "max_local", _("Most local within a budget")

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="allocation_runs")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="queued")
    targets = models.JSONField(_("targets"), default=dict, blank=True)
    goal = models.CharField(_("goal"), max_length=10, choices=Goal.choices, default="min_cost")
    budget = models.DecimalField(
        _("budget (€ HT)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Goods and delivery; required when buying the most local."),
    )
    cost = models.FloatField(_("cost (€ HT)"), null=True, blank=True)
    goods_cost = models.FloatField(_("goods (€ HT)"), null=True, blank=True)
    delivery_cost = models.FloatField(_("delivery (€ HT)"), null=True, blank=True)
    gap = models.FloatField(_("gap"), null=True, blank=True)  # as the solver reports it
    baseline_cost = models.FloatField(_("cheapest-anywhere cost (€ HT)"), null=True, blank=True)
    baseline_shares = models.JSONField(_("cheapest-anywhere shares"), default=dict, blank=True)
    shares = models.JSONField(_("shares"), default=dict, blank=True)
    unmet = models.JSONField(_("unmet needs"), default=list, blank=True)
    deliveries = models.JSONField(_("deliveries"), default=list, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta(SolverRun.Meta):
        ordering = ["-created_at", "-pk"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [
            models.UniqueConstraint(
                fields=["canteen", "start", "end"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_allocation_run_per_period",
            )
        ]

    def __str__(self):
        return f"{self.canteen} · {self.start} → {self.end} · {self.get_status_display()}"

    @property
    def gap_percent(self) -> float | None:
        """The solver's distance to the best possible, in % (0 when proven best)."""
        return None if self.gap is None else 100 * self.gap

    @property
    def comparison(self) -> CostComparison | None:
        """How the allocation compares with buying the cheapest offer per item (never a
        negative saving: ``orders.cost_comparison``); None until solved."""
        if self.cost is None or self.baseline_cost is None:
            return None
        return compare(
            cost=self.cost,
            baseline_cost=self.baseline_cost,
            goal=self.goal,
            targets=self.targets or {},
            shares=self.shares or {},
            baseline_shares=self.baseline_shares or {},
            unmet=self.unmet or [],
        )


class AllocationLine(models.Model):
    run = models.ForeignKey(AllocationRun, models.CASCADE, related_name="lines")
    need = models.ForeignKey(Need, models.CASCADE, related_name="allocation_lines")
    offer = models.ForeignKey(Offer, models.PROTECT, related_name="allocation_lines")
    packs = models.PositiveIntegerField(_("packs"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price (€ HT)"), max_digits=9, decimal_places=3)
    total = models.DecimalField(_("total (€ HT)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["run", "need__delivery_date", "need__food__name", "pk"]
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")

    def __str__(self):
        return f"{self.need} ← {self.offer} × {self.packs}"


class LotSimulation(SolverRun):
    """One run of the lots simulator for a kitchen and a period, solved in the background."""

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="lot_simulations")
    outcomes = models.JSONField(_("outcomes"), default=list, blank=True)

    class Meta(SolverRun.Meta):
        verbose_name = _("lot simulation")
        verbose_name_plural = _("lot simulations")
        constraints = [
            models.UniqueConstraint(
                fields=["canteen", "start", "end"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_lot_simulation_per_period",
            )
        ]

    def __str__(self):
        return f"{self.canteen} · {self.start} → {self.end} · {self.get_status_display()}"

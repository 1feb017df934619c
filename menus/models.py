"""Menus: what a kitchen serves on each day, and the optimiser runs that filled them.

Menus belong to the canteen that plans them: a central kitchen plans once for all its
satellites (domain.md §1). A meal holds at most one dish per course.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.models import Canteen
from cantine.solver_runs import SolverRun
from nutrition.models import Component, Dish, RuleSet


class Meal(models.Model):
    """One lunch service of a kitchen on one day."""

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="meals")
    date = models.DateField(_("date"))
    closed = models.BooleanField(
        _("closed"), default=False, help_text=_("No service that day (holiday, strike...).")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["canteen", "date"]
        verbose_name = _("meal")
        verbose_name_plural = _("meals")
        constraints = [models.UniqueConstraint(fields=["canteen", "date"], name="one_meal_per_day")]

    def __str__(self):
        return f"{self.canteen} · {self.date:%d/%m/%Y}"


class MealDish(models.Model):
    """The dish served for one course of a meal; a locked dish is never changed by the planner."""

    meal = models.ForeignKey(Meal, models.CASCADE, related_name="courses")
    component = models.CharField(_("course"), max_length=10, choices=Component.choices)
    dish = models.ForeignKey(Dish, models.PROTECT, related_name="servings")
    locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        ordering = ["meal", "component"]
        verbose_name = _("dish served")
        verbose_name_plural = _("dishes served")
        constraints = [
            models.UniqueConstraint(fields=["meal", "component"], name="one_dish_per_course")
        ]

    def __str__(self):
        return f"{self.meal} · {self.get_component_display()} · {self.dish}"

    def clean(self):
        if self.dish_id and self.dish.component != self.component:
            raise ValidationError(
                {
                    "dish": _("This dish is a %(course)s.")
                    % {"course": self.dish.get_component_display()}
                }
            )
        if self.dish_id and self.meal_id and self.dish.kitchen_id != self.meal.canteen_id:
            raise ValidationError({"dish": _("This dish belongs to another kitchen's catalogue.")})


class PlanRun(SolverRun):
    """One request to the menu optimiser for a canteen and a period, and what it answered."""

    class Preset(models.TextChoices):
        CHEAPEST = "cheapest", _("Cheapest")
        MOST_LOCAL = "most_local", _("Most local")
        LOWEST_CARBON = "lowest_carbon", _("Lowest carbon")

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="plan_runs")
    preset = models.CharField(_("goal"), max_length=20, choices=Preset.choices)
    keep_existing = models.BooleanField(
        _("keep the dishes already planned"),
        default=True,
        help_text=_("Off: only locked dishes are kept and the rest is planned again."),
    )
    rule_set = models.ForeignKey(RuleSet, models.PROTECT, related_name="plan_runs")
    max_cost_per_meal = models.DecimalField(
        _("budget per meal (€ HT)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A primary-school meal may not cost more; empty for no cap."),
    )
    changed_slots = models.PositiveIntegerField(_("courses filled"), default=0)

    class Meta(SolverRun.Meta):
        verbose_name = _("planning run")
        verbose_name_plural = _("planning runs")
        constraints = [
            # A second request for the same canteen and period joins the running one.
            models.UniqueConstraint(
                fields=["canteen", "start", "end"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_active_plan_run_per_period",
            )
        ]

    def __str__(self):
        return f"{self.canteen} · {self.start} → {self.end} · {self.get_status_display()}"

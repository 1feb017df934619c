"""Menus: what a kitchen serves on each day, and the optimiser runs that filled them.

Menus belong to the canteen that plans them: a central kitchen plans once for all its
satellites (domain.md §1). A meal holds at most one dish per course.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.models import Canteen, Region
from cantine.solver_runs import SolverRun
from nutrition.models import Component, Dish, Food, RuleSet, validate_months


class SchoolZone(models.TextChoices):
    """The school calendar a kitchen follows (``menus.school_calendar``)."""

    A = "A", _("Zone A")
    B = "B", _("Zone B")
    C = "C", _("Zone C")
    CORSE = "corse", _("Corsica")
    GUADELOUPE = "guadeloupe", _("Guadeloupe")
    MARTINIQUE = "martinique", _("Martinique")
    GUYANE = "guyane", _("French Guiana")
    REUNION = "reunion", _("Réunion")
    MAYOTTE = "mayotte", _("Mayotte")
    NONE = "none", _("Open during school holidays")


class CanteenCalendar(models.Model):
    """What closes a kitchen besides the days the cook closes: its school zone, holidays.

    No row means the defaults: a school, a central kitchen or a satellite follows the zone
    of its département's académie; every canteen but a care home closes on public holidays.
    """

    canteen = models.OneToOneField(
        Canteen, models.CASCADE, primary_key=True, related_name="school_calendar"
    )
    school_zone = models.CharField(
        _("school holidays"),
        max_length=12,
        choices=SchoolZone.choices,
        blank=True,
        help_text=_("Empty: the zone of the canteen's département."),
    )
    open_on_public_holidays = models.BooleanField(
        _("open on public holidays"), null=True, blank=True, help_text=_("Empty: by its kind.")
    )

    class Meta:
        verbose_name = _("canteen calendar")
        verbose_name_plural = _("canteen calendars")

    def __str__(self):
        return str(self.canteen)


class SchoolHolidayPeriod(models.Model):
    """School holidays of a zone imported from the Ministry's official calendar export.

    Zones A, B and C come with the ``vacances-scolaires-france`` package; Corse and the
    overseas académies (and years the package lacks) come from here.
    """

    zone = models.CharField(_("zone"), max_length=12, choices=SchoolZone.choices)
    name = models.CharField(_("name"), max_length=100)
    first_day = models.DateField(_("first day without class"))
    last_day = models.DateField(_("last day without class"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["zone", "first_day"]
        verbose_name = _("school holidays")
        verbose_name_plural = _("school holidays")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "name", "first_day"], name="one_school_holiday_period"
            ),
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")),
                name="school_holiday_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.zone}) {self.first_day} → {self.last_day}"


class Closure(models.TextChoices):
    """Why the cook closed a day the school calendar keeps open."""

    BRIDGE = "bridge", _("bridge day")
    STRIKE = "strike", _("strike")
    TRIP = "trip", _("school trip")
    HOLIDAY = "holiday", _("holiday")
    OTHER = "other", _("other")


class Meal(models.Model):
    """One lunch service of a kitchen on one day."""

    canteen = models.ForeignKey(Canteen, models.CASCADE, related_name="meals")
    date = models.DateField(_("date"))
    closed = models.BooleanField(
        _("closed"), default=False, help_text=_("No service that day (holiday, strike...).")
    )
    closure = models.CharField(_("why closed"), max_length=10, choices=Closure.choices, blank=True)
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
    aim_shares = models.BooleanField(
        _("aim at the EGalim targets"),
        default=False,
        help_text=_("The plan buys at least 50 % EGalim products, of which 20 % organic."),
    )
    changed_slots = models.PositiveIntegerField(_("courses filled"), default=0)
    # A menu repair (a product nobody can deliver): {"food": id, "food_name": ..., "dates":
    # [ISO dates of the meals to re-plan], "order": pk, "line": pk}; empty for a plain run.
    repair = models.JSONField(_("menu repair"), default=dict, blank=True)
    # A term or a school year (``menus.services.is_long_plan``) is planned part by part:
    # how many of its open meals are planned so far, and the best gap of those to their bound.
    meals_planned = models.PositiveIntegerField(_("meals planned"), default=0)
    meals_total = models.PositiveIntegerField(_("meals to plan"), default=0)
    best_gap = models.FloatField(_("best gap so far"), null=True, blank=True)

    RETRY_RESETS = {"meals_planned": 0, "meals_total": 0, "best_gap": None}

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

    @property
    def best_gap_percent(self) -> float | None:
        return None if self.best_gap is None else 100 * self.best_gap

    @property
    def gap_percent(self) -> float | None:
        """The plan's distance to its bound, in % of its objective (0 when proven best)."""
        gap = self.gap
        return None if gap is None else 100 * gap


class RegionalSeason(models.Model):
    """The months a fruit or vegetable is in season in one region, set by the dietitian.

    Without a row a food keeps its national months (``Food.season_months``, loaded from the
    seasons table shipped with the CIQUAL import); a region's row replaces them there.
    """

    region = models.ForeignKey(Region, models.CASCADE, related_name="seasons")
    food = models.ForeignKey(Food, models.CASCADE, related_name="regional_seasons")
    months = models.JSONField(_("months in season"), validators=[validate_months])

    class Meta:
        ordering = ["region", "food__name"]
        verbose_name = _("regional season")
        verbose_name_plural = _("regional seasons")
        constraints = [
            models.UniqueConstraint(fields=["region", "food"], name="one_season_per_region")
        ]

    def __str__(self):
        return f"{self.food} · {self.region}"


class MenuPolicy(models.Model):
    """How a rule set treats produce out of season when menus are planned."""

    class Season(models.TextChoices):
        OFF = "off", _("No season rule")
        REQUIRE = "require", _("In-season produce only")
        PREFER = "prefer", _("Prefer in-season produce")

    rule_set = models.OneToOneField(
        RuleSet, models.CASCADE, primary_key=True, related_name="menu_policy"
    )
    season = models.CharField(
        _("seasons"), max_length=10, choices=Season.choices, default=Season.OFF
    )
    season_weight = models.DecimalField(
        _("cost of a dish out of season (€)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0)],
        help_text=_("With 'prefer': the planner pays this much to serve a dish out of season."),
    )

    class Meta:
        verbose_name = _("menu policy")
        verbose_name_plural = _("menu policies")

    def __str__(self):
        return str(self.rule_set)


class VarietyRule(models.Model):
    """A variety rule of a rule set, over dish families (``menus.variety``)."""

    class Kind(models.TextChoices):
        NOT_CONSECUTIVE = "not_consecutive", _("not two meals running")
        MAX_PER_WEEK = "max_per_week", _("at most so many times a week")
        WEEK_OVERLAP = "week_overlap", _("at most this % of dishes shared by two weeks")

    class Family(models.TextChoices):
        PROTEIN = "protein", _("main protein")
        STARCH = "starch", _("starch")
        NONE = "", _("every dish")

    rule_set = models.ForeignKey(RuleSet, models.CASCADE, related_name="variety_rules")
    code = models.CharField(_("code"), max_length=30)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    family = models.CharField(_("family"), max_length=10, choices=Family.choices, blank=True)
    limit = models.PositiveSmallIntegerField(_("limit"), default=1)

    class Meta:
        ordering = ["rule_set", "code"]
        verbose_name = _("variety rule")
        verbose_name_plural = _("variety rules")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="one_variety_rule_code")
        ]

    def __str__(self):
        return f"{self.code} · {self.get_kind_display()}"

    def clean(self):
        if self.kind != self.Kind.WEEK_OVERLAP and not self.family:
            raise ValidationError({"family": _("Choose the family the rule is about.")})
        if self.kind == self.Kind.WEEK_OVERLAP and self.limit > 100:
            raise ValidationError({"limit": _("A share is at most 100 %.")})

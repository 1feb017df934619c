"""Reads for the menu calendar: weeks of meals, their figures, and live rule compliance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch

from cantine.dates import week_start
from cantine.models import Canteen
from cantine.search import matching
from cantine.solver_runs import fresh
from menus import seasons, variety
from menus.catalogue_cache import cached_catalogue
from menus.closures import DayOff, closure_text, days_off
from menus.instances import (
    COMPONENTS,
    context_length,
    family_rules,
    planner_rules,
    served,
    served_after,
)
from menus.models import Meal, MealDish, PlanRun
from nutrition import mealplan
from nutrition.compliance import ComplianceReport, check_meals
from nutrition.models import Dish, DishTag, NutrientBound, RuleSet
from nutrition.selectors import (
    DishEconomics,
    dish_economics,
    portion_nutrients,
    recipe_ingredients,
)


@dataclass
class Day:
    date: date
    meal: Meal | None
    courses: dict[str, MealDish] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # rule codes failing in windows with it
    economics: dict[int, DishEconomics] = field(default_factory=dict, repr=False)
    day_off: DayOff | None = None  # a public or school holiday of the kitchen
    # course -> its products out of season that day ("Tomate, crue")
    out_of_season: dict[str, list[str]] = field(default_factory=dict)

    @property
    def closed_because(self) -> str:
        """Why no meal is served, for the calendar ("Vacances de Noël (zone B)")."""
        if self.meal is not None and not self.meal.closed:
            return ""
        if self.meal is None and self.day_off is None:
            return ""
        return closure_text(self.meal, self.day_off) if self.meal else self.day_off.label

    def _priced(self) -> list[DishEconomics] | None:
        values = [self.economics.get(c.dish_id) for c in self.courses.values()]
        if not values or any(v is None or v.cost is None for v in values):
            return None
        return values

    @property
    def cost(self) -> Decimal | None:
        """€ HT of one primary-school meal, unknown while a dish has no price."""
        priced = self._priced()
        return sum((v.cost for v in priced), Decimal(0)) if priced else None

    def _share(self, attribute: str) -> float | None:
        priced = self._priced()
        if not priced:
            return None
        total = float(sum((v.cost for v in priced), Decimal(0))) or 1.0
        return sum(float(v.cost) * getattr(v, attribute) for v in priced) / total

    @property
    def local_share(self) -> float | None:
        return self._share("local_share")

    @property
    def organic_share(self) -> float | None:
        return self._share("organic_share")

    @property
    def open(self) -> bool:
        return self.meal is not None and not self.meal.closed

    @property
    def complete(self) -> bool:
        return all(c in self.courses for c in COMPONENTS)

    @property
    def vegetarian(self) -> bool:
        main = self.courses.get("main")
        return bool(main and main.dish.is_vegetarian)

    @property
    def co2e(self) -> float | None:
        """kg CO2e of one meal (per portion) from the dishes whose footprint is known."""
        values = [c.dish.co2e_per_portion for c in self.courses.values()]
        known = [v for v in values if v is not None]
        return float(sum(known)) if known else None

    @property
    def co2e_complete(self) -> bool:
        return all(c.dish.co2e_per_portion is not None for c in self.courses.values())

    def slots(self):
        return [(component, self.courses.get(component)) for component in COMPONENTS]


@dataclass
class Week:
    monday: date
    days: list[Day]

    @property
    def vegetarian_meals(self) -> int:
        return sum(1 for d in self.days if d.open and d.vegetarian)

    @property
    def co2e_per_meal(self) -> float | None:
        return self._average("co2e")

    @property
    def co2e_complete(self) -> bool:
        return all(d.co2e_complete for d in self.days if d.open and d.courses)

    @property
    def cost_per_meal(self) -> float | None:
        return self._average("cost")

    @property
    def local_share(self) -> float | None:
        return self._average("local_share")

    @property
    def organic_share(self) -> float | None:
        return self._average("organic_share")

    def _average(self, attribute: str) -> float | None:
        values = [getattr(d, attribute) for d in self.days if d.open and d.courses]
        if not values or any(v is None for v in values):
            return None
        return sum(float(v) for v in values) / len(values)


def calendar(
    canteen: Canteen, start: date, weeks: int, off: dict[date, DayOff] | None = None
) -> list[Week]:
    """Weeks x weekdays (Monday to Friday) with their meals and courses, in two queries.

    ``off``: the kitchen's days off over the weeks shown, when the caller already has them
    (``menus.closures.days_off``; the calendar page counts the days to open with them too)."""
    monday = week_start(start)
    end = monday + timedelta(days=7 * weeks - 1)
    courses = MealDish.objects.select_related("dish").prefetch_related(
        Prefetch("dish__tag_rows", queryset=DishTag.objects.filter(applies=True)),
        recipe_ingredients("dish__ingredients"),
    )
    meals = {
        m.date: m
        for m in Meal.objects.filter(canteen=canteen, date__range=(monday, end)).prefetch_related(
            Prefetch("courses", queryset=courses)
        )
    }
    off = days_off(canteen, monday, end) if off is None else off
    served = {c.dish for m in meals.values() for c in m.courses.all()}
    economics = dish_economics(list(served), canteen) if served else {}
    months = seasons.months_by_food(seasons.region_of(canteen), served)
    result = []
    for index in range(weeks):
        week_monday = monday + timedelta(days=7 * index)
        days = []
        for offset in range(5):
            day = week_monday + timedelta(days=offset)
            meal = meals.get(day)
            day_courses = {c.component: c for c in meal.courses.all()} if meal else {}
            late = {
                component: foods
                for component, course in day_courses.items()
                if (foods := seasons.out_of_season_foods(course.dish, day.month, months))
            }
            days.append(
                Day(
                    day,
                    meal,
                    day_courses,
                    economics=economics,
                    day_off=off.get(day),
                    out_of_season=late,
                )
            )
        result.append(Week(week_monday, days))
    return result


# Meals read before a period for the variety rules ("not the same family two days running",
# "a family at most once in ten meals"), when the rule set's own windows are shorter.
VARIETY_HISTORY = 10


@dataclass(frozen=True)
class ServedPeriod:
    """The meals served in a period and around it, read once for every check of a page.

    ``past`` holds the open meals just before the period (planned or not, oldest first) so
    that each check takes as many as its rules look back, counting as ``history_before`` does.
    """

    past: list[Meal]
    meals: list[mealplan.ServedMeal]
    after: list[mealplan.ServedMeal]

    def history(self, meals: int) -> list[mealplan.ServedMeal]:
        """The served meals among the last ``meals`` open ones before the period."""
        if meals <= 0:
            return []
        return [served(m) for m in self.past[-meals:] if m.courses.all()]


def served_period(canteen: Canteen, start: date, end: date, rule_set: RuleSet) -> ServedPeriod:
    """What ``compliance`` and ``variety_failures`` read, in three queries for both."""
    context = context_length(rule_set)
    past = (
        Meal.objects.filter(canteen=canteen, date__lt=start, closed=False)
        .prefetch_related("courses")
        .order_by("-date")[: max(context, VARIETY_HISTORY)]
    )
    meals = [
        served(m)
        for m in Meal.objects.filter(canteen=canteen, date__range=(start, end), closed=False)
        .prefetch_related("courses")
        .order_by("date")
        if m.courses.all()
    ]
    return ServedPeriod(list(reversed(past)), meals, served_after(canteen, end, context))


def compliance(
    canteen: Canteen,
    start: date,
    end: date,
    rule_set: RuleSet,
    dishes: dict[str, mealplan.Dish] | None = None,
    period: ServedPeriod | None = None,
) -> ComplianceReport:
    """Rule compliance of the meals served in [start, end].

    The meals just before and just after fill the 20-meal windows around the period, so a
    week looked at alone is judged within its month, as the rules mean. ``dishes`` (the
    kitchen's ``catalogue``) and ``period`` (``served_period``) are given when the caller
    already has them: the calendar reads them once for compliance and variety.
    """
    period = period or served_period(canteen, start, end, rule_set)
    history = period.history(context_length(rule_set))
    return check_meals(
        history + period.meals + period.after,
        cached_catalogue(canteen) if dishes is None else dishes,
        planner_rules(rule_set),
        rule_set.vegetarian_per_week or 0,
        rule_set.min_meals_between_repeats or 0,
        checked_from=len(history),
        checked_until=len(history) + len(period.meals),
    )


def variety_failures(
    canteen: Canteen,
    start: date,
    end: date,
    rule_set: RuleSet,
    dishes: dict[str, mealplan.Dish] | None = None,
    period: ServedPeriod | None = None,
) -> list[variety.VarietyFailure]:
    """The rule set's variety rules over the meals served in [start, end] (with context)."""
    rules = family_rules(rule_set)
    if not rules:
        return []
    period = period or served_period(canteen, start, end, rule_set)
    history = period.history(max(context_length(rule_set), VARIETY_HISTORY))
    return variety.check_variety(
        history + period.meals,
        cached_catalogue(canteen) if dishes is None else dishes,
        rules,
        checked_from=len(history),
        checked_until=len(history) + len(period.meals),
    )


def out_of_season_served(weeks: list[Week]) -> list[tuple[date, str, list[str]]]:
    """(day, dish, products out of season) of every course the calendar shows."""
    return [
        (day.date, day.courses[component].dish.name, foods)
        for week in weeks
        for day in week.days
        for component, foods in day.out_of_season.items()
    ]


def mark_variety(weeks: list[Week], failures: list[variety.VarietyFailure]) -> None:
    """Name a failing variety rule next to the meals it is about (weeks: on their Mondays)."""
    days = {day.date: day for week in weeks for day in week.days if day.open}
    for failure in failures:
        dates = failure.dates[1:] if failure.rule.kind == "not_consecutive" else failure.dates
        for day_date in dates:
            day = days.get(day_date)
            if day is not None and failure.rule.id not in day.problems:
                day.problems.append(failure.rule.id)


def mark_problems(weeks: list[Week], report: ComplianceReport) -> None:
    """Name next to each meal the rules it breaks.

    Too many of a kind (a max): the meals carrying the tag in a failing window are the cause.
    Too few (a min): no single meal is at fault, so every meal of the failing window shows it.
    """
    days = [day for week in weeks for day in week.days if day.open and day.courses]
    for result in report.rules:
        counted = set(result.meals_counted)
        for failure in result.failures:
            too_many = failure.max is not None and failure.count > failure.max
            for day in days:
                inside = failure.start <= day.date <= failure.end
                at_fault = inside and (day.date in counted if too_many else True)
                if at_fault and result.rule.id not in day.problems:
                    day.problems.append(result.rule.id)
    by_date = {day.date: day for day in days}
    for repeat in report.repeats:
        day = by_date.get(repeat.dates[1])
        if day is not None:
            day.problems.append("repeat")
    failing_weeks = {
        w.dates[0] - timedelta(days=w.dates[0].weekday()) for w in report.vegetarian_weeks_failing
    }
    for week in weeks:
        if week.monday in failing_weeks:
            for day in week.days:
                if day.open and "vegetarian" not in day.problems:
                    day.problems.append("vegetarian")


def dish_choices(canteen: Canteen, component: str, search: str = "", limit: int = 30):
    """Dishes of the kitchen's catalogue for one course, matching the words typed."""
    dishes = Dish.objects.filter(kitchen=canteen, component=component)
    return matching(dishes, search).order_by("name")[:limit]


def latest_run(canteen: Canteen, start: date, end: date) -> PlanRun | None:
    """The last run that planned the period (its own, or a term or year that holds it); one
    whose worker died reads as failed (``solver_runs.fresh``)."""
    runs = PlanRun.objects.filter(canteen=canteen, start__lte=start, end__gte=end)
    return fresh(runs.first())


@dataclass
class NutrientResult:
    """One per-meal bound of the rule set over the period: which meals miss it."""

    bound: NutrientBound
    meals: int = 0
    failing: list[tuple[date, Decimal]] = field(default_factory=list)
    unknown: list[date] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failing


def nutrient_check(
    canteen: Canteen, start: date, end: date, rule_set: RuleSet
) -> list[NutrientResult]:
    """Each meal's intake (sum of its dishes' portions) against the per-meal bounds."""
    bounds = list(rule_set.nutrient_bounds.all())
    if not bounds:
        return []
    meals = list(
        Meal.objects.filter(canteen=canteen, date__range=(start, end), closed=False)
        .prefetch_related("courses")
        .order_by("date")
    )
    dishes = list(Dish.objects.filter(servings__meal__in=meals).distinct())
    keys = sorted({b.nutrient for b in bounds})
    per_age = {age: portion_nutrients(dishes, age, keys) for age in {b.age_group for b in bounds}}
    results = []
    for bound in bounds:
        result = NutrientResult(bound)
        portions = per_age[bound.age_group]
        for meal in meals:
            courses = meal.courses.all()
            if not courses:
                continue
            result.meals += 1
            values = [portions[c.dish_id][bound.nutrient] for c in courses]
            if any(v is None for v in values):
                result.unknown.append(meal.date)
                continue
            total = sum(values, Decimal(0)).quantize(Decimal("0.1"))
            too_low = bound.min is not None and total < bound.min
            too_high = bound.max is not None and total > bound.max
            if too_low or too_high:
                result.failing.append((meal.date, total))
        results.append(result)
    return results

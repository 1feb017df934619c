"""GEMRCN compliance checker: frequency rules over sliding windows, vegetarian weeks, repeats.

Pure and fast (prefix sums, one pass per rule) so that the web app can re-check a whole year
of menus on every edit. The planner uses it to verify its own output.

    python -m nutrition.compliance MEALS.json   # or '-' for stdin
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from nutrition.mealplan import Dish, Instance, InstanceError, Rule, ServedMeal, from_json


def N_(message: str) -> str:
    """Marks a message for the French catalogue (``make messages`` reads ``N_``); it is
    translated where it is shown, through ``translate``."""
    return message


# Plain names of the tags, for messages a cook or a dietitian reads (English message ids;
# ``translate`` gives them in the page's language, French first).
TAG_LABELS = {
    "raw_veg_fruit": N_("raw vegetables or fresh fruit"),
    "raw_fruit_dessert": N_("raw fruit as dessert"),
    "cooked_veg": N_("cooked vegetables"),
    "starch_pulses": N_("starches, pulses or cereals"),
    "cheese_ca_150": N_("calcium-rich cheese (≥ 150 mg)"),
    "cheese_ca_100_150": N_("cheese with 100–150 mg of calcium"),
    "dairy_ca100_fat5": N_("dairy with > 100 mg of calcium and < 5 g of fat"),
    "unground_red_meat": N_("unground red meat or offal"),
    "fish_70": N_("fish"),
    "low_protein_prep": N_("preparation with less than 70 % meat, fish or egg"),
    "fatty_entree": N_("fatty starter"),
    "fatty_dessert": N_("fatty dessert"),
    "fried": N_("fried or pre-fried product"),
    "low_pl_ratio": N_("fatty protein dish (P/F ≤ 1)"),
    "sweet_dessert": N_("sweet dessert"),
    "vegetarian": N_("vegetarian dish"),
    "veg_pulses_cereals": N_("vegetarian dish of pulses or cereals"),
    "veg_egg": N_("vegetarian egg dish"),
    "veg_cheese": N_("vegetarian cheese dish"),
    "veg_processed": N_("vegetarian dish of processed protein"),
}


def _untranslated(message: str) -> str:
    return message


# How messages are translated: the identity here (pure Python); the nutrition app sets
# Django's ``gettext`` when it is ready, so pages read them in their own language.
translate = _untranslated


def tag_label(tag: str) -> str:
    return translate(TAG_LABELS[tag]) if tag in TAG_LABELS else tag


def fr_date(day: date) -> str:
    return day.strftime("%d/%m")


def bounds_text(lo: int | None, hi: int | None) -> str:
    """'exactement 10', 'au moins 4', 'au plus 3', 'entre 2 et 5'."""
    if lo is not None and hi is not None:
        if lo == hi:
            return translate("exactly %(n)s") % {"n": lo}
        return translate("between %(lo)s and %(hi)s") % {"lo": lo, "hi": hi}
    if lo is not None:
        return translate("at least %(n)s") % {"n": lo}
    return translate("at most %(n)s") % {"n": hi}


def rule_text(rule: Rule) -> str:
    """A rule in plain words (French on a French page): 'au moins 4 repas avec poisson sur 20'."""
    return translate("%(bounds)s meals with %(tag)s out of %(window)s") % {
        "bounds": bounds_text(rule.min, rule.max),
        "tag": tag_label(rule.tag),
        "window": rule.window,
    }


@dataclass
class WindowFailure:
    start: date
    end: date
    count: int
    min: int | None
    max: int | None
    meals: int

    def to_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "count": self.count,
            "min": self.min,
            "max": self.max,
            "meals": self.meals,
        }


@dataclass
class RuleResult:
    rule: Rule
    worst_count: int
    best_count: int
    ok: bool
    windows_checked: int
    failures: list[WindowFailure] = field(default_factory=list)
    meals_counted: list[date] = field(default_factory=list)

    @property
    def windows_failing(self) -> int:
        return len(self.failures)

    def describe(self) -> str:
        """One sentence in the active language, naming the first failing window if any."""
        rule, label = self.rule, tag_label(self.rule.tag)
        if self.ok:
            return translate("%(rule)s met (%(text)s): %(count)s at worst.") % {
                "rule": rule.id,
                "text": rule_text(rule),
                "count": self.worst_count,
            }
        first = self.failures[0]
        needs = bounds_text(first.min, first.max)
        more = ""
        if len(self.failures) > 1:
            more = translate(" (and %(n)s other window(s))") % {"n": len(self.failures) - 1}
        return translate(
            "%(rule)s fails in the window from %(start)s to %(end)s: %(count)s meals with "
            "%(tag)s, %(needs)s needed%(more)s."
        ) % {
            "rule": rule.id,
            "start": fr_date(first.start),
            "end": fr_date(first.end),
            "count": first.count,
            "tag": label,
            "needs": needs,
            "more": more,
        }

    def to_dict(self) -> dict:
        return {
            "id": self.rule.id,
            "tag": self.rule.tag,
            "worst_count": self.worst_count,
            "best_count": self.best_count,
            "ok": self.ok,
            "windows_checked": self.windows_checked,
            "windows_failing": self.windows_failing,
            "failing_windows": [f.to_dict() for f in self.failures],
            "meals_counted": [d.isoformat() for d in self.meals_counted],
            "description": self.describe(),
        }


@dataclass
class VegetarianWeek:
    week: str  # ISO week, e.g. "2027-W01"
    vegetarian_meals: int
    required: int
    dates: list[date]

    def describe(self) -> str:
        return translate(
            "Week %(week)s (%(start)s to %(end)s): %(count)s vegetarian meal(s), at least "
            "%(required)s needed."
        ) % {
            "week": self.week,
            "start": fr_date(self.dates[0]),
            "end": fr_date(self.dates[-1]),
            "count": self.vegetarian_meals,
            "required": self.required,
        }

    def to_dict(self) -> dict:
        return {
            "week": self.week,
            "vegetarian_meals": self.vegetarian_meals,
            "required": self.required,
            "dates": [d.isoformat() for d in self.dates],
        }


@dataclass
class Repeat:
    dish: str
    dates: list[date]
    meals_apart: int

    def describe(self, dishes: dict[str, Dish] | None = None) -> str:
        name = dishes[self.dish].name if dishes and self.dish in dishes else self.dish
        return translate(
            "“%(name)s” comes back on %(second)s, only %(apart)s meals after %(first)s."
        ) % {
            "name": name,
            "second": fr_date(self.dates[1]),
            "apart": self.meals_apart,
            "first": fr_date(self.dates[0]),
        }

    def to_dict(self) -> dict:
        return {
            "dish": self.dish,
            "dates": [d.isoformat() for d in self.dates],
            "meals_apart": self.meals_apart,
        }


@dataclass
class ComplianceReport:
    meals: int
    rules: list[RuleResult]
    vegetarian_weeks_failing: list[VegetarianWeek]
    repeats: list[Repeat]
    dishes: dict[str, Dish] = field(default_factory=dict, repr=False)  # to name dishes

    @property
    def ok(self) -> bool:
        rules_ok = all(r.ok for r in self.rules)
        return rules_ok and not self.vegetarian_weeks_failing and not self.repeats

    def rule(self, rule_id: str) -> RuleResult:
        return next(r for r in self.rules if r.rule.id == rule_id)

    def describe(self) -> list[str]:
        """Every problem as a French sentence (empty when the menus comply)."""
        lines = [r.describe() for r in self.rules if not r.ok]
        lines += [w.describe() for w in self.vegetarian_weeks_failing]
        lines += [r.describe(self.dishes) for r in self.repeats]
        return lines

    def to_dict(self) -> dict:
        return {
            "meals": self.meals,
            "ok": self.ok,
            "rules": [r.to_dict() for r in self.rules],
            "vegetarian_weeks_failing": [w.to_dict() for w in self.vegetarian_weeks_failing],
            "repeats": [r.to_dict() for r in self.repeats],
        }


# --------------------------------------------------------------------------- checking


def meal_tags(meal: ServedMeal, dishes: dict[str, Dish]) -> frozenset[str]:
    """Union of the served dishes' tags: a rule counts meals, not dishes."""
    tags: set[str] = set()
    for did in meal.dishes.values():
        tags |= dishes[did].effective_tags
    return frozenset(tags)


def _badness(count: int, lo: int | None, hi: int | None) -> tuple[int, float]:
    """Sort key: (violation, -slack). Larger is worse."""
    violation = max((lo - count) if lo is not None else 0, (count - hi) if hi is not None else 0, 0)
    slack = min(
        (count - lo) if lo is not None else float("inf"),
        (hi - count) if hi is not None else float("inf"),
    )
    return violation, -slack


def check_rule(
    rule: Rule,
    flags: Sequence[bool],
    dates: Sequence[date],
    checked_from: int = 0,
    checked_until: int | None = None,
) -> RuleResult:
    """Count `rule` over every window of the sequence that contains a checked meal.

    Meals before `checked_from` and from `checked_until` on are context: they fill the
    windows of the checked meals but are not judged on their own.
    """
    n = len(flags)
    until = n if checked_until is None else min(checked_until, n)
    prefix = [0] * (n + 1)
    for i, flag in enumerate(flags):
        prefix[i + 1] = prefix[i] + (1 if flag else 0)
    counted = [dates[i] for i in range(checked_from, until) if flags[i]]
    size = min(rule.window, n)
    lo, hi = rule.bounds_for(size)
    if checked_from >= until or n == 0:
        return RuleResult(rule, 0, 0, True, 0, [], counted)
    first_start = max(0, checked_from - size + 1)
    last_start = min(n - size, until - 1)
    worst = best = None
    failures: list[WindowFailure] = []
    for start in range(first_start, last_start + 1):
        count = prefix[start + size] - prefix[start]
        key = _badness(count, lo, hi)
        if worst is None or key > worst[0]:
            worst = (key, count)
        if best is None or key < best[0]:
            best = (key, count)
        if key[0] > 0:
            end = dates[start + size - 1]
            failures.append(WindowFailure(dates[start], end, count, lo, hi, size))
    windows = last_start + 1 - first_start
    return RuleResult(rule, worst[1], best[1], not failures, windows, failures, counted)


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def check_vegetarian_weeks(
    veg: Sequence[bool],
    dates: Sequence[date],
    per_week: int,
    checked_from: int = 0,
    checked_until: int | None = None,
) -> list[VegetarianWeek]:
    """ISO weeks (with a checked meal) short of vegetarian meals; a short week needs fewer."""
    if per_week <= 0:
        return []
    weeks: dict[str, list[int]] = {}
    for i, day in enumerate(dates):
        weeks.setdefault(iso_week(day), []).append(i)
    failing = []
    for week, idx in weeks.items():
        if idx[-1] < checked_from or (checked_until is not None and idx[0] >= checked_until):
            continue
        count = sum(1 for i in idx if veg[i])
        required = min(per_week, len(idx))
        if count < required:
            failing.append(VegetarianWeek(week, count, required, [dates[i] for i in idx]))
    return failing


def check_repeats(
    meals: Sequence[ServedMeal],
    spacing: int,
    checked_from: int = 0,
    checked_until: int | None = None,
) -> list[Repeat]:
    """Pairs of uses of one dish closer than `spacing` meals (involving a checked meal)."""
    until = len(meals) if checked_until is None else checked_until
    if spacing <= 1:
        return []
    last_seen: dict[str, int] = {}
    repeats = []
    for i, meal in enumerate(meals):
        for did in meal.dishes.values():
            j = last_seen.get(did)
            checked = i >= checked_from and j is not None and j < until
            if j is not None and i - j < spacing and checked:
                repeats.append(Repeat(did, [meals[j].date, meal.date], i - j))
            last_seen[did] = i
    return repeats


def check_meals(
    meals: Sequence[ServedMeal],
    dishes: dict[str, Dish],
    rules: Sequence[Rule],
    vegetarian_per_week: int = 0,
    min_meals_between_repeats: int = 0,
    checked_from: int = 0,
    checked_until: int | None = None,
) -> ComplianceReport:
    """Check the meals in [checked_from, checked_until); the others are context only."""
    until = len(meals) if checked_until is None else checked_until
    tags = [meal_tags(m, dishes) for m in meals]
    dates = [m.date for m in meals]
    results = [check_rule(r, [r.tag in t for t in tags], dates, checked_from, until) for r in rules]
    veg = ["main" in m.dishes and dishes[m.dishes["main"]].is_vegetarian_main for m in meals]
    weeks = check_vegetarian_weeks(veg, dates, vegetarian_per_week, checked_from, until)
    repeats = check_repeats(meals, min_meals_between_repeats, checked_from, until)
    return ComplianceReport(until - checked_from, results, weeks, repeats, dishes)


def check_history(instance: Instance) -> ComplianceReport:
    """The CLI's reading of an instance: every history meal is checked."""
    return check_meals(
        instance.history,
        instance.dishes,
        instance.rules,
        instance.vegetarian_per_week,
        instance.min_meals_between_repeats,
    )


def check_plan(instance: Instance, plan: Sequence[ServedMeal]) -> ComplianceReport:
    """Check planned meals with the instance's history as context (windows may span both)."""
    return check_meals(
        list(instance.history) + list(plan),
        instance.dishes,
        instance.rules,
        instance.vegetarian_per_week,
        instance.min_meals_between_repeats,
        checked_from=len(instance.history),
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m nutrition.compliance MEALS.json  (or - for stdin)", file=sys.stderr)
        return 2
    try:
        instance = from_json(args[0])
    except InstanceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    report = check_history(instance)
    json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Variety beyond exact repeats: dish families and the rules over them. Pure Python.

A school menu can meet every GEMRCN frequency and still serve chicken on Monday and
Tuesday, rice three times a week, or the same week twice in a month. The families here are
what a cook would call them: the main protein of a main course (beef, poultry, fish...) and
the starch of a side (pasta, rice, potatoes...). They are read from the dish's name and its
ingredients' names (the heaviest ingredient first), since CIQUAL composite dishes
("Lasagnes, préparées") carry no sub-group that says what they hold.

``check_variety`` judges served meals against ``FamilyRule``s (``nutrition.mealplan``); the
planner enforces the same rules as constraints (``menus.planner``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from nutrition.compliance import fr_date, iso_week
from nutrition.mealplan import Dish, FamilyRule, ServedMeal


def N_(message: str) -> str:
    """Marks a message for the French catalogue (``make messages`` reads ``N_``); it is
    translated where it is shown, through ``translate``."""
    return message


# (family value, pattern): the first pattern found in the dish name decides, else the first
# found in the ingredients' names, heaviest first.
PROTEINS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (value, re.compile(pattern, re.IGNORECASE))
    for value, pattern in (
        (
            "fish",
            r"poisson|cabillaud|colin|lieu|merlu|saumon|thon|maquereau|plie|sardine|"
            r"hoki|limande|truite|églefin|crevette|moule|calamar|paëlla|paella|surimi",
        ),
        ("poultry", r"poulet|volaille|dinde|canard|pintade|nugget|cordon bleu"),
        (
            "pork",
            r"porc|jambon|lardon|saucisse de toulouse|chipolata|rôti de porc|"
            r"knack|francfort|échine",
        ),
        ("lamb", r"agneau|mouton|gigot"),
        ("rabbit", r"lapin"),
        (
            "beef",
            r"bœuf|boeuf|veau|steak|bolognaise|paleron|rumsteck|merguez|hachis|"
            r"chili con carne|boulette|foie",
        ),
        ("egg", r"omelette|œuf|oeuf"),
        ("pulses", r"lentille|pois chiche|haricot|dahl|dal\b|falafel|chili sin carne|fève"),
        ("plant", r"tofu|tempeh|seitan|soja"),
        ("cheese", r"fromage|raviolis? au fromage"),
        ("cereal", r"galette de céréales|céréales|quinoa|boulgour"),
    )
)
STARCHES: tuple[tuple[str, re.Pattern], ...] = tuple(
    (value, re.compile(pattern, re.IGNORECASE))
    for value, pattern in (
        (
            "pasta",
            r"pâte|pates|spaghetti|macaroni|penne|coquillette|tagliatelle|torsade|"
            r"fusilli|lasagne|ravioli",
        ),
        ("rice", r"\briz\b"),
        (
            "potato",
            r"pomme de terre|pommes de terre|frite|purée|pommes noisettes|potatoes|"
            r"gratin dauphinois|patate",
        ),
        ("semolina", r"semoule|couscous"),
        ("cereal", r"boulgour|quinoa|\bblé\b|polenta|épeautre|orge"),
        ("pulses", r"lentille|haricots? blancs?|pois chiches?|flageolet|haricots? rouges?"),
    )
)
FAMILY_LABELS = {
    "protein": N_("main protein"),
    "starch": N_("starch"),
}
VALUE_LABELS = {
    "fish": N_("fish"),
    "poultry": N_("poultry"),
    "pork": N_("pork"),
    "lamb": N_("lamb"),
    "rabbit": N_("rabbit"),
    "beef": N_("beef or veal"),
    "egg": N_("egg"),
    "pulses": N_("pulses"),
    "plant": N_("plant protein"),
    "cheese": N_("cheese"),
    "cereal": N_("cereals"),
    "pasta": N_("pasta"),
    "rice": N_("rice"),
    "potato": N_("potatoes"),
    "semolina": N_("semolina"),
}
# Shipped defaults, the way a dietitian states them (a rule set may change or drop each).
DEFAULT_RULES = (
    FamilyRule("variety-protein", "not_consecutive", "protein", 1),
    FamilyRule("variety-starch", "max_per_week", "starch", 2),
    FamilyRule("variety-weeks", "week_overlap", "", 50),
)


def _first(patterns, texts: Sequence[str]) -> str | None:
    for text in texts:
        for value, pattern in patterns:
            if pattern.search(text):
                return value
    return None


def dish_families(component: str, name: str, ingredients: Sequence[str]) -> tuple:
    """Families of a dish from its name and its ingredients' names (heaviest first)."""
    texts = [name, *ingredients]
    if component == "main":
        value = _first(PROTEINS, texts)
        return (("protein", value),) if value else ()
    if component == "side":
        value = _first(STARCHES, texts)
        return (("starch", value),) if value else ()
    return ()


def _untranslated(message: str) -> str:
    return message


# How messages are translated: the identity here (pure Python); the menus app sets Django's
# ``gettext`` when it is ready, so pages read them in their own language.
translate = _untranslated


def value_label(value: str) -> str:
    return translate(VALUE_LABELS[value]) if value in VALUE_LABELS else value


def rule_text(rule: FamilyRule) -> str:
    """A variety rule in plain words, in the active language."""
    family = translate(FAMILY_LABELS[rule.family]) if rule.family in FAMILY_LABELS else rule.family
    if rule.kind == "not_consecutive":
        return translate("not the same %(family)s two meals in a row") % {"family": family}
    if rule.kind == "max_per_week":
        return translate("the same %(family)s at most %(limit)s times a week") % {
            "family": family,
            "limit": rule.limit,
        }
    return translate("two weeks share at most %(limit)s %% of their dishes") % {"limit": rule.limit}


@dataclass
class VarietyFailure:
    rule: FamilyRule
    dates: list[date]
    what: str  # the family value, or the number of dishes shared

    def describe(self) -> str:
        what = value_label(self.what).capitalize()
        if self.rule.kind == "not_consecutive":
            return translate(
                "%(what)s two meals in a row, on %(first)s and %(second)s (%(rule)s)."
            ) % {
                "what": what,
                "first": fr_date(self.dates[0]),
                "second": fr_date(self.dates[1]),
                "rule": self.rule.id,
            }
        if self.rule.kind == "max_per_week":
            return translate(
                "%(what)s %(count)s times in the week of %(first)s (%(days)s), at most "
                "%(limit)s (%(rule)s)."
            ) % {
                "what": what,
                "count": len(self.dates),
                "first": fr_date(self.dates[0]),
                "days": ", ".join(fr_date(d) for d in self.dates),
                "limit": self.rule.limit,
                "rule": self.rule.id,
            }
        return translate(
            "The weeks of %(first)s and %(second)s share %(count)s dishes, more than "
            "%(limit)s %% (%(rule)s)."
        ) % {
            "first": fr_date(self.dates[0]),
            "second": fr_date(self.dates[1]),
            "count": self.what,
            "limit": self.rule.limit,
            "rule": self.rule.id,
        }


def week_share_cap(limit_pct: int, dishes_a: int, dishes_b: int) -> int:
    """Most dishes two weeks may share: ``limit_pct`` % of the smaller week, rounded down."""
    return (limit_pct * min(dishes_a, dishes_b)) // 100


def check_variety(
    meals: Sequence[ServedMeal],
    dishes: dict[str, Dish],
    rules: Sequence[FamilyRule],
    checked_from: int = 0,
    checked_until: int | None = None,
) -> list[VarietyFailure]:
    """Failures of the variety rules that involve a checked meal."""
    until = len(meals) if checked_until is None else checked_until
    failures: list[VarietyFailure] = []
    for rule in rules:
        if rule.kind == "not_consecutive":
            failures += _consecutive(meals, dishes, rule, checked_from, until)
        elif rule.kind == "max_per_week":
            failures += _per_week(meals, dishes, rule, checked_from, until)
        elif rule.kind == "week_overlap":
            failures += _overlap(meals, rule, checked_from, until)
    return failures


def _values(meal: ServedMeal, dishes: dict[str, Dish], key: str) -> set[str]:
    return {v for d in meal.dishes.values() if (v := dishes[d].family(key))}


def _consecutive(meals, dishes, rule, lo, hi) -> list[VarietyFailure]:
    out = []
    for i in range(max(1, lo), min(hi + 1, len(meals))):
        same = _values(meals[i - 1], dishes, rule.family) & _values(meals[i], dishes, rule.family)
        for value in sorted(same):
            out.append(VarietyFailure(rule, [meals[i - 1].date, meals[i].date], value))
    return out


def _weeks(meals) -> dict[str, list[int]]:
    weeks: dict[str, list[int]] = {}
    for i, meal in enumerate(meals):
        weeks.setdefault(iso_week(meal.date), []).append(i)
    return weeks


def _per_week(meals, dishes, rule, lo, hi) -> list[VarietyFailure]:
    out = []
    for idx in _weeks(meals).values():
        if idx[-1] < lo or idx[0] >= hi:
            continue
        days: dict[str, list[date]] = {}
        for i in idx:
            for value in _values(meals[i], dishes, rule.family):
                days.setdefault(value, []).append(meals[i].date)
        for value, dates in sorted(days.items()):
            if len(dates) > rule.limit:
                out.append(VarietyFailure(rule, dates, value))
    return out


def _overlap(meals, rule, lo, hi) -> list[VarietyFailure]:
    out = []
    weeks = list(_weeks(meals).values())
    served = [[d for i in idx for d in meals[i].dishes.values()] for idx in weeks]
    for a in range(len(weeks)):
        for b in range(a + 1, len(weeks)):
            checked = any(lo <= i < hi for i in weeks[a] + weeks[b])
            if not checked:
                continue
            shared = len(set(served[a]) & set(served[b]))
            if shared > week_share_cap(rule.limit, len(served[a]), len(served[b])):
                first, second = meals[weeks[a][0]].date, meals[weeks[b][0]].date
                out.append(VarietyFailure(rule, [first, second], str(shared)))
    return out

"""The menu-planning instance: plain dataclasses shared by the checker and the planner.

The JSON contract lives in shared/specs/solver-interfaces.md. `parse_instance` validates a
decoded JSON document and reports *every* problem at once (with its JSON path) so a cook
fixing a file does not have to iterate one error at a time.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from nutrition import shares

COMPONENTS = ("entree", "main", "side", "dairy", "dessert")
VEGETARIAN_TAG = "vegetarian"


class InstanceError(ValueError):
    """A malformed instance; `problems` lists every problem, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Dish:
    id: str
    name: str
    component: str
    tags: frozenset[str]
    vegetarian: bool = False
    cost: float = 0.0
    local_share: float = 0.0
    co2e: float = 0.0
    # Dish families for the variety rules, e.g. (("protein", "beef"),) or (("starch", "rice"),)
    families: tuple[tuple[str, str], ...] = ()
    # Euros of `cost` bought organic / EGalim-labelled (organic counts in EGalim): see shares.
    organic_cost: float = 0.0
    egalim_cost: float = 0.0

    def family(self, key: str) -> str | None:
        return next((value for k, value in self.families if k == key), None)

    @property
    def effective_tags(self) -> frozenset[str]:
        """Tags plus the implicit `vegetarian` tag of vegetarian mains (spec convention)."""
        if self.vegetarian and self.component == "main":
            return self.tags | {VEGETARIAN_TAG}
        return self.tags

    @property
    def is_vegetarian_main(self) -> bool:
        return self.component == "main" and VEGETARIAN_TAG in self.effective_tags


@dataclass(frozen=True)
class Rule:
    id: str
    tag: str
    min: int | None = None
    max: int | None = None
    window: int = 20

    def bounds_for(self, n_meals: int) -> tuple[int | None, int | None]:
        """Bounds over a run of `n_meals` < window: scaled down, floor for min, ceil for max."""
        if n_meals >= self.window:
            return self.min, self.max
        lo = None if self.min is None else math.floor(self.min * n_meals / self.window)
        hi = None if self.max is None else math.ceil(self.max * n_meals / self.window)
        return lo, hi


@dataclass(frozen=True)
class Meal:
    """A meal to plan: its date, optional component override and locked dishes.

    ``out_of_season``: the dishes holding a fruit or vegetable out of season that day.
    ``unavailable``: the dishes that cannot be bought for this meal (a product no producer can
    deliver that week): never planned unless locked.
    ``local_supply``: per dish, the share (0-1) of its ingredients the canteen's local
    producers can deliver that week within their capacity; where given, it replaces the
    dish's ``local_share`` in this meal's objective (a "most local" plan follows supply).
    """

    date: date
    locked: dict[str, str] = field(default_factory=dict)
    components: tuple[str, ...] | None = None
    out_of_season: frozenset[str] = frozenset()
    unavailable: frozenset[str] = frozenset()
    local_supply: dict[str, float] | None = None

    def local_share_of(self, dish: Dish) -> float:
        """The local share this meal rewards for ``dish`` (its supply, else the dish's own)."""
        if self.local_supply is not None and dish.id in self.local_supply:
            return self.local_supply[dish.id]
        return dish.local_share


FAMILY_RULE_KINDS = ("not_consecutive", "max_per_week", "week_overlap")
SEASON_MODES = ("off", "require", "prefer")


@dataclass(frozen=True)
class FamilyRule:
    """A variety rule over dish families, beside the GEMRCN frequencies.

    - ``not_consecutive``: two meals running never share the same ``family`` value (the same
      main protein two days running);
    - ``max_per_week``: at most ``limit`` meals of an ISO week with one ``family`` value (a
      given starch at most twice a week);
    - ``week_overlap``: two weeks share at most ``limit`` % of the dishes of the smaller one
      (no week a copy of another).
    """

    id: str
    kind: str
    family: str = ""
    limit: int = 0


@dataclass(frozen=True)
class ServedMeal:
    """A meal whose dishes are known (history, or a plan to check)."""

    date: date
    dishes: dict[str, str]


@dataclass(frozen=True)
class Objective:
    cost: float = 1.0
    local_share: float = 0.0
    co2e: float = 0.0

    def score(self, dish: Dish, local_share: float | None = None) -> float:
        """Contribution of one dish to the minimised objective (local share is rewarded);
        ``local_share`` overrides the dish's own (a meal's ``local_supply``)."""
        local = dish.local_share if local_share is None else local_share
        return self.cost * dish.cost - self.local_share * local + self.co2e * dish.co2e


@dataclass
class Instance:
    components: tuple[str, ...]
    meals: list[Meal]
    history: list[ServedMeal]
    dishes: dict[str, Dish]
    rules: list[Rule]
    vegetarian_per_week: int = 0
    min_meals_between_repeats: int = 0
    max_cost_per_meal: float | None = None
    objective: Objective = field(default_factory=Objective)
    time_limit_s: float = 10.0
    family_rules: list[FamilyRule] = field(default_factory=list)
    # Produce out of season (each meal's ``out_of_season``): "require" forbids those dishes,
    # "prefer" adds ``season_weight`` (objective units) per dish served out of season.
    season_mode: str = "off"
    season_weight: float = 0.0
    share_targets: dict[str, float] | None = None  # {"organic": 0.2, "egalim": 0.5}

    def meal_components(self, meal: Meal) -> tuple[str, ...]:
        return meal.components if meal.components is not None else self.components

    def to_dict(self) -> dict[str, Any]:
        return {
            "components": list(self.components),
            "meals": [_meal_to_dict(m) for m in self.meals],
            "history": [
                {"date": h.date.isoformat(), "dishes": dict(h.dishes)} for h in self.history
            ],
            "dishes": [_dish_to_dict(d) for d in self.dishes.values()],
            "rules": [
                {"id": r.id, "tag": r.tag, "min": r.min, "max": r.max, "window": r.window}
                for r in self.rules
            ],
            "vegetarian_per_week": self.vegetarian_per_week,
            "min_meals_between_repeats": self.min_meals_between_repeats,
            "max_cost_per_meal": self.max_cost_per_meal,
            "objective": {
                "cost": self.objective.cost,
                "local_share": self.objective.local_share,
                "co2e": self.objective.co2e,
            },
            "time_limit_s": self.time_limit_s,
            "family_rules": [
                {"id": r.id, "kind": r.kind, "family": r.family, "limit": r.limit}
                for r in self.family_rules
            ],
            "season_mode": self.season_mode,
            "season_weight": self.season_weight,
            "share_targets": None if not self.share_targets else dict(self.share_targets),
        }


def _meal_to_dict(meal: Meal) -> dict[str, Any]:
    out: dict[str, Any] = {"date": meal.date.isoformat()}
    if meal.locked:
        out["locked"] = dict(meal.locked)
    if meal.components is not None:
        out["components"] = list(meal.components)
    if meal.out_of_season:
        out["out_of_season"] = sorted(meal.out_of_season)
    if meal.unavailable:
        out["unavailable"] = sorted(meal.unavailable)
    if meal.local_supply is not None:
        out["local_supply"] = dict(sorted(meal.local_supply.items()))
    return out


def _dish_to_dict(d: Dish) -> dict[str, Any]:
    return {
        "id": d.id,
        "name": d.name,
        "component": d.component,
        "tags": sorted(d.tags),
        "vegetarian": d.vegetarian,
        "cost": d.cost,
        "local_share": d.local_share,
        "co2e": d.co2e,
        **({"families": dict(d.families)} if d.families else {}),
        **({"organic_cost": d.organic_cost, "egalim_cost": d.egalim_cost} if d.egalim_cost else {}),
    }


def gemrcn_rules(window: int = 20, vegetarian: bool = True) -> list[Rule]:
    """Annex I of the arrêté du 30 septembre 2011, plus the CNRC 2020 vegetarian guidance."""
    rows = [
        ("gemrcn-1", "raw_veg_fruit", 10, None),
        ("gemrcn-2", "raw_fruit_dessert", 8, None),
        ("gemrcn-3", "cooked_veg", 10, 10),
        ("gemrcn-4", "starch_pulses", 10, 10),
        ("gemrcn-5", "cheese_ca_150", 8, None),
        ("gemrcn-6", "cheese_ca_100_150", 4, None),
        ("gemrcn-7", "dairy_ca100_fat5", 6, None),
        ("gemrcn-8", "unground_red_meat", 4, None),
        ("gemrcn-9", "fish_70", 4, None),
        ("gemrcn-10", "low_protein_prep", None, 3),
        ("gemrcn-11", "fatty_entree", None, 4),
        ("gemrcn-12", "fatty_dessert", None, 3),
        ("gemrcn-13", "fried", None, 4),
        ("gemrcn-14", "low_pl_ratio", None, 2),
        ("gemrcn-15", "sweet_dessert", None, 4),
    ]
    if vegetarian:
        rows += [
            ("cnrc-veg", "vegetarian", 4, None),
            ("cnrc-veg-pulses", "veg_pulses_cereals", 2, None),
            ("cnrc-veg-egg", "veg_egg", None, 1),
            ("cnrc-veg-cheese", "veg_cheese", None, 1),
            ("cnrc-veg-processed", "veg_processed", None, 1),
        ]
    return [Rule(rid, tag, lo, hi, window) for rid, tag, lo, hi in rows]


# --------------------------------------------------------------------------- parsing


class _Collector:
    """Accumulates problems so that parsing reports all of them, not just the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parse_date(value: Any, path: str, out: _Collector) -> date | None:
    if not isinstance(value, str):
        out.add(path, f"expected an ISO date string, got {value!r}")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        out.add(path, f"not an ISO date (YYYY-MM-DD): {value!r}")
        return None


def _parse_components(value: Any, path: str, out: _Collector) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        out.add(path, "expected a non-empty list of components")
        return None
    comps: list[str] = []
    for i, c in enumerate(value):
        if c not in COMPONENTS:
            out.add(f"{path}[{i}]", f"unknown component {c!r} (expected one of {COMPONENTS})")
        elif c in comps:
            out.add(f"{path}[{i}]", f"component {c!r} listed twice")
        else:
            comps.append(c)
    return tuple(comps)


def _parse_dish(raw: Any, path: str, out: _Collector) -> Dish | None:
    if not isinstance(raw, dict):
        out.add(path, "expected an object")
        return None
    ok = True
    did = raw.get("id")
    if not isinstance(did, str) or not did:
        out.add(f"{path}.id", "expected a non-empty string")
        ok = False
    comp = raw.get("component")
    if comp not in COMPONENTS:
        out.add(f"{path}.component", f"unknown component {comp!r} (expected one of {COMPONENTS})")
        ok = False
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        out.add(f"{path}.tags", "expected a list of strings")
        ok = False
    veg = raw.get("vegetarian", False)
    if not isinstance(veg, bool):
        out.add(f"{path}.vegetarian", f"expected true or false, got {veg!r}")
        ok = False
    numbers = {}
    for key in ("cost", "local_share", "co2e", "organic_cost", "egalim_cost"):
        value = raw.get(key, 0.0)
        if not _is_number(value) or value < 0:
            out.add(f"{path}.{key}", f"expected a number ≥ 0, got {value!r}")
            ok = False
        else:
            numbers[key] = float(value)
    if ok and numbers["local_share"] > 1:
        out.add(
            f"{path}.local_share", f"expected a share between 0 and 1, got {raw['local_share']}"
        )
        ok = False
    ok = ok and shares.check_dish_costs(numbers, path, out)
    name = raw.get("name", did)
    families = raw.get("families", {}) or {}
    if not isinstance(families, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in families.items()
    ):
        out.add(f"{path}.families", "expected an object mapping family to value")
        ok = False
    if not ok:
        return None
    return Dish(
        did, str(name), comp, frozenset(tags), veg, **numbers, families=tuple(families.items())
    )


def _parse_rule(raw: Any, path: str, out: _Collector) -> Rule | None:
    if not isinstance(raw, dict):
        out.add(path, "expected an object")
        return None
    ok = True
    rid, tag = raw.get("id"), raw.get("tag")
    for key, value in (("id", rid), ("tag", tag)):
        if not isinstance(value, str) or not value:
            out.add(f"{path}.{key}", "expected a non-empty string")
            ok = False
    window = raw.get("window", 20)
    if not _is_int(window) or window < 1:
        out.add(f"{path}.window", f"expected an integer ≥ 1, got {window!r}")
        ok = False
    lo, hi = raw.get("min"), raw.get("max")
    for key, value in (("min", lo), ("max", hi)):
        if value is not None and (not _is_int(value) or value < 0):
            out.add(f"{path}.{key}", f"expected null or an integer ≥ 0, got {value!r}")
            ok = False
    if ok and lo is None and hi is None:
        out.add(path, "a rule needs at least one of min and max")
        ok = False
    if ok and lo is not None and hi is not None and lo > hi:
        out.add(path, f"min {lo} is greater than max {hi}")
        ok = False
    if ok and lo is not None and lo > window:
        out.add(f"{path}.min", f"min {lo} exceeds the window of {window} meals")
        ok = False
    return Rule(rid, tag, lo, hi, window) if ok else None


def _parse_served(raw: Any, path: str, dishes: dict[str, Dish], out: _Collector):
    if not isinstance(raw, dict):
        out.add(path, "expected an object")
        return None
    day = _parse_date(raw.get("date"), f"{path}.date", out)
    served = raw.get("dishes")
    if not isinstance(served, dict):
        out.add(f"{path}.dishes", "expected an object mapping component to dish id")
        return None
    _check_dish_refs(served, f"{path}.dishes", dishes, out)
    return ServedMeal(day, dict(served)) if day else None


def _check_dish_refs(refs: dict, path: str, dishes: dict[str, Dish], out: _Collector) -> None:
    for comp, did in refs.items():
        if comp not in COMPONENTS:
            out.add(f"{path}", f"unknown component {comp!r}")
        elif did not in dishes:
            out.add(f"{path}.{comp}", f"unknown dish {did!r}")
        elif dishes[did].component != comp:
            out.add(
                f"{path}.{comp}", f"dish {did!r} is a {dishes[did].component!r}, not a {comp!r}"
            )


def _parse_meal(raw: Any, path: str, dishes: dict[str, Dish], default, out: _Collector):
    if not isinstance(raw, dict):
        out.add(path, "expected an object")
        return None
    day = _parse_date(raw.get("date"), f"{path}.date", out)
    comps = None
    if "components" in raw:
        comps = _parse_components(raw["components"], f"{path}.components", out)
    locked = raw.get("locked", {}) or {}
    if not isinstance(locked, dict):
        out.add(f"{path}.locked", "expected an object mapping component to dish id")
        return None
    _check_dish_refs(locked, f"{path}.locked", dishes, out)
    allowed = comps if comps is not None else default
    for comp in locked:
        if allowed is not None and comp in COMPONENTS and comp not in allowed:
            out.add(f"{path}.locked.{comp}", f"component {comp!r} is not served at this meal")
    avoid = raw.get("out_of_season", []) or []
    if not isinstance(avoid, list) or any(d not in dishes for d in avoid):
        out.add(f"{path}.out_of_season", "expected a list of known dish ids")
        avoid = []
    unavailable = raw.get("unavailable", []) or []
    if not isinstance(unavailable, list) or any(d not in dishes for d in unavailable):
        out.add(f"{path}.unavailable", "expected a list of known dish ids")
        unavailable = []
    supply = raw.get("local_supply")
    if supply is not None and not (
        isinstance(supply, dict)
        and all(d in dishes and _is_number(v) and 0 <= v <= 1 for d, v in supply.items())
    ):
        out.add(f"{path}.local_supply", "expected an object mapping known dish ids to 0..1")
        supply = None
    if supply is not None:
        supply = {d: float(v) for d, v in supply.items()}
    meal = Meal(day, dict(locked), comps, frozenset(avoid), frozenset(unavailable), supply)
    return meal if day else None


def _parse_family_rule(raw: Any, path: str, out: _Collector) -> FamilyRule | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        out.add(path, "expected an object with an id")
        return None
    kind, family, limit = raw.get("kind"), raw.get("family", ""), raw.get("limit", 0)
    if kind not in FAMILY_RULE_KINDS:
        out.add(f"{path}.kind", f"expected one of {FAMILY_RULE_KINDS}, got {kind!r}")
        return None
    if not isinstance(family, str) or (kind != "week_overlap" and not family):
        out.add(f"{path}.family", "expected the family the rule is about")
        return None
    if not _is_int(limit) or limit < 0:
        out.add(f"{path}.limit", f"expected an integer ≥ 0, got {limit!r}")
        return None
    return FamilyRule(raw["id"], kind, family, limit)


def _check_order(items: list, path: str, out: _Collector) -> None:
    for i in range(1, len(items)):
        if items[i].date < items[i - 1].date:
            out.add(f"{path}[{i}].date", f"{items[i].date} comes before the previous meal")


def _parse_settings(raw: dict, out: _Collector) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for key, default in (("vegetarian_per_week", 0), ("min_meals_between_repeats", 0)):
        value = raw.get(key, default)
        value = default if value is None else value
        if not _is_int(value) or value < 0:
            out.add(key, f"expected an integer ≥ 0, got {value!r}")
        settings[key] = value
    cap = raw.get("max_cost_per_meal")
    if cap is not None and (not _is_number(cap) or cap < 0):
        out.add("max_cost_per_meal", f"expected null or a number ≥ 0, got {cap!r}")
        cap = None
    settings["max_cost_per_meal"] = None if cap is None else float(cap)
    limit = raw.get("time_limit_s", 10)
    if not _is_number(limit) or limit <= 0:
        out.add("time_limit_s", f"expected a number > 0, got {limit!r}")
        limit = 10
    settings["time_limit_s"] = float(limit)
    obj = raw.get("objective", {}) or {}
    if not isinstance(obj, dict):
        out.add("objective", "expected an object with weights cost, local_share, co2e")
        obj = {}
    weights = {}
    for key, default in (("cost", 1.0), ("local_share", 0.0), ("co2e", 0.0)):
        value = obj.get(key, default)
        if not _is_number(value) or value < 0:
            out.add(f"objective.{key}", f"expected a number ≥ 0, got {value!r}")
            value = default
        weights[key] = float(value)
    unknown = set(obj) - set(weights)
    if unknown:
        out.add("objective", f"unknown weight(s) {sorted(unknown)}")
    settings["objective"] = Objective(**weights)
    mode = raw.get("season_mode", "off")
    if mode not in SEASON_MODES:
        out.add("season_mode", f"expected one of {SEASON_MODES}, got {mode!r}")
        mode = "off"
    weight = raw.get("season_weight", 0.0)
    if not _is_number(weight) or weight < 0:
        out.add("season_weight", f"expected a number ≥ 0, got {weight!r}")
        weight = 0.0
    settings["season_mode"], settings["season_weight"] = mode, float(weight)
    settings["share_targets"] = shares.parse_share_targets(raw.get("share_targets"), out)
    return settings


def parse_instance(raw: Any) -> Instance:
    """Validate a decoded JSON instance; raise InstanceError listing every problem."""
    out = _Collector()
    if not isinstance(raw, dict):
        raise InstanceError(["$: expected a JSON object"])
    components = _parse_components(raw.get("components", list(COMPONENTS)), "components", out)
    dishes: dict[str, Dish] = {}
    raw_dishes = raw.get("dishes")
    if not isinstance(raw_dishes, list):
        out.add("dishes", "expected a list of dishes")
        raw_dishes = []
    for i, rd in enumerate(raw_dishes):
        dish = _parse_dish(rd, f"dishes[{i}]", out)
        if dish is None:
            continue
        if dish.id in dishes:
            out.add(f"dishes[{i}].id", f"duplicate dish id {dish.id!r}")
        dishes[dish.id] = dish
    rules: list[Rule] = []
    raw_rules = raw.get("rules", [])
    if not isinstance(raw_rules, list):
        out.add("rules", "expected a list of rules")
        raw_rules = []
    for i, rr in enumerate(raw_rules):
        rule = _parse_rule(rr, f"rules[{i}]", out)
        if rule is not None:
            if any(r.id == rule.id for r in rules):
                out.add(f"rules[{i}].id", f"duplicate rule id {rule.id!r}")
            rules.append(rule)
    meals = _parse_list(raw, "meals", out, lambda r, p: _parse_meal(r, p, dishes, components, out))
    history = _parse_list(raw, "history", out, lambda r, p: _parse_served(r, p, dishes, out))
    _check_order(meals, "meals", out)
    _check_order(history, "history", out)
    if meals and history and history[-1].date > meals[0].date:
        out.add("history", f"the last history meal ({history[-1].date}) is after the first meal")
    settings = _parse_settings(raw, out)
    settings["family_rules"] = _parse_list(
        raw, "family_rules", out, lambda r, p: _parse_family_rule(r, p, out)
    )
    if out.problems:
        raise InstanceError(out.problems)
    return Instance(components, meals, history, dishes, rules, **settings)


def _parse_list(raw: dict, key: str, out: _Collector, parse_one) -> list:
    items = raw.get(key, [])
    if items is None:
        return []
    if not isinstance(items, list):
        out.add(key, "expected a list")
        return []
    parsed = [parse_one(item, f"{key}[{i}]") for i, item in enumerate(items)]
    return [p for p in parsed if p is not None]


def from_json(source: str | Path) -> Instance:
    """Load an instance from a path, or '-' for stdin; JSON syntax errors become InstanceError."""
    import sys

    try:
        text = sys.stdin.read() if str(source) == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InstanceError([f"{source}: cannot read file ({exc.strerror})"]) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InstanceError([f"{source}: invalid JSON at line {exc.lineno}: {exc.msg}"]) from None
    return parse_instance(raw)

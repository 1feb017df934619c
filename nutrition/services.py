"""Writes of the nutrition app: food imports, dishes and their tags, rule sets with history."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cantine.models import AgeGroup, Canteen
from cantine.search import search_key
from nutrition import ciqual, products
from nutrition.classification import (
    DishComposition,
    TagDecision,
    apply_overrides,
    contains_meat_or_fish,
)
from nutrition.classification import TagOverride as PureOverride
from nutrition.classification import classify as classify_composition
from nutrition.models import (
    NUTRIENT_KEYS,
    CanteenRuleSet,
    CookingYield,
    Dish,
    DishIngredient,
    DishTag,
    Food,
    FrequencyRule,
    NutrientBound,
    PortionSize,
    RuleSet,
    RuleSetChange,
    TagOverride,
)
from nutrition.portions import reference_age_group
from nutrition.presets import load_preset

# --- foods ------------------------------------------------------------------------------------


_SEASON_GROUPS = ("fruits, légumes, légumineuses et oléagineux",)


def _season_key(name: str) -> str:
    """The head noun of a name: 'Carottes, crues' and 'carotte' both give 'carotte'."""
    head = search_key(name).split(",")[0].strip()
    return " ".join(word.rstrip("sx") for word in head.split())


# Seasons are about fresh produce: canned, frozen, dried or processed foods keep none.
_NOT_FRESH = re.compile(
    r"appertis|surgel|\bsecs?\b|sèches?|séch|déshydrat|confit|préemballé|jus|compote|sirop|"
    r"conserve|lyophilis",
    re.IGNORECASE,
)


def season_months_by_code(foods: Iterable[ciqual.CiqualFood], seasons) -> dict[str, list[int]]:
    """Join the seasons file (by name) to fresh fruit and vegetables.

    A food takes the months of the longest season name its name starts with, word by word:
    "Tomate verte, crue" -> "tomate", "Pomme de terre, ..." -> "pomme de terre" (not "pomme").
    """
    by_key = {_season_key(name): sorted(months) for name, months in seasons.items()}
    result = {}
    for food in foods:
        if food.group_name not in _SEASON_GROUPS or _NOT_FRESH.search(food.name):
            continue
        words = _season_key(food.name).split()
        for length in range(len(words), 0, -1):
            months = by_key.get(" ".join(words[:length]))
            if months:
                result[food.code] = months
                break
    return result


@dataclass
class FoodImportResult:
    report: ciqual.CiqualImportReport
    created: int
    updated: int
    with_co2e: int
    in_season_data: int
    co2e_unmatched: list[str] = field(default_factory=list)


def _food_row(food: ciqual.CiqualFood, co2e, months, units) -> Food:
    kinds = {
        key: value.kind.value
        for key, value in food.nutrients.items()
        if value.kind in (ciqual.NutrientKind.TRACES, ciqual.NutrientKind.BELOW_LIMIT)
    }
    return Food(
        code=food.code,
        name=food.name,
        search_name=search_key(food.name),
        group_code=food.group_code,
        group_name=food.group_name or "",
        subgroup_name=food.subgroup_name or "",
        subsubgroup_name=food.subsubgroup_name or "",
        nutrient_kinds=kinds,
        co2e_per_kg=co2e,
        season_months=months,
        **{key: food.nutrients[key].amount for key in NUTRIENT_KEYS},
        **products.purchase_fields(
            food.code,
            food.name,
            food.subgroup_name or "",
            food.subsubgroup_name or "",
            units,
        ),
    )


def import_foods(
    ciqual_path: str | Path = ciqual.CIQUAL_PATH,
    agribalyse_path: str | Path | None = ciqual.AGRIBALYSE_PATH,
    seasons_path: str | Path | None = ciqual.SEASONS_PATH,
) -> FoodImportResult:
    """Upsert every food by CIQUAL code, all or nothing.

    Every file is parsed before the database is touched, so a bad row in any of them raises
    ``ciqual.DataFormatError`` (with every bad line) and leaves the table as it was.
    """
    parsed = ciqual.import_ciqual(ciqual_path)
    co2e = ciqual.read_agribalyse(agribalyse_path) if agribalyse_path else {}
    seasons = ciqual.read_seasons(seasons_path) if seasons_path else {}
    months = season_months_by_code(parsed.foods, seasons)
    units = {row.code: row for row in products.read_purchase_units()}
    rows = [_food_row(f, co2e.get(f.code), months.get(f.code, []), units) for f in parsed.foods]
    codes = {row.code for row in rows}
    with transaction.atomic():
        existing = set(Food.objects.filter(code__in=codes).values_list("code", flat=True))
        Food.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "name",
                "search_name",
                "group_code",
                "group_name",
                "subgroup_name",
                "subsubgroup_name",
                "nutrient_kinds",
                "co2e_per_kg",
                "season_months",
                *NUTRIENT_KEYS,
            ],
        )
        load_cooking_yields()
    return FoodImportResult(
        report=parsed.report,
        created=len(codes - existing),
        updated=len(existing),
        with_co2e=sum(1 for row in rows if row.co2e_per_kg is not None),
        in_season_data=len(months),
        co2e_unmatched=sorted(set(co2e) - codes),
    )


def load_cooking_yields(path: Path = products.YIELDS_FILE) -> int:
    """Create or refresh the yields of ``cooking_yields.csv`` whose foods are loaded.

    A yield the dietitian corrected (``updated_by`` set) is kept as they left it.
    """
    rows = products.read_yields(path)
    codes = {code for row in rows for code in (row.bought_code, row.served_code)}
    foods = {food.code: food for food in Food.objects.filter(code__in=codes)}
    current = {
        (y.food.code, y.served_food.code): y
        for y in CookingYield.objects.select_related("food", "served_food")
    }
    count = 0
    for row in rows:
        bought, served = foods.get(row.bought_code), foods.get(row.served_code)
        if bought is None or served is None:
            continue
        ratio, source = products.resolve_yield(row, bought.water, served.water)
        existing = current.get((row.bought_code, row.served_code))
        if existing is None:
            CookingYield.objects.create(food=bought, served_food=served, ratio=ratio, source=source)
        elif existing.updated_by_id is None and (existing.ratio, existing.source) != (
            ratio,
            source,
        ):
            existing.ratio, existing.source = ratio, source
            existing.save(update_fields=["ratio", "source", "updated_at"])
        count += 1
    return count


@transaction.atomic
def set_cooking_yield(
    *,
    cooking_yield: CookingYield,
    ratio: Decimal,
    source: str,
    actor,
    kitchens: Iterable[Canteen] = (),
) -> int:
    """The dietitian's own figure for a yield; kept when the data files are loaded again.

    The recipes of ``kitchens`` that used the old figure for this pair are updated so that
    their served portions stay what the dietitian set: the gross grams to buy change, the
    plate does not. Returns how many dishes were updated.
    """
    old = cooking_yield.ratio
    cooking_yield.ratio, cooking_yield.source, cooking_yield.updated_by = ratio, source, actor
    cooking_yield.full_clean()
    cooking_yield.save()
    rows = DishIngredient.objects.filter(
        dish__kitchen__in=list(kitchens),
        food=cooking_yield.food,
        served_food=cooking_yield.served_food,
        yield_factor=old,
    ).select_related("dish")
    dishes = {}
    for row in rows:
        for age in AgeGroup.values:
            gross = row.grams(age)
            if gross is not None:
                served = gross * old
                setattr(row, f"grams_{age}", (served / ratio).quantize(Decimal("0.1")))
        row.yield_factor = ratio
        row.save()
        dishes[row.dish_id] = row.dish
    for dish in dishes.values():
        recompute_dish(dish)
    return len(dishes)


# --- dishes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IngredientData:
    """One ingredient as typed in the editor or the API.

    ``food`` is the product bought, ``grams`` its gross weight per portion keyed by age group;
    ``served_food`` and ``yield_factor`` say how it is served (``DishIngredient``). A yield
    left out is the known one for the pair (``CookingYield``), else 1.
    """

    food: Food
    grams: dict[str, Decimal | None]
    flags: frozenset[str] = frozenset()
    served_food: Food | None = None
    yield_factor: Decimal | None = None

    def resolved_yield(self) -> Decimal:
        if self.yield_factor is not None:
            return self.yield_factor
        return known_yield(self.food, self.served_food)

    def as_model(self, dish: Dish | None = None, position: int = 0) -> DishIngredient:
        return DishIngredient(
            dish=dish,
            food=self.food,
            served_food=self.served_food,
            yield_factor=self.resolved_yield(),
            position=position,
            **{f"grams_{age}": self.grams.get(age) for age in AgeGroup.values},
            **{flag: flag in self.flags for flag in DishIngredient.FLAG_FIELDS},
        )


def known_yield(food: Food, served_food: Food | None) -> Decimal:
    """The recorded yield of ``food`` served as ``served_food`` (1 when none is recorded)."""
    if served_food is None or served_food.pk == food.pk:
        return Decimal(1)
    found = CookingYield.objects.filter(food=food, served_food=served_food).first()
    return found.ratio if found else Decimal(1)


@dataclass(frozen=True)
class NutrientTotal:
    """A per-portion total: the known amount, and the foods whose value is unknown."""

    key: str
    amount: Decimal
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class DishAnalysis:
    """What the editor's live panel and the save service compute from a recipe."""

    age_group: str | None
    grams: Decimal
    nutrients: list[NutrientTotal]
    co2e: Decimal | None  # kg per portion, None when an ingredient has no AGRIBALYSE value
    co2e_missing: tuple[str, ...]
    decisions: list[TagDecision]
    vegetarian: bool
    problem: str = ""

    @property
    def nutrient_map(self) -> dict[str, NutrientTotal]:
        return {total.key: total for total in self.nutrients}


def analyse(
    component: str,
    ingredients: Sequence[DishIngredient],
    vegetarian_declared: bool | None = None,
    name: str = "",
) -> DishAnalysis:
    """Per-portion nutrients, CO2e and GEMRCN tags of a recipe, saved or not."""
    age_group = reference_age_group(ingredients)
    if age_group is None:
        problem = (
            _("Add at least one ingredient.")
            if not ingredients
            else _("Tags need one age group for which every ingredient has grams.")
        )
        return DishAnalysis(None, Decimal(0), [], None, (), [], False, problem)
    pure = [i.as_ingredient(age_group) for i in ingredients]
    composition = DishComposition(name or "—", component, pure, vegetarian=vegetarian_declared)
    nutrients = []
    for key in NUTRIENT_KEYS:
        known = [i for i in pure if i.nutrient(key) is not None]
        amount = sum((i.nutrient(key) for i in known), Decimal(0))
        missing = tuple(i.name for i in pure if i.nutrient(key) is None)
        nutrients.append(NutrientTotal(key, amount, missing))
    footprints = [_co2e_grams(i, age_group) for i in ingredients]
    co2e_missing = tuple(
        i.food.name for i, kg in zip(ingredients, footprints, strict=True) if kg is None
    )
    co2e = None if co2e_missing else sum(footprints, Decimal(0))
    decisions = classify_composition(composition)
    return DishAnalysis(
        age_group=age_group,
        grams=composition.grams,
        nutrients=nutrients,
        co2e=co2e,
        co2e_missing=co2e_missing,
        decisions=decisions,
        vegetarian=_is_vegetarian(decisions, pure, vegetarian_declared),
    )


def _co2e_grams(ingredient: DishIngredient, age_group: str) -> Decimal | None:
    """kg CO2e of one portion: AGRIBALYSE of the food as served, else of the product bought."""
    served = ingredient.composition_food
    if served.co2e_per_kg is not None:
        return ingredient.served_grams(age_group) * served.co2e_per_kg / 1000
    if ingredient.food.co2e_per_kg is not None:
        return ingredient.grams(age_group) * ingredient.food.co2e_per_kg / 1000
    return None


def _is_vegetarian(decisions, pure, declared) -> bool:
    for decision in decisions:
        if decision.tag == "vegetarian":
            return decision.applies is True
    if any(contains_meat_or_fish(i) for i in pure):
        return False
    if declared is not None:
        return declared
    return all(contains_meat_or_fish(i) is False for i in pure)


def _latest_overrides(dish: Dish) -> list[PureOverride]:
    """The latest override of each tag, oldest first; a withdrawn one drops out."""
    latest: dict[str, TagOverride] = {}
    for override in dish.overrides.order_by("created_at", "pk").select_related("author"):
        latest[override.tag] = override
    return [
        PureOverride(o.tag, o.value, o.author.get_username(), o.reason, o.created_at)
        for o in latest.values()
        if o.value is not None
    ]


def recompute_dish(dish: Dish) -> DishAnalysis:
    """Store the dish's computed tags (overrides applied), vegetarian flag and CO2e."""
    ingredients = list(dish.ingredients.select_related("food", "served_food"))
    analysis = analyse(dish.component, ingredients, dish.vegetarian_declared, dish.name)
    resolved = apply_overrides(analysis.decisions, _latest_overrides(dish))
    rows = []
    vegetarian = analysis.vegetarian
    for item in resolved:
        computed = item.computed
        reason = computed.reason if computed else ""
        if item.override is not None:
            reason = _("Set by %(author)s: %(reason)s (computed: %(computed)s)") % {
                "author": item.override.author,
                "reason": item.override.reason,
                "computed": reason or "—",
            }
        rows.append(
            DishTag(
                dish=dish,
                tag=item.tag,
                computed=computed.applies if computed else None,
                applies=item.applies,
                reason=reason,
                overridden=item.override is not None,
            )
        )
        if item.tag == "vegetarian" and item.override is not None:
            vegetarian = bool(item.applies)
    DishTag.objects.filter(dish=dish).delete()
    DishTag.objects.bulk_create(rows)
    dish.is_vegetarian = vegetarian
    dish.co2e_per_portion = None if analysis.co2e is None else analysis.co2e.quantize(CO2E_PLACES)
    dish.reference_age_group = analysis.age_group or ""
    Dish.objects.filter(pk=dish.pk).update(
        is_vegetarian=vegetarian,
        co2e_per_portion=dish.co2e_per_portion,
        reference_age_group=dish.reference_age_group,
    )
    return analysis


CO2E_PLACES = Decimal("0.0001")
DISH_FIELDS = (
    "name",
    "component",
    "vegetarian_declared",
    "contains_pork",
    "allergens",
    "status",
    "notes",
)


@transaction.atomic
def save_dish(
    *,
    kitchen: Canteen,
    fields: dict,
    ingredients: Sequence[IngredientData],
    dish: Dish | None = None,
) -> Dish:
    """Create or replace a dish and its recipe, then recompute its tags (ValidationError if bad)."""
    if not ingredients:
        raise ValidationError(_("A dish needs at least one ingredient."))
    dish = dish or Dish()
    dish.kitchen = kitchen
    for name in DISH_FIELDS:
        if name in fields:
            setattr(dish, name, fields[name])
    dish.full_clean(validate_unique=True)
    dish.save()
    rows = [data.as_model(dish, position) for position, data in enumerate(ingredients)]
    for row in rows:
        row.full_clean(exclude=["dish"])
    dish.ingredients.all().delete()
    DishIngredient.objects.bulk_create(rows)
    recompute_dish(dish)
    return dish


@transaction.atomic
def override_tag(*, dish: Dish, tag: str, value: bool | None, reason: str, author) -> TagOverride:
    """Record the dietitian's decision (None withdraws it) and refresh the stored tags."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the tag is overridden.")})
    override = TagOverride(dish=dish, tag=tag, value=value, reason=reason.strip(), author=author)
    override.full_clean()
    override.save()
    recompute_dish(dish)
    return override


# --- rule sets --------------------------------------------------------------------------------

PRESET_NAMES = {
    "gemrcn_school_2011": "GEMRCN restauration scolaire (arrêté du 30 septembre 2011)",
    "vegetarian_cnrc_2020": "Menus végétariens (CNRC 2020)",
}
SETTING_FIELDS = (
    "name",
    "description",
    "meals_per_week",
    "vegetarian_per_week",
    "min_meals_between_repeats",
)
RULE_FIELDS = ("code", "tag", "min", "max", "window", "components", "text")


def _settings_snapshot(rule_set: RuleSet) -> dict:
    return {name: getattr(rule_set, name) for name in SETTING_FIELDS}


@transaction.atomic
def load_rule_presets() -> list[RuleSet]:
    """Create the shipped presets, or bring their rules back to the shipped text (idempotent)."""
    rule_sets = []
    for preset_name, title in PRESET_NAMES.items():
        preset = load_preset(preset_name)
        spacing = preset.min_meals_between_repeats
        rule_set, created = RuleSet.objects.update_or_create(
            name=title,
            defaults={
                "description": _("%(title)s. Source: %(source)s.")
                % {"title": preset.title, "source": preset.source},
                "owner": None,
                "is_preset": True,
                "meals_per_week": 5,
                "vegetarian_per_week": preset.vegetarian_per_week,
                "min_meals_between_repeats": spacing.value if spacing else None,
            },
        )
        for position, rule in enumerate(preset.rules):
            FrequencyRule.objects.update_or_create(
                rule_set=rule_set,
                code=rule.id,
                defaults={
                    "tag": rule.tag,
                    "min": rule.min,
                    "max": rule.max,
                    "window": rule.window,
                    "components": list(rule.components),
                    "text": rule.text,
                    "note": rule.note,
                    "position": position,
                },
            )
        rule_set.rules.exclude(code__in=[r.id for r in preset.rules]).delete()
        load_portion_sizes(rule_set, preset.portions)
        if created:
            RuleSetChange.objects.create(
                rule_set=rule_set,
                action=RuleSetChange.Action.CREATE,
                subject=preset.source,
                after=_settings_snapshot(rule_set),
            )
        rule_sets.append(rule_set)
    return rule_sets


@dataclass(frozen=True)
class RuleData:
    """A rule as edited; ``pk`` None for a new rule."""

    code: str
    tag: str
    min: int | None
    max: int | None
    window: int
    components: list[str]
    text: str = ""
    pk: int | None = None

    def values(self) -> dict:
        return {name: getattr(self, name) for name in RULE_FIELDS}


class ReadOnlyRuleSet(ValidationError):
    pass


def _check_editable(rule_set: RuleSet) -> None:
    if rule_set.is_preset:
        raise ReadOnlyRuleSet(_("A preset cannot be edited: copy it first."))


@transaction.atomic
def update_rule_set(
    *,
    rule_set: RuleSet,
    author,
    settings: dict | None = None,
    rules: Sequence[RuleData] = (),
    removed: Iterable[int] = (),
) -> list[RuleSetChange]:
    """Apply edits of settings and rules; each effective change is recorded with before/after."""
    _check_editable(rule_set)
    changes: list[RuleSetChange] = []

    def record(action, subject, before, after):
        changes.append(
            RuleSetChange(
                rule_set=rule_set,
                author=author,
                action=action,
                subject=subject,
                before=before,
                after=after,
            )
        )

    if settings:
        before = _settings_snapshot(rule_set)
        for name, value in settings.items():
            if name in SETTING_FIELDS:
                setattr(rule_set, name, value)
        after = _settings_snapshot(rule_set)
        if before != after:
            rule_set.full_clean()
            rule_set.save()
            record(RuleSetChange.Action.SETTINGS, rule_set.name, before, after)
    removed_rules = list(rule_set.rules.filter(pk__in=list(removed)))
    for rule in removed_rules:
        record(RuleSetChange.Action.RULE_REMOVED, rule.code, rule.snapshot(), None)
        rule.delete()
    existing = {rule.pk: rule for rule in rule_set.rules.all()}
    next_position = max((r.position for r in existing.values()), default=-1) + 1
    for data in rules:
        rule = existing.get(data.pk) if data.pk is not None else None
        if data.pk is not None and rule is None:
            continue  # removed in the same edit
        before = rule.snapshot() if rule else None
        if rule is None:
            rule = FrequencyRule(rule_set=rule_set, position=next_position)
            next_position += 1
        for name, value in data.values().items():
            setattr(rule, name, value)
        rule.full_clean()
        after = rule.snapshot()
        if before != after:
            rule.save()
            action = (
                RuleSetChange.Action.RULE_CHANGED if before else RuleSetChange.Action.RULE_ADDED
            )
            record(action, rule.code, before, after)
    RuleSetChange.objects.bulk_create(changes)
    if changes:
        rule_set.save(update_fields=["updated_at"])
    return changes


@transaction.atomic
def copy_rule_set(
    *,
    source: RuleSet,
    name: str,
    author,
    owner: Canteen | None,
    also_from: Sequence[RuleSet] = (),
) -> RuleSet:
    """An editable, independent copy (rules duplicated); ``also_from`` appends their rules."""
    copy = RuleSet(
        name=name,
        description=source.description,
        owner=owner,
        based_on=source,
        meals_per_week=source.meals_per_week,
        vegetarian_per_week=source.vegetarian_per_week,
        min_meals_between_repeats=source.min_meals_between_repeats,
    )
    for other in also_from:
        if copy.vegetarian_per_week is None:
            copy.vegetarian_per_week = other.vegetarian_per_week
    copy.full_clean()
    copy.save()
    position = 0
    seen = set()
    for origin in (source, *also_from):
        for rule in origin.rules.all():
            if rule.code in seen:
                continue
            seen.add(rule.code)
            FrequencyRule.objects.create(
                rule_set=copy,
                position=position,
                note=rule.note,
                **rule.snapshot(),
            )
            position += 1
    _copy_per_meal_data(source, copy)
    sources = ", ".join(r.name for r in (source, *also_from))
    RuleSetChange.objects.create(
        rule_set=copy,
        author=author,
        action=RuleSetChange.Action.COPY,
        subject=sources,
        after={**_settings_snapshot(copy), "rules": [r.code for r in copy.rules.all()]},
    )
    return copy


@transaction.atomic
def assign_rule_set(*, canteen: Canteen, rule_set: RuleSet, author) -> CanteenRuleSet:
    """Point a canteen at a rule set; the change is recorded on the rule set."""
    current = CanteenRuleSet.objects.filter(canteen=canteen).select_related("rule_set").first()
    before = {"canteen": canteen.name, "rule_set": current.rule_set.name} if current else None
    assignment, _created = CanteenRuleSet.objects.update_or_create(
        canteen=canteen, defaults={"rule_set": rule_set, "assigned_by": author}
    )
    RuleSetChange.objects.create(
        rule_set=rule_set,
        author=author,
        action=RuleSetChange.Action.ASSIGNED,
        subject=canteen.name,
        before=before,
        after={"canteen": canteen.name, "rule_set": rule_set.name},
    )
    return assignment


_COPY_SUFFIX = re.compile(r" \((?:copie|copy)(?: \d+)?\)$")


def unique_copy_name(name: str) -> str:
    """'X' -> 'X (copie)', then 'X (copie 2)'... whichever is free."""
    base = _COPY_SUFFIX.sub("", name)
    candidate, number = f"{base} (copie)", 1
    while RuleSet.objects.filter(name=candidate).exists():
        number += 1
        candidate = f"{base} (copie {number})"
    return candidate


def _copy_per_meal_data(source: RuleSet, copy: RuleSet) -> None:
    NutrientBound.objects.bulk_create(
        NutrientBound(
            rule_set=copy, age_group=b.age_group, nutrient=b.nutrient, min=b.min, max=b.max
        )
        for b in source.nutrient_bounds.all()
    )
    PortionSize.objects.bulk_create(
        PortionSize(
            rule_set=copy,
            section=p.section,
            product=p.product,
            age_group=p.age_group,
            min=p.min,
            max=p.max,
            unit=p.unit,
            note=p.note,
        )
        for p in source.portion_sizes.all()
    )


def load_portion_sizes(rule_set: RuleSet, portions) -> int:
    """Give a preset the annex II portions (replaced whole, so reloading changes nothing)."""
    wanted = [(p.section, p.product, p.age_group, p.min, p.max, p.unit, p.note) for p in portions]
    current = list(
        rule_set.portion_sizes.order_by("pk").values_list(
            "section", "product", "age_group", "min", "max", "unit", "note"
        )
    )
    if current != wanted:
        rule_set.portion_sizes.all().delete()
        PortionSize.objects.bulk_create(
            PortionSize(
                rule_set=rule_set, section=a, product=b, age_group=c, min=d, max=e, unit=f, note=g
            )
            for a, b, c, d, e, f, g in wanted
        )
    return len(wanted)


def _bound_value(bound) -> list | None:
    """Comparable min/max ("300" whether typed as 300 or stored as 300.00)."""
    if bound is None:
        return None
    return [
        None if v is None else format(Decimal(v).normalize(), "f") for v in (bound.min, bound.max)
    ]


@transaction.atomic
def set_nutrient_bounds(
    *, rule_set: RuleSet, grid: dict[tuple[str, str], tuple], author
) -> list[RuleSetChange]:
    """Set per-meal bounds: grid[(age group, nutrient)] = (min, max); (None, None) removes."""
    _check_editable(rule_set)
    existing = {(b.age_group, b.nutrient): b for b in rule_set.nutrient_bounds.all()}
    changes = []
    for key, (low, high) in grid.items():
        bound = existing.get(key)
        before = _bound_value(bound)
        if low is None and high is None:
            if bound is not None:
                bound.delete()
                changes.append((key, before, None))
            continue
        if bound is None:
            bound = NutrientBound(rule_set=rule_set, age_group=key[0], nutrient=key[1])
        bound.min, bound.max = low, high
        bound.full_clean()
        if before != _bound_value(bound):
            bound.save()
            changes.append((key, before, _bound_value(bound)))
    return RuleSetChange.objects.bulk_create(
        RuleSetChange(
            rule_set=rule_set,
            author=author,
            action=RuleSetChange.Action.NUTRIENTS,
            subject=f"{age_group} · {nutrient}",
            before={"min_max": before},
            after={"min_max": after},
        )
        for (age_group, nutrient), before, after in changes
    )

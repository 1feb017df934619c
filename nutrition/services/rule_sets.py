"""Writes on rule sets: presets, edits with their history, copies, assignment to a canteen,
portion sizes and nutrient bounds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cantine.models import Canteen, User
from nutrition.models import (
    CanteenRuleSet,
    FrequencyRule,
    NutrientBound,
    PortionSize,
    RuleSet,
    RuleSetChange,
)
from nutrition.presets import load_preset

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
        load_portion_sizes(rule_set=rule_set, portions=preset.portions)
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
    actor: User,
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
                author=actor,
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
    actor: User,
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
        author=actor,
        action=RuleSetChange.Action.COPY,
        subject=sources,
        after={**_settings_snapshot(copy), "rules": [r.code for r in copy.rules.all()]},
    )
    return copy


@transaction.atomic
def assign_rule_set(*, canteen: Canteen, rule_set: RuleSet, actor: User) -> CanteenRuleSet:
    """Point a canteen at a rule set; the change is recorded on the rule set."""
    current = CanteenRuleSet.objects.filter(canteen=canteen).select_related("rule_set").first()
    before = {"canteen": canteen.name, "rule_set": current.rule_set.name} if current else None
    assignment, _created = CanteenRuleSet.objects.update_or_create(
        canteen=canteen, defaults={"rule_set": rule_set, "assigned_by": actor}
    )
    RuleSetChange.objects.create(
        rule_set=rule_set,
        author=actor,
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


def load_portion_sizes(*, rule_set: RuleSet, portions) -> int:
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
    *, rule_set: RuleSet, grid: dict[tuple[str, str], tuple], actor: User
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
            author=actor,
            action=RuleSetChange.Action.NUTRIENTS,
            subject=f"{age_group} · {nutrient}",
            before={"min_max": before},
            after={"min_max": after},
        )
        for (age_group, nutrient), before, after in changes
    )

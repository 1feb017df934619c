"""Rule sets as data: the GEMRCN school frequencies, the vegetarian guidance, portion sizes.

A rule set is something the dietitian edits, so it lives in JSON (``nutrition/data/presets/``) and is
loaded here into plain dataclasses that the planner and the Django layer both read. The shape of a
rule matches the planner's instance (``id, tag, min, max, window``; see
``shared/specs/solver-interfaces.md``) plus the French text it comes from.

Binding text vs the transcriptions in ``nutrition/data/gemrcn/`` (checked by the tests):

- Rule 10, "moins de 4 repas": the CSV gives operator ``<`` and 4; as a bound that is max 3.
- Rules 11-15 read "il convient de ne pas servir plus de N": max N (CSV ``<=`` N, right). The
  CSV's ``texte_annexe_I`` for them is rephrased ("plus de 4 entrées ... [ne pas servir]"); the
  presets keep the annex's own words plus its heading.
- Rules 3 and 4 say "10 repas" without "au moins": exactly 10 (CSV ``=``, right).
- Rule 6 "comprise entre 100 mg et 150 mg" overlaps rule 5 "au moins 150 mg" at 150 mg: 150 is
  given to rule 5, so rule 6 is [100, 150[.
- Rule 7: the annex names no component; the CSV's "produit laitier ou dessert" is kept.
- The ">= 50 %" of rule 1 and the "100 % fruit, sans sucre ajouté" of rule 2 that
  ``shared/domain.md`` and Adoria mention are not in annex I (they come from the GEMRCN
  recommendation); the presets do not add them to the legal text, the classifier applies them.
- In the annex markdown the rule 12 line lacks its leading dash: formatting only.
- The annex II transcription is partial (19 products: savoury pastries, some meats and fish,
  composed dishes, desserts); cells merged in the original are repeated, an empty cell (dry
  packaged pastries for collège/lycée) stays unknown; quantities are grams unless the row says
  pieces, ml or cl.
- ``shared/README.md`` says 2,297 AGRIBALYSE codes match CIQUAL 2025; the files give 2,293
  distinct codes (``nutrition.ciqual.read_agribalyse``).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cantine.vocabulary import Unit
from nutrition.classification import ALL_TAGS, COMPONENTS

PRESETS_DIR = Path(__file__).resolve().parent / "data" / "presets"
DATA_DIR = Path(__file__).resolve().parent / "data"
AGE_GROUPS = ("maternelle", "elementaire", "college_lycee")
PORTION_UNITS = ("g", Unit.PIECE.value, "ml", "cl")


class PresetError(ValueError):
    """A preset file is not a valid rule set."""


@dataclass(frozen=True)
class FrequencyRule:
    """At least ``min`` and at most ``max`` meals carrying ``tag`` in every ``window`` meals."""

    id: str
    tag: str
    components: tuple[str, ...]
    min: int | None
    max: int | None
    window: int
    text: str
    source: str
    heading: str = ""
    note: str = ""

    def to_instance(self) -> dict[str, Any]:
        """The rule as the menu planner's JSON instance expects it."""
        return {
            "id": self.id,
            "tag": self.tag,
            "min": self.min,
            "max": self.max,
            "window": self.window,
        }


@dataclass(frozen=True)
class HouseDefault:
    """A value chosen by the project, not by law; ``note`` says so in French."""

    value: int
    basis: str
    note: str


@dataclass(frozen=True)
class PortionSize:
    """Annex II portion for one product and age group; min/max None when the text is empty."""

    section: str
    product: str
    age_group: str
    min: Decimal | None
    max: Decimal | None
    unit: str
    raw: str
    note: str = ""

    @property
    def known(self) -> bool:
        return self.min is not None


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    source: str
    window: int
    components: tuple[str, ...]
    rules: tuple[FrequencyRule, ...]
    definitions: tuple[str, ...] = ()
    vegetarian_per_week: int | None = None
    min_meals_between_repeats: HouseDefault | None = None
    portions: tuple[PortionSize, ...] = ()

    def rule(self, rule_id: str) -> FrequencyRule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def portions_for(self, product_fragment: str) -> list[PortionSize]:
        """Portions whose product name contains the fragment (case-insensitive)."""
        fragment = product_fragment.lower()
        return [p for p in self.portions if fragment in p.product.lower()]


_NUMBER = r"\d+(?:[.,]\d+)?"
_RANGE = re.compile(rf"^({_NUMBER})\s*(?:à|-|–)\s*({_NUMBER})$")
_SINGLE = re.compile(rf"^({_NUMBER})$")


def parse_portion(raw: str) -> tuple[Decimal | None, Decimal | None]:
    """'50' -> (50, 50); '55 à 70' or '20-45' -> (55, 70); '' -> (None, None)."""
    text = raw.strip()
    if not text:
        return None, None
    single = _SINGLE.match(text)
    if single:
        value = Decimal(single.group(1).replace(",", "."))
        return value, value
    ranged = _RANGE.match(text)
    if ranged:
        low, high = (Decimal(group.replace(",", ".")) for group in ranged.groups())
        if low > high:
            raise PresetError(f"portion range {raw!r} goes down")
        return low, high
    raise PresetError(f"unreadable portion {raw!r}")


def portion_unit(product: str, note: str) -> str:
    """Grams unless the row says pieces, ml or cl."""
    text = f"{product} {note}".lower()
    if "pièce" in note.lower() or "à l'unité" in text:
        return Unit.PIECE.value
    if re.search(r"\ben ml\b", text):
        return "ml"
    if re.search(r"\ben cl\b", text):
        return "cl"
    return "g"


def read_portion_sizes(path: str | Path) -> tuple[PortionSize, ...]:
    """Parse the annex II transcription: one PortionSize per product and age group."""
    path = Path(path)
    portions: list[PortionSize] = []
    problems: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"section", "produit", "note", *AGE_GROUPS} - set(reader.fieldnames or ())
        if missing:
            raise PresetError(f"{path}: missing columns {sorted(missing)}")
        for row in reader:
            unit = portion_unit(row["produit"], row["note"])
            for age_group in AGE_GROUPS:
                try:
                    low, high = parse_portion(row[age_group])
                except PresetError as exc:
                    problems.append(f"line {reader.line_num}, {age_group}: {exc}")
                    continue
                portions.append(
                    PortionSize(
                        section=row["section"].strip(),
                        product=row["produit"].strip(),
                        age_group=age_group,
                        min=low,
                        max=high,
                        unit=unit,
                        raw=row[age_group],
                        note=row["note"].strip(),
                    )
                )
    if problems:
        raise PresetError(f"{path}:\n" + "\n".join(problems))
    return tuple(portions)


def _optional_int(rule: dict[str, Any], key: str) -> int | None:
    value = rule.get(key)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise PresetError(f"rule {rule.get('id')}: {key} must be a non-negative integer or null")
    return value


def _rule(data: dict[str, Any], meals_per_week: int) -> FrequencyRule:
    rule_id = data.get("id", "?")
    minimum = _optional_int(data, "min")
    by_week = data.get("min_by_meals_per_week")
    if by_week is not None:
        if str(meals_per_week) not in by_week:
            raise PresetError(f"rule {rule_id}: no minimum for {meals_per_week} meals a week")
        minimum = by_week[str(meals_per_week)]
    maximum = _optional_int(data, "max")
    window = data.get("window")
    components = tuple(data.get("components", ()))
    problems = []
    if data.get("tag") not in ALL_TAGS:
        problems.append(f"unknown tag {data.get('tag')!r}")
    if not components or set(components) - set(COMPONENTS):
        problems.append(f"bad components {list(components)}")
    if not isinstance(window, int) or window <= 0:
        problems.append("window must be a positive integer")
    if minimum is None and maximum is None:
        problems.append("needs min or max")
    if minimum is not None and maximum is not None and minimum > maximum:
        problems.append(f"min {minimum} > max {maximum}")
    if isinstance(window, int) and any(b is not None and b > window for b in (minimum, maximum)):
        problems.append("a bound exceeds the window")
    if problems:
        raise PresetError(f"rule {rule_id}: " + "; ".join(problems))
    return FrequencyRule(
        id=rule_id,
        tag=data["tag"],
        components=components,
        min=minimum,
        max=maximum,
        window=window,
        text=data.get("text", ""),
        source=data.get("source", ""),
        heading=data.get("heading", ""),
        note=data.get("note", ""),
    )


def available_presets() -> list[str]:
    return sorted(path.stem for path in PRESETS_DIR.glob("*.json"))


def load_preset(name: str, meals_per_week: int = 5) -> Preset:
    """Load a preset by file name (without .json); ``meals_per_week`` picks 4- or 5-day minima."""
    path = PRESETS_DIR / f"{name}.json"
    if not path.is_file():
        raise PresetError(f"unknown preset {name!r}; available: {available_presets()}")
    data = json.loads(path.read_text(encoding="utf-8"))
    rules = tuple(_rule(rule, meals_per_week) for rule in data["rules"])
    ids = [rule.id for rule in rules]
    if len(set(ids)) != len(ids):
        raise PresetError(f"{name}: duplicate rule ids")
    spacing = data.get("min_meals_between_repeats")
    portions_ref = data.get("portions")
    return Preset(
        name=data["name"],
        title=data["title"],
        source=data["source"],
        window=data["window"],
        components=tuple(data["components"]),
        rules=rules,
        definitions=tuple(data.get("definitions", ())),
        vegetarian_per_week=data.get("vegetarian_per_week"),
        min_meals_between_repeats=HouseDefault(**spacing) if spacing else None,
        portions=read_portion_sizes(DATA_DIR / portions_ref["file"]) if portions_ref else (),
    )

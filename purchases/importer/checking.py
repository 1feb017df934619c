"""Checking every row as ma cantine does: types, choices, dates, prices, labels."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_DOWN, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from cantine.csv_export import looks_like_formula
from cantine.local import LocalScope
from purchases.importer.schema import (
    CATEGORY_TO_LABEL,
    CENT,
    CIRCUIT_COURT,
    DATE_PATTERN,
    FALSE_VALUES,
    FAMILIES,
    ID_COLUMN,
    INTEGER_PATTERN,
    LOCAL,
    LOCAL_DEFINITIONS,
    MAX_PRICE,
    NUMBER_PATTERN,
    OLD_CHARACTERISTICS,
    OLD_LOCAL_DEFINITIONS,
    ORIGINS,
    REQUIRED,
    TRUE_VALUES,
    ParsedRow,
    ParseResult,
    RowError,
)


class _RowChecker:
    def __init__(self, result: ParseResult, strict: bool):
        self.result = result
        self.strict = strict
        self.odd_booleans: dict[str, set[str]] = defaultdict(set)
        self.rounded = 0
        self.commas = 0
        self.spaced_codes = 0
        self.trailing_cells = 0
        self.today = timezone.localdate()

    def error(self, line, column, code, message, value=""):
        self.result.add_error(RowError(line, column, code, message, value))

    def check(self, line: int, raw: dict[str, str]) -> None:
        before = self.result.error_count
        key = self._canteen_key(line, raw)
        if key:
            self.result.sirets[line] = key
        values = {
            "description": self._text(line, "description", raw["description"]),
            "supplier": self._text(line, "fournisseur", raw["fournisseur"]),
            "date": self._date(line, raw["date"]),
            "price_ht": self._price(line, raw["prix_ht"]),
            "family": self._choice(line, "famille_produits", raw["famille_produits"], FAMILIES),
        }
        if self.result.old_format:
            values |= self._characteristics(line, raw["caracteristiques"])
            values |= self._old_local_definition(line, raw["definition_local"])
        else:
            values |= {
                "labels": self._labels(line, raw["categories_egalim"]),
                "origin": self._choice(line, "origine", raw["origine"], ORIGINS) or "",
                "is_short_chain": self._boolean(
                    line, "est_circuit_court", raw["est_circuit_court"]
                ),
                "is_local": self._boolean(line, "est_local", raw["est_local"]),
                "local_definition": self._choice(
                    line, "definition_local", raw["definition_local"], LOCAL_DEFINITIONS
                )
                or "",
                "local_definition_km": self._km(line, raw["definition_local_km"]),
            }
        if self.result.error_count == before:
            self._local_rules(line, values)
        if self.result.error_count == before:
            self.result.rows.append(ParsedRow(line, key, values))

    def _local_rules(self, line, values) -> None:
        """``validate_purchase_definition_local`` (ma cantine ``data/validators/purchase.py``)."""
        km = values["local_definition_km"]
        if not values["is_local"]:
            if values["local_definition"]:
                self.error(
                    line,
                    "definition_local",
                    "local_definition_not_local",
                    _("The line is not local: leave the local definition empty."),
                    values["local_definition"],
                )
            if km is not None:
                self.error(
                    line,
                    "definition_local_km",
                    "km_not_local",
                    _("The line is not local: leave the distance empty."),
                    str(km),
                )
        elif km is not None and values["local_definition"] != LocalScope.KM:
            self.error(
                line,
                "definition_local_km",
                "km_without_km",
                _("A distance in km only goes with the local definition KM."),
                str(km),
            )

    def finish(self) -> None:
        for column, odd in sorted(self.odd_booleans.items()):
            self.result.notices.append(
                _("In %(column)s, these spellings were read as OUI/NON: %(values)s.")
                % {"column": column, "values": ", ".join(sorted(odd)[:10])}
            )
        if self.commas:
            self.result.notices.append(
                _(
                    "%(count)s numbers were written with a decimal comma or spaces between "
                    "thousands; they were read as such (ma cantine asks for a decimal point)."
                )
                % {"count": self.commas}
            )
        if self.spaced_codes:
            self.result.notices.append(
                _("%(count)s lists of codes had spaces around their commas; they were removed.")
                % {"count": self.spaced_codes}
            )
        if self.trailing_cells:
            self.result.notices.append(
                _("%(count)s lines had empty cells past the last column; they were ignored.")
                % {"count": self.trailing_cells}
            )
        if self.rounded:
            self.result.notices.append(
                _("%(count)s prices had more than two decimals and were rounded to the cent.")
                % {"count": self.rounded}
            )

    def _required(self, line, column, value) -> bool:
        if value:
            return True
        self.error(line, column, "required", _("This value is required."))
        return False

    def _canteen_key(self, line, value_by_column):
        if self.result.identifier == ID_COLUMN:
            value = value_by_column[ID_COLUMN]
            if not self._required(line, ID_COLUMN, value):
                return None
            if not INTEGER_PATTERN.match(value):
                self.error(
                    line,
                    ID_COLUMN,
                    "invalid_canteen_id",
                    _("A ma cantine canteen id is a whole number."),
                    value,
                )
                return None
            return str(int(value))
        value = value_by_column["siret"].replace(" ", "").replace("\u00a0", "")
        if not self._required(line, "siret", value):
            return None
        if len(value) != 14 or not value.isdigit():
            self.error(line, "siret", "invalid_siret", _("A SIRET is made of 14 digits."), value)
            return None
        return value

    def _text(self, line, column, value):
        """ma cantine's description and fournisseur are text fields with no length limit."""
        if column in REQUIRED and not self._required(line, column, value):
            return None
        if looks_like_formula(value):
            self.error(
                line,
                column,
                "formula",
                _(
                    "This text starts with %(char)s: a spreadsheet would run it as a formula. "
                    "Remove that first character."
                )
                % {"char": repr(value[0])},
                value,
            )
            return None
        return value

    def _date(self, line, value):
        if not self._required(line, "date", value):
            return None
        if not DATE_PATTERN.match(value):
            self.error(
                line,
                "date",
                "date_format",
                _("Write the date as YYYY-MM-DD, e.g. 2022-01-30."),
                value,
            )
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            self.error(line, "date", "invalid_date", _("This date does not exist."), value)
            return None
        if day > self.today:
            self.error(line, "date", "future_date", _("The date cannot be in the future."), value)
            return None
        return day

    def _number(self, line, column, value):
        text = value
        if not self.strict:
            text = value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
            if text.count(",") == 1 and "." not in text:
                text = text.replace(",", ".")
            if text != value and NUMBER_PATTERN.match(text):
                self.commas += 1
        if not NUMBER_PATTERN.match(text):
            self.error(
                line,
                column,
                "invalid_number",
                _("This is not a number: write digits with a decimal point, e.g. 1234.99."),
                value,
            )
            return None
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern already guarantees it
            return None

    def _price(self, line, value):
        if not self._required(line, "prix_ht", value):
            return None
        price = self._number(line, "prix_ht", value)
        if price is None:
            return None
        if price < 0:
            self.error(line, "prix_ht", "negative_price", _("A price cannot be negative."), value)
            return None
        # ma cantine: Decimal(prix_ht).quantize(Decimal(".01"), rounding=ROUND_HALF_DOWN)
        rounded = price.quantize(CENT, rounding=ROUND_HALF_DOWN)
        if rounded > MAX_PRICE:
            self.error(line, "prix_ht", "too_large", _("This price is too large."), value)
            return None
        if rounded != price:
            self.rounded += 1
        return rounded

    def _choice(self, line, column, value, allowed):
        if column in REQUIRED and not self._required(line, column, value):
            return None
        if value and value not in allowed:
            self.error(
                line,
                column,
                f"unknown_{_CHOICE_CODES[column]}",
                _("Unknown value; expected one of: %(allowed)s.")
                % {"allowed": ", ".join(sorted(allowed))},
                value,
            )
            return None
        return value

    def _codes(self, line, column, value, allowed, code):
        """A comma-separated list of codes: the schema's pattern, then the model's choices.

        ma cantine splits the current format's ``categories_egalim`` on bare commas, so
        ``BIO, IGP`` gives the choice `` IGP`` that its model refuses; the old format's
        ``caracteristiques`` are stripped one by one.
        """
        if not value:
            return []
        parts = value.split(",")
        codes = [part.strip() for part in parts]
        unknown = [c for c in codes if c not in allowed]
        if unknown:
            self.error(
                line,
                column,
                code,
                _("Unknown codes: %(codes)s (separate codes with commas).")
                % {"codes": ", ".join(c or "«»" for c in unknown)},
                value,
            )
            return None
        if column == "categories_egalim" and codes != parts:
            if self.strict:
                self.error(
                    line,
                    column,
                    "spaced_codes",
                    _("Remove the spaces around the commas: %(value)s.") % {"value": value},
                    value,
                )
                return None
            self.spaced_codes += 1
        return list(dict.fromkeys(codes))

    def _labels(self, line, value):
        codes = self._codes(line, "categories_egalim", value, CATEGORY_TO_LABEL, "unknown_category")
        return None if codes is None else [CATEGORY_TO_LABEL[code].value for code in codes]

    def _characteristics(self, line, value) -> dict:
        codes = self._codes(
            line, "caracteristiques", value, OLD_CHARACTERISTICS, "unknown_category"
        )
        codes = codes or []
        origins = [c for c in codes if c in ORIGINS]
        if len(origins) > 1:
            self.error(
                line,
                "caracteristiques",
                "origin_conflict",
                _("EUROPE and FRANCE cannot be selected together."),
                value,
            )
        return {
            "labels": [CATEGORY_TO_LABEL[c].value for c in codes if c in CATEGORY_TO_LABEL],
            "origin": origins[0] if len(origins) == 1 else "",
            "is_short_chain": CIRCUIT_COURT in codes,
            "is_local": LOCAL in codes,
        }

    def _old_local_definition(self, line, value) -> dict:
        if value and value not in OLD_LOCAL_DEFINITIONS:
            self.error(
                line,
                "definition_local",
                "unknown_local_definition",
                _("Unknown value; expected one of: %(allowed)s.")
                % {"allowed": ", ".join(sorted(OLD_LOCAL_DEFINITIONS))},
                value,
            )
            value = ""
        scope, km = OLD_LOCAL_DEFINITIONS.get(value, ("", None))
        return {
            "local_definition": str(scope),
            "local_definition_km": None if km is None else Decimal(km),
        }

    def _boolean(self, line, column, value):
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        lowered = value.lower()
        if not self.strict and lowered in {v.lower() for v in TRUE_VALUES | FALSE_VALUES}:
            self.odd_booleans[column].add(value)
            return lowered in {v.lower() for v in TRUE_VALUES}
        self.error(
            line,
            column,
            "invalid_boolean",
            _("Write OUI, oui or x for yes; non, NON or nothing for no."),
            value,
        )
        return None

    def _km(self, line, value):
        if not value:
            return None
        km = self._number(line, "definition_local_km", value)
        if km is None:
            return None
        # ma cantine stores the distance in a PositiveIntegerField.
        if km < 0 or km != km.to_integral_value() or not INTEGER_PATTERN.match(value.strip()):
            if km >= 0 and km == km.to_integral_value() and not self.strict:
                return Decimal(int(km))
            self.error(
                line,
                "definition_local_km",
                "km_not_integer",
                _("The distance is a whole number of kilometres, e.g. 50."),
                value,
            )
            return None
        if km >= 100000:
            self.error(
                line,
                "definition_local_km",
                "invalid_number",
                _("A distance must be below 100,000 km."),
                value,
            )
            return None
        return Decimal(int(km))


_CHOICE_CODES = {
    "famille_produits": "family",
    "origine": "origin",
    "definition_local": "local_definition",
}

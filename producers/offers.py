"""Price lists in, offers out: a producer's CSV or XLSX price list becomes its offers.

Edge module (pandas lives here only). All or nothing: every row is checked first, each bad row
reported with its line in the file (the header is line 1), its column and the reason; nothing
is written unless every row is good. A row updates the producer's offer for the same food and
product name, or creates it.

Columns (names are matched without case or accents; extra columns are ignored):
``ciqual_code``, ``product``, ``unit`` (kg, L, piece), ``pack_size``, ``unit_price`` (€ HT per
unit), ``weekly_capacity`` (empty = no limit), ``labels`` (codes separated by ``,`` ``;`` or
``|``), ``valid_from``, ``valid_to`` (ISO dates or DD/MM/YYYY; ``valid_from`` empty = today).

A list of more than :data:`MAX_ROWS` rows is refused before any row is checked, an XLSX read in
streaming mode with its declared size checked first (``cantine.tables``); a product name that a
spreadsheet would run as a formula (``=HYPERLINK(...)``) is refused, since it would reach the
cooks' purchase orders.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.db import transaction
from django.utils import timezone

from cantine import tables
from cantine.csv_export import looks_like_formula
from cantine.labels import Label
from cantine.vocabulary import LABEL_ALIASES, parse_unit
from nutrition.models import Food
from producers.models import Offer, Producer, sale_problem

REQUIRED = ("ciqual_code", "product", "unit", "pack_size", "unit_price")
# A producer's catalogue, not its history: a few hundred lines at most in practice.
MAX_ROWS = 10_000
OPTIONAL = ("weekly_capacity", "labels", "valid_from", "valid_to")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        where = f"ligne {self.line}" if self.line else "fichier"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


class OfferImportError(Exception):
    """Raised with every problem found; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class OfferImportResult:
    created: int = 0
    updated: int = 0
    offers: list[Offer] = field(default_factory=list)


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def read_table(content: bytes, filename: str) -> pd.DataFrame:
    """Every cell as text (empty string when blank), whatever the format; indexed by line.

    Raises :class:`cantine.tables.TableTooLarge` for a list over :data:`MAX_ROWS` rows.
    """
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    tables.check_csv_lines(text, MAX_ROWS)
    frame = pd.read_csv(io.StringIO(text), dtype=str, sep=None, engine="python")
    frame = frame.fillna("")
    frame.columns = [_key(c) for c in frame.columns]
    return frame


def _read_xlsx(content: bytes) -> pd.DataFrame:
    """The first sheet, streamed; blank rows skipped, the others keep their line number."""
    rows = tables.xlsx_rows(content, max_rows=MAX_ROWS)
    header = [_cell_text(v) for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    records, index = [], []
    for line, values in enumerate(rows, start=2):
        cells = [_cell_text(v) for v in values[: len(header)]]
        if any(c.strip() for c in cells):
            records.append(cells + [""] * (len(header) - len(cells)))
            index.append(line - 2)
    return pd.DataFrame(records, columns=[_key(c) for c in header], index=index, dtype=str)


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decimal(raw: str) -> Decimal:
    value = Decimal(raw.strip().replace(" ", "").replace(",", "."))
    if not value.is_finite():
        raise InvalidOperation
    return value


def _date(raw: str) -> date:
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


def _labels(raw: str) -> list[str]:
    codes = []
    for part in re.split(r"[,;|]", raw):
        code = part.strip().upper().replace(" ", "_").replace("-", "_").replace("/", "")
        if code:
            code = str(LABEL_ALIASES.get(code, code))
            if code not in Label.values:
                raise ValueError(part.strip())
            if code not in codes:
                codes.append(code)
    return codes


class _Row:
    """One line's checks, collecting every error instead of stopping at the first."""

    def __init__(self, line: int, cells: dict, errors: list[RowError]):
        self.line, self.cells, self.errors = line, cells, errors

    def fail(self, column, message):
        self.errors.append(RowError(self.line, column, message))

    def text(self, column, required=False) -> str:
        value = str(self.cells.get(column, "")).strip()
        if required and not value:
            self.fail(column, "valeur manquante")
        return value

    def number(self, column, *, required=False, positive=False) -> Decimal | None:
        raw = self.text(column, required)
        if not raw:
            return None
        try:
            value = _decimal(raw)
        except InvalidOperation:
            self.fail(column, f"« {raw} » n'est pas un nombre")
            return None
        if value < 0 or (positive and value == 0):
            self.fail(column, f"doit être {'positif' if positive else 'positif ou nul'}")
            return None
        return value

    def day(self, column) -> date | None:
        raw = self.text(column)
        if not raw:
            return None
        try:
            return _date(raw)
        except ValueError:
            self.fail(column, f"« {raw} » n'est pas une date (AAAA-MM-JJ ou JJ/MM/AAAA)")
            return None


def parse_rows(frame: pd.DataFrame, foods: dict[str, Food], today: date):
    """Checked offer fields per row, and the errors found (with their lines)."""
    errors: list[RowError] = []
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise OfferImportError(
            [RowError(0, "", f"colonne obligatoire absente : {c}") for c in missing]
        )
    if frame.empty:
        raise OfferImportError([RowError(0, "", "le fichier ne contient aucune offre")])
    rows = []
    for index, cells in zip(frame.index, frame.to_dict("records"), strict=True):
        row = _Row(int(index) + 2, cells, errors)
        code = row.text("ciqual_code", required=True)
        food = foods.get(code.split(".")[0]) if code else None
        if code and food is None:
            row.fail("ciqual_code", f"code CIQUAL inconnu « {code} »")
        product = row.text("product", required=True)
        if looks_like_formula(product):
            row.fail(
                "product",
                "un tableur exécuterait ce nom comme une formule : retirez son "
                f"premier caractère « {product[0]} »",
            )
        raw_unit = row.text("unit", required=True)
        unit = parse_unit(raw_unit)
        if raw_unit and unit is None:
            row.fail("unit", f"unité inconnue « {raw_unit} » (kg, L ou pièce)")
        if food is not None and unit is not None and sale_problem(food, unit):
            column = "ciqual_code" if not food.purchasable else "unit"
            row.fail(column, str(sale_problem(food, unit)))
        pack = row.number("pack_size", required=True, positive=True)
        price = row.number("unit_price", required=True)
        capacity = row.number("weekly_capacity")
        try:
            labels = _labels(row.text("labels"))
        except ValueError as error:
            row.fail("labels", f"label inconnu « {error} »")
            labels = []
        valid_from = row.day("valid_from") or today
        valid_to = row.day("valid_to")
        if valid_to and valid_to < valid_from:
            row.fail("valid_to", "la fin de validité précède son début")
        rows.append(
            {
                "line": row.line,
                "food": food,
                "product_label": product[:200],
                "unit": unit,
                "pack_size": pack,
                "unit_price": price,
                "weekly_capacity": capacity,
                "labels": labels,
                "valid_from": valid_from,
                "valid_to": valid_to,
            }
        )
    seen = {}
    for fields in rows:
        line = fields.pop("line")
        key = (fields["food"] and fields["food"].pk, fields["product_label"].lower())
        if fields["food"] is not None and key in seen:
            errors.append(RowError(line, "product", f"même produit qu'à la ligne {seen[key]}"))
        seen.setdefault(key, line)
    return rows, errors


def import_offers(*, producer: Producer, content: bytes, filename: str) -> OfferImportResult:
    """Create or update the producer's offers from a price list; all or nothing."""
    try:
        frame = read_table(content, filename)
    except tables.TableTooLarge as error:
        raise OfferImportError([RowError(0, "", error.message)]) from error
    except Exception as error:  # unreadable file: say so, import nothing
        raise OfferImportError([RowError(0, "", f"fichier illisible ({error})")]) from error
    codes = {str(c).strip().split(".")[0] for c in frame.get("ciqual_code", [])}
    foods = {f.code: f for f in Food.objects.filter(code__in=codes)}
    rows, errors = parse_rows(frame, foods, timezone.localdate())
    if errors:
        raise OfferImportError(errors)
    result = OfferImportResult()
    with transaction.atomic():
        for fields in rows:
            offer, created = Offer.objects.update_or_create(
                producer=producer,
                food=fields.pop("food"),
                product_label=fields.pop("product_label"),
                defaults={**fields, "active": True},
            )
            result.created += created
            result.updated += not created
            result.offers.append(offer)
    return result

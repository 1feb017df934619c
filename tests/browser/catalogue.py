"""What the pages are read against: the French catalogue (which messages have no translation,
which are French), the codes of the models' choices and the texts of the data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parents[2]


PO_FILE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


ACCENTED = re.compile(r"[À-ÖØ-öø-ÿœŒ]")


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    fuzzy: bool = False
    plural: bool = False
    strs: list = field(default_factory=list)


def _unquote(line: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    quoted = line[line.index('"') + 1 : line.rindex('"')]
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), quoted)


def read_catalogue(path: Path = PO_FILE) -> list[Entry]:
    """The entries of a .po file (obsolete ones left out), read without any library."""
    entries, entry, target = [], None, None
    text = path.read_bytes().decode("utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry()
        if line.startswith("#,") and "fuzzy" in line:
            entry.fuzzy = True
        elif line.startswith("msgid_plural"):
            entry.plural, target = True, None
        elif line.startswith("msgid"):
            entry.msgid, target = _unquote(line), "msgid"
        elif line.startswith("msgstr["):
            entry.strs.append(_unquote(line))
            target = "strs"
        elif line.startswith("msgstr"):
            entry.msgstr, target = _unquote(line), "msgstr"
        elif line.startswith('"') and target == "msgid":
            entry.msgid += _unquote(line)
        elif line.startswith('"') and target == "msgstr":
            entry.msgstr += _unquote(line)
        elif line.startswith('"') and target == "strs":
            entry.strs[-1] += _unquote(line)
        elif line.startswith("msgctxt"):
            target = None
    if entry is not None:
        entries.append(entry)
    for made in entries:
        if made.plural and made.strs:
            made.msgstr = made.strs[0]
    return [made for made in entries if made.msgid]


def _clean(message: str) -> str:
    """A message as a page shows it: placeholders and markup taken out."""
    message = re.sub(r"%\([^)]*\)[sdfr]|%[sdf]|\{[^}]*\}|<[^>]+>", " ", message)
    return re.sub(r"\s+", " ", message).strip()


def untranslated_messages(entries: list[Entry]) -> list[str]:
    """English messages without a French translation that a page could show verbatim."""
    found = []
    for entry in entries:
        if entry.msgstr and not entry.fuzzy:
            continue
        text = _clean(entry.msgid)
        if len(text) >= 4 and re.search(r"[a-z]{3}", text):
            found.append(text)
    return found


def french_messages(entries: list[Entry]) -> list[str]:
    """French translations (whole) that differ from their English message."""
    found = []
    for entry in entries:
        if not entry.msgstr or entry.fuzzy:
            continue
        text = _clean(entry.msgstr)
        if text != _clean(entry.msgid) and len(text.split()) >= 2:
            found.append(text)
    return found


def french_words(entries: list[Entry]) -> set[str]:
    """The accented words of the French translations (English has none)."""
    words = set()
    for entry in entries:
        if entry.msgstr and not entry.fuzzy:
            words.update(w for w in WORD.findall(_clean(entry.msgstr)) if ACCENTED.search(w))
    return words


def choice_codes() -> set[str]:
    """The lowercase one-word codes of every model's choices ("milk", "entree", "piece")."""
    codes = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            for value, _label in f.flatchoices or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z]{3,}", value):
                    codes.add(value)
    return codes


def texts_of_the_data() -> list[str]:
    """Every text the world's rows hold (names of dishes, farms, canteens, communes...): data
    is shown as it was written, in French on the English pages too."""
    texts = []
    for model in apps.get_models():
        if model._meta.app_label not in {
            "cantine",
            "nutrition",
            "menus",
            "producers",
            "orders",
            "purchases",
        }:
            continue
        # Free text only: a field with choices, or a JSON list, holds codes ("piece", "milk"),
        # which are what the pages must not show.
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        for name in names:
            for value in model.objects.values_list(name, flat=True).distinct().iterator():
                if value:
                    texts.append(str(value))
    return texts

"""Accent- and case-blind search, one rule for every search box.

People type "boeuf", "pate" or "epinards" for "Bœuf", "Pâtes" and "Épinards": the key folds
case, drops accents and spells the ligatures out (œ, æ and ß have no decomposition, so
stripping accents alone leaves "bœuf" unreachable from "boeuf").
"""

import unicodedata

from django.db.models import QuerySet

LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ﬁ": "fi", "ﬂ": "fl"})


def search_key(text: str) -> str:
    """Lower case, ligatures spelled out, accents dropped: "Bœuf braisé" -> "boeuf braise"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").lower().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_words(text: str) -> list[str]:
    """The words typed, as keys."""
    return search_key(text).split()


def matching(queryset: QuerySet, search: str, *fields: str) -> QuerySet:
    """Rows where every word typed appears in one of ``fields`` (default ``name``).

    The comparison is made on the keys in Python: it serves catalogues and directories of a few
    thousand rows at most (dishes, producers), where a stored key column would be one more
    thing to keep in step. Foods, with their 3,000 CIQUAL rows read on every keystroke, store
    theirs (``Food.search_name``).
    """
    words = search_words(search)
    if not words:
        return queryset
    fields = fields or ("name",)
    keep = [
        pk
        for pk, *values in queryset.values_list("pk", *fields)
        if all(any(word in search_key(value or "") for value in values) for word in words)
    ]
    return queryset.filter(pk__in=keep)

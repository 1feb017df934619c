"""The name a person reads for a code, in the active language: one place for every page, PDF
and export (templates reach it through the ``say`` filters of ``cantine_words``).

The kernel names its own vocabulary (nutrients, age groups, labels, families, units); an app
names its own codes by registering them from its ``AppConfig.ready`` (nutrition: GEMRCN tags,
allergens, components), so that the kernel never imports an app. A code with no name is shown
as it is, so a new code shows up in the every-page browser test instead of disappearing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.translation import gettext

from cantine import vocabulary
from cantine.models import AgeGroup

_PROVIDERS: dict[str, Callable[[], Mapping]] = {}


def register(kind: str, provider: Callable[[], Mapping]) -> None:
    """``provider()`` returns {code: name to translate} for codes of ``kind``."""
    _PROVIDERS[kind] = provider


def names(kind: str) -> Mapping:
    try:
        provider = _PROVIDERS[kind]
    except KeyError:
        raise LookupError(f"no vocabulary named {kind!r}") from None
    return provider()


def name_of(code, kind: str) -> str:
    if code in (None, ""):
        return ""
    name = names(kind).get(str(code))
    return gettext(str(name)) if name is not None else str(code)


def _by_value(mapping: Mapping) -> dict:
    return {code.value: name for code, name in mapping.items()}


register("nutrient", lambda: vocabulary.NUTRIENT_NAMES)
register("age_group", lambda: dict(AgeGroup.choices))
register("label", lambda: _by_value(vocabulary.LABEL_NAMES))
register("label_short", lambda: _by_value(vocabulary.LABEL_SHORT_NAMES))
register("family", lambda: _by_value(vocabulary.FAMILY_LABELS))
register("unit", lambda: _by_value(vocabulary.UNIT_NAMES))

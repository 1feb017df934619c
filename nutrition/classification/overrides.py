"""Dietitian overrides: her decision on a tag wins over the computed one, which is kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from .vocabulary import ALL_TAGS, TagDecision

# --- dietitian overrides -------------------------------------------------------------------------


@dataclass(frozen=True)
class TagOverride:
    """The dietitian's decision on a tag; it wins over the computed one, which is kept."""

    tag: str
    applies: bool
    author: str
    reason: str
    at: datetime | None = None

    def __post_init__(self) -> None:
        if self.tag not in ALL_TAGS:
            raise ValueError(f"unknown tag {self.tag!r}")
        if not self.author.strip() or not self.reason.strip():
            raise ValueError(f"override of {self.tag}: author and reason are required")


@dataclass(frozen=True)
class ResolvedTag:
    tag: str
    applies: bool | None
    computed: TagDecision | None
    override: TagOverride | None

    @property
    def source(self) -> str:
        return "override" if self.override is not None else "computed"


def apply_overrides(
    decisions: Iterable[TagDecision], overrides: Iterable[TagOverride]
) -> list[ResolvedTag]:
    """Merge computed decisions with overrides; with several overrides of a tag the last wins.

    An override may also add a tag that was not computed (computed is then None).
    """
    by_tag: dict[str, TagOverride] = {}
    for override in overrides:
        by_tag[override.tag] = override
    resolved: list[ResolvedTag] = []
    seen: set[str] = set()
    for decision in decisions:
        override = by_tag.get(decision.tag)
        applies = override.applies if override else decision.applies
        resolved.append(ResolvedTag(decision.tag, applies, decision, override))
        seen.add(decision.tag)
    for tag, override in by_tag.items():
        if tag not in seen:
            resolved.append(ResolvedTag(tag, override.applies, None, override))
    return resolved


def applied_tags(resolved: Iterable[ResolvedTag | TagDecision]) -> frozenset[str]:
    """Tags that hold for sure (what the menu planner counts)."""
    return frozenset(item.tag for item in resolved if item.applies is True)

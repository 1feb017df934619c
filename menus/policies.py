"""The menu rules a rule set adds to the GEMRCN frequencies: variety and seasons.

A service module: its writes take keyword arguments only, the acting user as ``actor``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from menus.models import MenuPolicy, VarietyRule
from menus.variety import DEFAULT_RULES
from nutrition.models import RuleSet


@transaction.atomic
def add_default_variety_rules(*, rule_set: RuleSet) -> int:
    """Give a rule set the shipped variety rules it does not have yet; returns how many."""
    have = set(rule_set.variety_rules.values_list("code", flat=True))
    rows = [
        VarietyRule(rule_set=rule_set, code=r.id, kind=r.kind, family=r.family, limit=r.limit)
        for r in DEFAULT_RULES
        if r.id not in have
    ]
    VarietyRule.objects.bulk_create(rows)
    return len(rows)


def set_season_policy(
    *, rule_set: RuleSet, season: str, weight: Decimal | None = None
) -> MenuPolicy:
    policy, _created = MenuPolicy.objects.get_or_create(rule_set=rule_set)
    policy.season = season
    if weight is not None:
        policy.season_weight = weight
    policy.full_clean()
    policy.save()
    return policy

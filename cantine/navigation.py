"""The main navigation: each role sees its own pages and nothing else.

Apps register their pages here in one list, so the menu and the permission tests read the
same source of truth.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cantine.models import Role
from cantine.roles import roles_of


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: frozenset[Role]


CANTEEN_STAFF = frozenset({Role.COOK, Role.DIETITIAN, Role.MANAGER})

NAV_ITEMS = [
    NavItem("menu_index", _("Menus"), CANTEEN_STAFF),
    NavItem("canteen_list", _("Canteens"), CANTEEN_STAFF),
    NavItem("producer_directory", _("Producers"), frozenset({Role.COOK, Role.MANAGER})),
    NavItem("orders_index", _("Orders"), frozenset({Role.COOK, Role.MANAGER})),
    NavItem("consultation_index", _("Consultations"), frozenset({Role.COOK, Role.MANAGER})),
    NavItem("purchase_ledger", _("Purchases"), frozenset({Role.COOK, Role.MANAGER})),
    NavItem("purchase_shares", _("EGalim shares"), frozenset({Role.COOK, Role.MANAGER})),
    NavItem("producer_profile", _("My farm"), frozenset({Role.PRODUCER})),
    NavItem("producer_offers", _("My offers"), frozenset({Role.PRODUCER})),
    NavItem("orders_portal", _("My orders"), frozenset({Role.PRODUCER})),
    NavItem("portal_consultations", _("Consultations and invoices"), frozenset({Role.PRODUCER})),
    NavItem("dish_list", _("Dishes"), frozenset({Role.COOK, Role.DIETITIAN})),
    NavItem("rule_set_list", _("Rule sets"), frozenset({Role.COOK, Role.DIETITIAN})),
]


def items_for(user) -> list[NavItem]:
    roles = roles_of(user)
    return [item for item in NAV_ITEMS if item.roles & roles]


# The menu entry each page belongs to, by its route name's prefix (the most specific first):
# URL prefixes do not tell, since consultations live under /orders/ too.
SECTIONS = [
    ("consultation_", "consultation_index"),
    ("portal_", "portal_consultations"),
    ("orders_portal", "orders_portal"),
    ("invoice_", "orders_index"),
    ("orders_", "orders_index"),
    ("menu_", "menu_index"),
    ("canteen_", "canteen_list"),
    ("producer_directory", "producer_directory"),
    ("producer_profile", "producer_profile"),
    ("producer_offer", "producer_offers"),
    ("purchase_shares", "purchase_shares"),
    ("purchase_", "purchase_ledger"),
    ("dish_", "dish_list"),
    ("food_", "dish_list"),
    ("rule_set_", "rule_set_list"),
]


def section_of(url_name: str) -> str | None:
    """The ``NAV_ITEMS`` entry a page highlights, or None for a page outside the menu."""
    return next((item for prefix, item in SECTIONS if url_name.startswith(prefix)), None)

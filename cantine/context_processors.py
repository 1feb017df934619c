from django.urls import reverse

from cantine.navigation import items_for, section_of
from cantine.roles import roles_of


def navigation(request):
    """Menu entries and role names for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_names": set(), "user_roles": []}
    current = request.path
    match = getattr(request, "resolver_match", None)
    section = section_of(match.url_name) if match and match.url_name else None
    items = []
    for item in items_for(user):
        url = reverse(item.url_name)
        active = item.url_name == section if section else current.startswith(url)
        items.append({"url": url, "label": item.label, "active": active})
    return {
        "nav_items": items,
        # the pages the user's roles open: a link to another one is not shown (it would 403)
        "nav_names": {item.url_name for item in items_for(user)},
        "user_roles": sorted(role.label for role in roles_of(user)),
    }

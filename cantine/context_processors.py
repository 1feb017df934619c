from django.urls import reverse

from cantine.navigation import items_for
from cantine.roles import roles_of


def navigation(request):
    """Menu entries and role names for the base layout."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_names": set(), "user_roles": []}
    current = request.path
    items = []
    for item in items_for(user):
        url = reverse(item.url_name)
        items.append({"url": url, "label": item.label, "active": current.startswith(url)})
    return {
        "nav_items": items,
        # the pages the user's roles open: a link to another one is not shown (it would 403)
        "nav_names": {item.url_name for item in items_for(user)},
        "user_roles": sorted(role.label for role in roles_of(user)),
    }

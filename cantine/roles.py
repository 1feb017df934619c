"""Who may do what: roles come from canteen memberships and from a producer link.

A member of a central kitchen acts for its satellites too, since the kitchen plans and buys
for the whole group (domain.md §1).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from rest_framework.permissions import BasePermission

from cantine.models import Canteen, Role


def roles_of(user) -> frozenset[Role]:
    """The roles a user holds anywhere; cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_cantine_roles", None)
    if cached is None:
        roles = {Role(r) for r in user.memberships.values_list("role", flat=True).distinct()}
        if producer_of(user) is not None:
            roles.add(Role.PRODUCER)
        cached = frozenset(roles)
        user._cantine_roles = cached
    return cached


def producer_of(user):
    """The producer a user answers for, or None."""
    membership = getattr(user, "producer_membership", None)
    return membership.producer if membership is not None else None


def canteens_for(user, *roles: Role):
    """Canteens the user may act on in one of ``roles`` (all roles when none is given)."""
    if not user.is_authenticated:
        return Canteen.objects.none()
    roles = roles or tuple(Role)
    membership = Q(memberships__user=user, memberships__role__in=roles)
    via_kitchen = Q(
        central_kitchen__memberships__user=user, central_kitchen__memberships__role__in=roles
    )
    return Canteen.objects.filter(membership | via_kitchen).distinct()


def has_role(user, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def role_required(*roles: Role):
    """View decorator: anonymous users go to the login page, others without the role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


class HasRole(BasePermission):
    """DRF permission: ``permission_classes = [HasRole.of(Role.COOK, Role.MANAGER)]``."""

    roles: tuple[Role, ...] = ()

    @classmethod
    def of(cls, *roles: Role):
        return type(f"HasRole_{'_'.join(roles)}", (cls,), {"roles": roles})

    def has_permission(self, request, view):
        return request.user.is_authenticated and has_role(request.user, *self.roles)

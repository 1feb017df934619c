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

MAX_ID = 2**31 - 1  # larger ids are no canteen's (and overflow a database integer)


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


# --- The one rule for what a kitchen plans and buys -------------------------------------------
#
# Menus, dishes, needs, allocation and plan runs, lots and purchase orders belong to a
# *kitchen*: a central kitchen, or a canteen that cooks for itself (``Canteen.kitchen``). The
# kitchen's staff plan and buy for its satellites, so they read and write all of it. Staff of a
# satellite only hold no role at the kitchen: they read what is served to their satellite (the
# kitchen's menus and dishes, ``served=True``) and never write any of it, nor read what the
# kitchen buys. Every page, export and endpoint on these objects resolves its canteen through
# ``kitchen_for`` (or filters through ``kitchens_for`` / ``in_kitchens``): a satellite's id
# leads to its kitchen, and the role is checked *there*.


def kitchens_for(user, *roles: Role, write: bool = False, served: bool = False):
    """Kitchens whose planning and buying ``user`` may read (``write=True``: change) in one
    of ``roles`` (all roles when none is given).

    Writers and readers hold the role at the kitchen itself; with ``served=True`` (what the
    kitchen serves: menus, dishes, compliance) staff of one of its satellites read too.
    """
    if not user.is_authenticated:
        return Canteen.objects.none()
    roles = roles or tuple(Role)
    at_kitchen = Q(memberships__user=user, memberships__role__in=roles)
    if served and not write:
        at_kitchen |= Q(satellites__memberships__user=user, satellites__memberships__role__in=roles)
    return Canteen.objects.filter(at_kitchen, central_kitchen__isnull=True).distinct()


def in_kitchens(kitchens, field: str = "canteen") -> Q:
    """Rows whose ``field`` (a foreign key to Canteen) is one of ``kitchens`` or one of their
    satellites (``kitchens`` is a queryset, e.g. from ``kitchens_for``)."""
    pks = kitchens.values("pk")
    return Q(**{f"{field}__in": pks}) | Q(**{f"{field}__central_kitchen__in": pks})


def may_act(user, canteen, *roles: Role, write: bool = False, served: bool = False) -> bool:
    """Whether ``user`` may read (or write) what ``canteen``'s kitchen plans and buys."""
    kitchen_id = canteen.central_kitchen_id or canteen.pk
    return kitchens_for(user, *roles, write=write, served=served).filter(pk=kitchen_id).exists()


def kitchen_for(user, pk, *roles: Role, write: bool = False, served: bool = False) -> Canteen:
    """The kitchen that plans and buys for canteen ``pk`` (its central kitchen, or itself),
    if ``user`` may act on it in one of ``roles``.

    Raises Http404 when the user may not even read it (ids of others cannot be probed) and
    PermissionDenied when they may read but not write it.
    """
    from django.http import Http404

    canteen = (
        Canteen.objects.select_related("central_kitchen", "commune").filter(pk=pk).first()
        if str(pk).isdigit() and int(pk) <= MAX_ID
        else None
    )
    if canteen is None:
        raise Http404
    kitchen = canteen.kitchen
    if may_act(user, kitchen, *roles, write=write, served=served):
        return kitchen
    if write and may_act(user, kitchen, served=served):
        raise PermissionDenied
    raise Http404

"""How the API says no: one exception handler and one JSON parser for every endpoint.

Domain errors are mapped here once rather than in each view, so an endpoint that forgets to
catch one still answers a clear 4xx, never a 500:

- a row still referenced (``ProtectedError``: an offer with order lines, a dish on a menu)
  is a conflict, 409, with the message a user can act on;
- a model or service ``ValidationError`` is a 400 listing its messages per field;
- a business rule refusing (``cantine.refusals.DomainError``, e.g. ``orders.lifecycle.OrderError``)
  is a 409.

The parser refuses JSON nested deeper than ``MAX_JSON_DEPTH`` (a body of 100,000 ``[`` made
the standard decoder raise ``RecursionError``, a 500); no request of this API needs more.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from cantine.refusals import DomainError

MAX_JSON_DEPTH = 32


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state of the resource."
    default_code = "conflict"


def _still_used(exc) -> str:
    """ "Still used by 2 purchase order lines: …" — what holds the row, for the user to act."""
    held = list(
        exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    )
    if not held:
        return _("This is still in use and cannot be deleted.")
    meta = held[0]._meta
    name = meta.verbose_name if len(held) == 1 else meta.verbose_name_plural
    return _("Still used by %(count)d %(what)s: it cannot be deleted (deactivate it instead).") % {
        "count": len(held),
        "what": name,
    }


def _domain_error(exc):
    """The DRF exception a domain exception stands for, or None."""
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Conflict(_still_used(exc))
    if isinstance(exc, DjangoValidationError):
        return ValidationError(as_serializer_error(exc))
    if isinstance(exc, DomainError):
        return Conflict(str(exc))
    return None


def exception_handler(exc, context):
    """``REST_FRAMEWORK['EXCEPTION_HANDLER']``: domain errors first, then DRF's own."""
    return drf_exception_handler(_domain_error(exc) or exc, context)


def _depth(value) -> int:
    """How deeply ``value`` nests lists and objects (iterative: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON bodies, refused with a 400 when nested deeper than ``MAX_JSON_DEPTH``."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply.")) from None
        if _depth(data) > MAX_JSON_DEPTH:
            raise ParseError(_("JSON nested too deeply."))
        return data

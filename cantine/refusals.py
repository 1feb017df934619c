"""How a page says no: one exception, one middleware, one fragment.

A view (or a helper it calls, e.g. the period read from ``?start=``) raises ``Refused`` with
the problems in words a user can act on; ``RefusalMiddleware`` answers it with
``cantine/_refusal.html`` — the fragment alone for an HTMX request, so it lands where the
answer would have gone, else inside the site's page. Domain errors that reach a page
uncaught are answered the same way: a ``ValidationError`` is a 400, a row still in use
(``ProtectedError``) or a ``DomainError`` (a business rule saying no) a 409. The API maps the
same exceptions to the same statuses (``cantine.api_errors``).
"""

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import render
from django.utils.translation import gettext as _


class DomainError(Exception):
    """A business rule said no (an order that cannot move to that status, a capacity already
    promised); the message is for the person who asked. Apps subclass it (``OrderError``) so
    that pages and the API answer it the same way without knowing the app."""


class Refused(Exception):
    """The request cannot be done as sent; ``problems`` say why (one sentence each)."""

    def __init__(self, problems, status: int = 400):
        self.problems = [str(p) for p in ([problems] if isinstance(problems, str) else problems)]
        self.status = status
        super().__init__("; ".join(self.problems))

    @classmethod
    def from_form(cls, form) -> "Refused":
        """The errors of an invalid form, each prefixed with its field's label."""
        problems = []
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            label = f"{field.label or name}: " if field is not None else ""
            problems.extend(f"{label}{message}" for message in errors)
        return cls(problems)


def refusal(request, problems: list[str], status: int = 400):
    """The refusal answer: the fragment for HTMX, a whole page otherwise."""
    template = (
        "cantine/_refusal.html" if getattr(request, "htmx", False) else "cantine/refusal.html"
    )
    return render(request, template, {"problems": problems}, status=status)


def _as_refused(exc) -> Refused | None:
    if isinstance(exc, Refused):
        return exc
    if isinstance(exc, ValidationError):
        return Refused(exc.messages)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Refused([_("This is still in use and cannot be deleted.")], status=409)
    if isinstance(exc, DomainError):
        return Refused([str(exc)], status=409)
    return None


class RefusalMiddleware:
    """Turns ``Refused`` and uncaught domain errors of pages into the refusal answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if request.path.startswith("/api/"):
            return None  # DRF maps its own (cantine.api_errors)
        refused = _as_refused(exc)
        if refused is None:
            return None
        return refusal(request, refused.problems, refused.status)

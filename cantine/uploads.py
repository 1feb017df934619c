"""Request bodies and uploaded files, bounded before they are read.

Django reads a request's body only when a view (or the CSRF check) asks for ``request.POST``
or ``request.FILES``; by then a 2 GB upload has gone to disk and a view's "file over 5 MB"
check comes too late. :class:`BodyLimitMiddleware` refuses a body whose declared
``Content-Length`` exceeds the view's limit before anything reads it (Django's WSGI request
never reads past ``Content-Length``, so the declared length bounds what can arrive). Views
that take files say how much with :func:`max_body`; every other view gets
``settings.DATA_UPLOAD_MAX_MEMORY_SIZE``, also for JSON sent to the API, which Django's own
limit does not cover (DRF parsers read the stream directly).

Import pages show at most :data:`MAX_ERRORS` problems and count the rest
(:func:`capped`): a file of 200,000 bad lines must not become a 9-million-character page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_ERRORS = 100
MB = 1024 * 1024
# Slack for the multipart envelope around a file (boundaries, headers, the CSRF field).
MULTIPART_OVERHEAD = 64 * 1024


def max_body(limit: int) -> Callable:
    """Let a view accept a file of ``limit`` bytes (plus the multipart envelope)."""

    def decorate(view):
        view.max_body_bytes = limit + MULTIPART_OVERHEAD
        view.max_file_bytes = limit
        return view

    return decorate


def megabytes(size: int) -> str:
    """5 for 5 MB, 2,5 (in French) for 2.5 MB."""
    value = size / MB
    return number_format(value, 0 if value.is_integer() else 1)


def too_large_message(limit: int) -> str:
    return _("The file is larger than %(size)s MB: split it into smaller files.") % {
        "size": megabytes(limit)
    }


class BodyLimitMiddleware:
    """413 for a body declared larger than the view accepts, before anything reads it.

    Placed before ``CsrfViewMiddleware``, whose ``process_view`` reads ``request.POST``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = getattr(view_func, "max_body_bytes", settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if length <= limit:
            return None
        message = too_large_message(getattr(view_func, "max_file_bytes", limit))
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(
            render_to_string("cantine/request_too_large.html", {"message": message}, request),
            status=413,
        )


def capped(errors: Sequence, limit: int = MAX_ERRORS) -> tuple[list, int]:
    """The first ``limit`` errors to show, and how many more there are."""
    return list(errors[:limit]), max(0, len(errors) - limit)

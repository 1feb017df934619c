"""Idempotency keys for API writes: a client that retries sends the same key and gets the
first answer back, whatever happened in between (a lost response, a double submit).

A key is 1 to 100 visible ASCII characters (a UUID fits); anything else is refused with 400
rather than cut to fit, which made two long keys with the same first 100 characters replay
each other's answers. A key is bound to what it was first sent with: the endpoint and the
request's body (the SHA-256 of its parsed data, so the same JSON with other spacing or key
order is the same request); the same key with another body answers 422.
"""

import hashlib
import json
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework.response import Response

from cantine.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_LENGTH = IdempotencyKey._meta.get_field("key").max_length
KEY_PATTERN = re.compile(rf"^[\x21-\x7e]{{1,{MAX_LENGTH}}}$")


def request_digest(request) -> str:
    """The SHA-256 of the request's parsed body, independent of spacing and key order."""
    data = request.data
    if isinstance(data, QueryDict):
        data = {key: data.getlist(key) for key in sorted(data)}
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(request, act: Callable[[], Response]) -> Response:
    """Run ``act`` once per (user, Idempotency-Key); replay its answer for a repeated key."""
    if HEADER not in request.headers:
        return act()
    key = request.headers[HEADER].strip()
    if not KEY_PATTERN.match(key):
        return Response(
            {
                "detail": _(
                    "%(header)s must be 1 to %(max)s visible ASCII characters (a UUID, say)."
                )
                % {"header": HEADER, "max": MAX_LENGTH}
            },
            400,
        )
    endpoint = f"{request.method} {request.path}"
    digest = request_digest(request)
    stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
    if stored is not None:
        return _replay(stored, endpoint, digest)
    raced = False
    with transaction.atomic():
        response = act()
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    user=request.user,
                    key=key,
                    endpoint=endpoint,
                    request_digest=digest,
                    status_code=response.status_code,
                    body=response.data,
                )
        except IntegrityError:
            # The same key raced us and won: undo this run and answer as it did.
            transaction.set_rollback(True)
            raced = True
    if raced:
        return _replay(IdempotencyKey.objects.get(user=request.user, key=key), endpoint, digest)
    return response


def _replay(stored: IdempotencyKey, endpoint: str, digest: str) -> Response:
    if stored.endpoint != endpoint:
        return Response(
            {
                "detail": _("%(header)s already used for %(endpoint)s.")
                % {"header": HEADER, "endpoint": stored.endpoint}
            },
            422,
        )
    if stored.request_digest and stored.request_digest != digest:
        return Response(
            {
                "detail": _("%(header)s already used with another request body.")
                % {"header": HEADER}
            },
            422,
        )
    return Response(stored.body, status=stored.status_code, headers={"Idempotent-Replay": "true"})

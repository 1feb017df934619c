"""Idempotency keys for API writes: a client that retries sends the same key and gets the
first answer back, whatever happened in between (a lost response, a double submit)."""

from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from cantine.models import IdempotencyKey

HEADER = "Idempotency-Key"


def idempotent(request, act: Callable[[], Response]) -> Response:
    """Run ``act`` once per (user, Idempotency-Key); replay its answer for a repeated key."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return act()
    endpoint = f"{request.method} {request.path}"
    stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
    if stored is not None:
        if stored.endpoint != endpoint:
            return Response({"detail": f"{HEADER} already used for {stored.endpoint}"}, 422)
        return Response(
            stored.body, status=stored.status_code, headers={"Idempotent-Replay": "true"}
        )
    raced = False
    with transaction.atomic():
        response = act()
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(
                    user=request.user,
                    key=key[:100],
                    endpoint=endpoint,
                    status_code=response.status_code,
                    body=response.data,
                )
        except IntegrityError:
            # The same key raced us and won: undo this run and answer as it did.
            transaction.set_rollback(True)
            raced = True
    if raced:
        stored = IdempotencyKey.objects.get(user=request.user, key=key[:100])
        return Response(stored.body, status=stored.status_code)
    return response

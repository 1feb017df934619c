"""API tokens that expire, can be revoked, die with a password change and are stored hashed.

DRF's ``authtoken`` kept every key in clear, forever, through password changes. Here a key is
40 random bytes (URL-safe base64) shown once; the database holds its SHA-256 (a fast digest is
enough for a key of that entropy: no dictionary to try) and the first characters for people to
tell keys apart. A key is refused once ``expires_at`` has passed, once ``revoked_at`` is set,
and once its user's password changed: ``password_stamp`` is the user's session hash at issue
time (``AbstractBaseUser.get_session_auth_hash``, an HMAC of the password hash), the same
check that logs sessions out after a password change.

Clients send ``Authorization: Token <key>`` (DRF's keyword, so existing clients keep working)
or ``Authorization: Bearer <key>``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from cantine.models import ApiToken

KEYWORDS = (b"token", b"bearer")


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def lifetime() -> timedelta:
    return timedelta(days=getattr(settings, "API_TOKEN_DAYS", 90))


def issue(user, *, name: str = "", days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its key, which is not stored and cannot be shown again."""
    key = secrets.token_urlsafe(40)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=digest(key),
        prefix=key[:8],
        password_stamp=user.get_session_auth_hash(),
        expires_at=timezone.now() + (timedelta(days=days) if days else lifetime()),
    )
    return token, key


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def refusal(token: ApiToken | None) -> str | None:
    """Why this token no longer opens the API, or None if it does."""
    if token is None:
        return _("Invalid token.")
    if token.revoked_at is not None:
        return _("This token was revoked.")
    if token.expires_at <= timezone.now():
        return _("This token has expired: ask for a new one.")
    user = token.user
    if not user.is_active:
        return _("User inactive or deleted.")
    if not constant_time_compare(token.password_stamp, user.get_session_auth_hash()):
        return _("The password changed since this token was issued: ask for a new one.")
    return None


class HashedTokenAuthentication(BaseAuthentication):
    """DRF authentication by ``Authorization: Token <key>`` against hashed, expiring tokens."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        token = ApiToken.objects.select_related("user").filter(digest=digest(key)).first()
        reason = refusal(token)
        if reason is not None:
            raise exceptions.AuthenticationFailed(reason)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


try:  # the API schema names the scheme (drf-spectacular cannot guess a custom class)
    from drf_spectacular.extensions import OpenApiAuthenticationExtension
except ImportError:  # pragma: no cover - drf-spectacular is a runtime dependency
    pass
else:

    class HashedTokenScheme(OpenApiAuthenticationExtension):
        target_class = "cantine.tokens.HashedTokenAuthentication"
        name = "tokenAuth"

        def get_security_definition(self, auto_schema):
            return {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "Token <key> (or Bearer <key>); keys expire and are revocable.",
            }

"""What a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE).

After ``AXES_FAILURE_LIMIT`` wrong passwords for one username from one address, axes refuses
that pair for ``AXES_COOLOFF_TIME``, even with the right password (30 guesses in 21 s used to
end with the right one accepted). The page says so in French, with how long to wait.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def cooloff_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def locked_out(request, original_response=None, credentials=None):
    minutes = cooloff_minutes()
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        message = _("Too many failed logins: try again in %(minutes)s minutes.") % {
            "minutes": minutes
        }
        return JsonResponse({"detail": message}, status=status)
    return render(
        request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=status
    )

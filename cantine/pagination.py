"""API pages: ``limit`` and ``offset`` bounded, so a huge number is a short page, not a 500.

``?limit=99999999999999999999`` used to reach the database as an integer it cannot hold
(SQLite: OverflowError). ``limit`` is capped at ``max_limit``; ``offset`` at ``MAX_OFFSET``,
far past any list this API holds, so a larger one reads the same empty page.
"""

from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 10_000_000


class CappedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 500

    def get_offset(self, request):
        return min(super().get_offset(request), MAX_OFFSET)

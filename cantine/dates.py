"""Calendar arithmetic every app shares, so that a "week" means the same everywhere."""

from datetime import date, timedelta


def week_start(day: date) -> date:
    """The Monday of ``day``'s week: needs, weekly capacities and plans are counted by it."""
    return day - timedelta(days=day.weekday())

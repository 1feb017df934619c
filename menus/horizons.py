"""How far a plan reaches: the weeks shown, the end of the term, or the end of the school year.

The dates come from the canteen's school calendar (``menus.closures``: its zone's holidays,
the official periods imported for Corse and overseas). A term (trimestre) ends the day before
the Christmas, spring or summer holidays begin; the school year ends the day before the summer
holidays (early July). A canteen that cooks through the school holidays still counts its terms
by the zone of its département's académie. Closed days and holidays inside the horizon get no
meal to plan, as for the weeks shown (``services.ensure_meals`` creates them closed).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cantine.models import Canteen
from menus import school_calendar
from menus.closures import settings_for
from menus.models import SchoolHolidayPeriod


class Horizon(models.TextChoices):
    WEEKS = "weeks", gettext_lazy("the weeks shown")
    TERM = "term", gettext_lazy("until the end of the term")
    YEAR = "year", gettext_lazy("the school year")


# Words (lowercased) in the names of the holidays that close a term, and the summer's.
TERM_ENDS = ("noël", "printemps", "été")
SUMMER = ("été",)
SEARCH_DAYS = 400  # a school year ends within this many days of any day


def _zone(canteen: Canteen) -> str:
    zone = settings_for(canteen).zone
    if zone == school_calendar.NO_ZONE:
        zone = school_calendar.zone_for_region(canteen.commune.department.region_id)
    return zone


def _holiday_starts(canteen: Canteen, start: date) -> list[tuple[date, str]]:
    """(first day, lowercased name) of each school-holiday period beginning after ``start``."""
    zone = _zone(canteen)
    end = start + timedelta(days=SEARCH_DAYS)
    if zone == school_calendar.NO_ZONE:
        return []
    extra = [
        school_calendar.Period(p.zone, p.name, p.first_day, p.last_day)
        for p in SchoolHolidayPeriod.objects.filter(
            zone=zone, first_day__lte=end, last_day__gte=start
        )
    ]
    days = school_calendar.school_holidays(zone, start, end, extra)
    return [
        (day, name.lower())
        for day, name in days.items()
        if day > start and days.get(day - timedelta(days=1)) != name
    ]


def _end_before(canteen: Canteen, start: date, words: tuple[str, ...], what: str) -> date:
    for first_day, name in _holiday_starts(canteen, start):
        if any(word in name for word in words):
            return first_day - timedelta(days=1)
    raise ValidationError(
        _("The school calendar of this canteen does not say when %(what)s ends after %(day)s.")
        % {"what": what, "day": start.strftime("%d/%m/%Y")}
    )


def term_end(canteen: Canteen, start: date) -> date:
    """The last day before the next Christmas, spring or summer holidays."""
    return _end_before(canteen, start, TERM_ENDS, _("the term"))


def school_year_end(canteen: Canteen, start: date) -> date:
    """The last day before the next summer holidays (early July)."""
    return _end_before(canteen, start, SUMMER, _("the school year"))


def horizon_end(canteen: Canteen, start: date, horizon: str, weeks_end: date) -> date:
    """The plan's last day: ``weeks_end`` for the weeks shown, else the term's or year's end
    (never before the weeks shown end)."""
    if horizon == Horizon.TERM:
        return max(weeks_end, term_end(canteen, start))
    if horizon == Horizon.YEAR:
        return max(weeks_end, school_year_end(canteen, start))
    return weeks_end

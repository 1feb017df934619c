"""Which days a kitchen does not cook, and why, in words the cook reads.

Three causes: a public holiday of the kitchen's département, a school holiday of its zone,
and a day the cook closed (bridge day, strike, school trip). ``ensure_meals`` creates the
meals of the first two causes already closed, so that planning windows, needs and orders,
which all read open meals only, skip them without knowing why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from cantine.models import Canteen
from menus import school_calendar
from menus.models import CanteenCalendar, Meal, SchoolHolidayPeriod, SchoolZone

FOLLOWS_SCHOOL_HOLIDAYS = {
    Canteen.Kind.SCHOOL,
    Canteen.Kind.CENTRAL_KITCHEN,
    Canteen.Kind.SATELLITE,
}


@dataclass(frozen=True)
class DayOff:
    kind: str  # "public_holiday" | "school_holiday"
    label: str


@dataclass(frozen=True)
class CalendarSettings:
    department: str
    zone: str
    open_on_public_holidays: bool
    zone_derived: bool


def settings_for(canteen: Canteen) -> CalendarSettings:
    """The zone and holiday policy of a canteen: its own choice, else from its place and kind."""
    department = canteen.commune.department
    own = CanteenCalendar.objects.filter(canteen=canteen).first()
    derived = (
        school_calendar.zone_for_region(department.region_id)
        if canteen.kind in FOLLOWS_SCHOOL_HOLIDAYS
        else school_calendar.NO_ZONE
    )
    zone = own.school_zone if own and own.school_zone else derived
    open_days = own.open_on_public_holidays if own else None
    if open_days is None:
        open_days = canteen.kind == Canteen.Kind.HEALTH
    return CalendarSettings(department.code, zone, open_days, not (own and own.school_zone))


def zone_label(zone: str) -> str:
    if zone in school_calendar.NATIONAL_ZONES:
        return _("zone %(zone)s") % {"zone": zone}
    return str(SchoolZone(zone).label)


def days_off(canteen: Canteen, start: date, end: date) -> dict[date, DayOff]:
    """The kitchen's public and school holidays in [start, end] (a public holiday wins)."""
    settings = settings_for(canteen)
    result: dict[date, DayOff] = {}
    if settings.zone != school_calendar.NO_ZONE:
        extra = [
            school_calendar.Period(p.zone, p.name, p.first_day, p.last_day)
            for p in SchoolHolidayPeriod.objects.filter(
                zone=settings.zone, first_day__lte=end, last_day__gte=start
            )
        ]
        label = zone_label(settings.zone)
        for day, name in school_calendar.school_holidays(settings.zone, start, end, extra).items():
            result[day] = DayOff("school_holiday", f"{name} ({label})")
    if not settings.open_on_public_holidays:
        for day, name in school_calendar.public_holidays(settings.department, start, end).items():
            result[day] = DayOff("public_holiday", _("Public holiday: %(name)s") % {"name": name})
    return result


def closure_text(meal: Meal, day_off: DayOff | None) -> str:
    """Why a closed meal serves nothing: the calendar's reason, else the cook's."""
    if day_off is not None:
        return day_off.label
    reason = meal.get_closure_display() if meal.closure else (meal.note or _("closed"))
    return _("Closed: %(reason)s") % {"reason": reason}

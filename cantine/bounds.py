"""The dates and years this app accepts, for every form, filter and serializer.

A canteen plans, buys and reports within living memory: dates from 1 January 2000 to
31 December 2100, years 2000 to 2100. Anything else is a typo or a probe, and used to reach
date arithmetic that overflows (``9999-12-27`` plus a week) or loops that write rows for
centuries; it is refused with the range in the message.

``DayField`` / ``YearField`` are for Django forms, ``ApiDayField`` / ``ApiYearField`` for
DRF serializers; both carry the same validators (and the schema shows the year's range).
"""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from rest_framework import serializers

DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year


def validate_day(value: date) -> None:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(
            _("Give a date between %(min)s and %(max)s."),
            code="date_range",
            params={"min": date_format(DATE_MIN), "max": date_format(DATE_MAX)},
        )


def validate_year(value: int) -> None:
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise ValidationError(
            _("Give a year between %(min)s and %(max)s."),
            code="year_range",
            params={"min": YEAR_MIN, "max": YEAR_MAX},
        )


class DayField(forms.DateField):
    default_validators = [validate_day]


class YearField(forms.IntegerField):
    default_validators = [validate_year]


class ApiDayField(serializers.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("validators", []).append(validate_day)
        super().__init__(**kwargs)


class ApiYearField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", YEAR_MIN)
        kwargs.setdefault("max_value", YEAR_MAX)
        super().__init__(**kwargs)

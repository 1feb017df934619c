"""Query filters of the API lists, read by a serializer like any other input.

``?canteen=abc`` or ``?start=notadate`` used to reach the ORM as is (a 500 from the date
parser or the integer cast); each list now validates its filters and answers 400 naming
the filter. The classes double as the schema's query parameters
(``extend_schema(parameters=[CanteenPeriodFilter])``).
"""

from rest_framework import serializers

from cantine.bounds import ApiDayField, ApiYearField
from cantine.roles import MAX_ID


class CanteenFilter(serializers.Serializer):
    canteen = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this canteen's rows."
    )


class CanteenPeriodFilter(CanteenFilter):
    start = ApiDayField(required=False, help_text="From this day (ISO date).")
    end = ApiDayField(required=False, help_text="Until this day (ISO date).")


class CanteenYearFilter(CanteenFilter):
    year = ApiYearField(required=False, help_text="Only this calendar year.")


def read_filters(request, filter_class) -> dict:
    """The filters of ``request`` validated by ``filter_class`` (400 on the first bad one).
    Absent filters are absent from the result."""
    found = filter_class(data=request.query_params)
    found.is_valid(raise_exception=True)
    return found.validated_data

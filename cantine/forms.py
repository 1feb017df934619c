from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.models import AgeGroup, Canteen, Territory
from cantine.selectors import SERVICE_DAYS


class TypedDecimalField(forms.DecimalField):
    """A decimal as people type it: "50,5" or "50.5" in either language, spaces ignored.

    Quantities here never carry thousands separators, so a comma can only be the decimal one.
    """

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


DECIMAL_INPUT = {"inputmode": "decimal", "autocomplete": "off"}


def typed_decimal_formfield(db_field, **kwargs):
    """A ``ModelForm`` ``formfield_callback``: model decimals become ``TypedDecimalField`` in a
    text input, shown localised and read as typed (see ``decimal_field``)."""
    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", TypedDecimalField)
        kwargs.setdefault("localize", True)
        kwargs.setdefault("widget", forms.TextInput(attrs=DECIMAL_INPUT))
    return db_field.formfield(**kwargs)


def decimal_field(label, *, min_value, max_value=None, max_digits, decimal_places, **kwargs):
    """A decimal shown in the page's language ("50,0" in French) and read as typed.

    A text input, not ``type=number``: a browser's number input cannot show the localised
    "50,0" a French page renders, and would show an empty field (then save it empty).
    """
    return TypedDecimalField(
        label=label,
        min_value=min_value,
        max_value=max_value,
        max_digits=max_digits,
        decimal_places=decimal_places,
        localize=True,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        **kwargs,
    )


class LocalDefinitionForm(forms.ModelForm):
    class Meta:
        model = Canteen
        fields = ["local_scope", "local_radius_km", "local_territory"]
        widgets = {"local_scope": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["local_territory"].queryset = Territory.objects.order_by("name")


class CoverGridForm(forms.Form):
    """One number field per age group x service day, named ``covers_<age>_<day>``."""

    def __init__(self, *args, days=SERVICE_DAYS, initial_grid=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = days
        initial_grid = initial_grid or {}
        for age_group in AgeGroup:
            for day in days:
                name = self.field_name(age_group.value, day.value)
                self.fields[name] = forms.IntegerField(
                    label=f"{age_group.label} · {day.label}",
                    min_value=0,
                    max_value=20000,
                    initial=initial_grid.get((age_group.value, day.value), 0),
                    error_messages={
                        "min_value": _("Covers cannot be negative."),
                        "invalid": _("Enter a whole number of covers."),
                    },
                )

    @staticmethod
    def field_name(age_group: str, weekday: int) -> str:
        return f"covers_{age_group}_{weekday}"

    def rows(self):
        """Bound fields arranged as the page's table: one row per age group."""
        return [
            (age_group, [self[self.field_name(age_group.value, day.value)] for day in self.days])
            for age_group in AgeGroup
        ]

    def grid(self) -> dict[tuple[str, int], int]:
        return {
            (age_group.value, day.value): self.cleaned_data[
                self.field_name(age_group.value, day.value)
            ]
            for age_group in AgeGroup
            for day in self.days
        }

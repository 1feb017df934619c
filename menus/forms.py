from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from cantine.bounds import DayField
from cantine.forms import TypedDecimalField
from menus.horizons import Horizon
from menus.models import PlanRun


class PeriodForm(forms.Form):
    """Which weeks the calendar shows (defaults to the next four from this Monday)."""

    start = DayField(label=_("From the week of"), required=False)
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=8, required=False)


class PlanForm(forms.Form):
    preset = forms.ChoiceField(
        label=_("Goal"), choices=PlanRun.Preset.choices, initial=PlanRun.Preset.CHEAPEST
    )
    keep_existing = forms.BooleanField(
        label=_("Keep the dishes already planned"),
        required=False,
        initial=True,
        help_text=_("Untick to plan the whole period again around the locked dishes."),
    )
    max_cost_per_meal = TypedDecimalField(
        label=_("Budget per meal (€ HT)"),
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        help_text=_("Optional cap for a primary-school meal."),
    )
    aim_shares = forms.BooleanField(
        label=_("Aim at the EGalim targets (50 % sustainable, of which 20 % organic)"),
        required=False,
        initial=False,
        help_text=_("Shares of the food cost, bought from each product's cheapest offer."),
    )
    horizon = forms.ChoiceField(
        label=_("Plan for"),
        choices=Horizon.choices,
        initial=Horizon.WEEKS,
        required=False,
    )
    start = DayField(widget=forms.HiddenInput)
    weeks = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=8)

    def clean_horizon(self):
        return self.cleaned_data.get("horizon") or Horizon.WEEKS

    def period(self):
        """The weeks shown: the plan's period when the horizon is those weeks."""
        start = self.cleaned_data["start"]
        return start, start + timedelta(days=7 * self.cleaned_data["weeks"] - 1)


class CopyWeekForm(forms.Form):
    source = DayField(widget=forms.HiddenInput)
    target = DayField(label=_("Copy to the week of"))

    def clean(self):
        data = super().clean()
        for name in ("source", "target"):
            if data.get(name) and data[name].weekday() != 0:
                self.add_error(name, _("Pick a Monday."))
        return data


MAX_SCDL_BYTES = 5 * 1024 * 1024


class ScdlImportForm(forms.Form):
    file = forms.FileField(label=_("SCDL menu file (CSV)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SCDL_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                self.cleaned_data["text"] = raw.decode(encoding)
                return upload
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(_("The file is neither UTF-8 nor Windows-1252 text."))

from django import forms
from django.utils.translation import gettext_lazy as _

from cantine.bounds import DayField
from cantine.forms import TypedDecimalField, decimal_field
from orders.models import AllocationRun


class PeriodForm(forms.Form):
    """Which weeks of needs a page shows."""

    start = DayField(label=_("From the week of"), required=False)
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=8, required=False)


class NeedQuantityForm(forms.Form):
    """The cook's figure for a need; empty goes back to the computed quantity."""

    manual_quantity = decimal_field(
        _("Adjusted quantity"), required=False, min_value=0, max_digits=10, decimal_places=1
    )


def _percent(label):
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_value=100, decimal_places=1
    )


class AllocationForm(forms.Form):
    """Ask for an allocation of the period's needs, with optional share targets in %."""

    start = DayField(widget=forms.HiddenInput)
    weeks = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=8)
    goal = forms.ChoiceField(
        label=_("Goal"),
        choices=AllocationRun.Goal.choices,
        initial=AllocationRun.Goal.MIN_COST,
        required=False,  # the cheapest, as before the goal could be chosen
        widget=forms.RadioSelect,
    )
    budget = forms.DecimalField(
        label=_("Budget (€ HT)"),
        required=False,
        min_value=0.01,
        max_digits=12,
        decimal_places=2,
        help_text=_("Goods and delivery. Required for the most local; a cap otherwise."),
    )
    bio_min_share = _percent(_("Organic at least (%)"))
    egalim_min_share = _percent(_("EGalim at least (%)"))
    local_min_share = _percent(_("Local at least (%)"))

    def targets(self) -> dict[str, float]:
        return {
            key: float(self.cleaned_data[key]) / 100
            for key in ("bio_min_share", "egalim_min_share", "local_min_share")
            if self.cleaned_data.get(key)
        }


class ReceiptForm(forms.Form):
    """What arrived, line by line, and the day it arrived (the ledger lines carry that date)."""

    received_on = DayField(
        label=_("Received on"),
        required=False,
        help_text=_("The day the delivery arrived: not a day to come, not before sending."),
    )
    insertion_hours = TypedDecimalField(
        label=_("Hours of insertion work declared for this delivery"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
    )

    def __init__(self, order, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.lines = [line for line in order.lines.all() if line.confirmed_packs]
        for line in self.lines:
            self.fields[f"received_{line.pk}"] = TypedDecimalField(
                label=line.product,
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=3,
                error_messages={"invalid": _("Enter the received quantities as numbers.")},
            )
            self.fields[f"remark_{line.pk}"] = forms.CharField(
                label=_("Quality remark"), required=False, max_length=300
            )

    def clean_received_on(self):
        from orders import lifecycle  # lifecycle imports receipts and models, not forms

        day = self.cleaned_data.get("received_on") or lifecycle.default_receipt_date(self.order)
        if day is None:
            raise forms.ValidationError(
                _("Give the day the delivery arrived (it is planned for %(day)s).")
                % {"day": self.order.delivery_date.strftime("%d/%m/%Y")}
            )
        try:
            lifecycle.check_receipt_date(self.order, day)
        except lifecycle.ReceiptDateError as error:
            raise forms.ValidationError(str(error)) from None
        return day

    def received(self) -> dict:
        from decimal import Decimal

        return {
            line.pk: (
                self.cleaned_data.get(f"received_{line.pk}") or Decimal(0),
                (self.cleaned_data.get(f"remark_{line.pk}") or "").strip(),
            )
            for line in self.lines
        }

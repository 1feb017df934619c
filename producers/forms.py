from django import forms
from django.utils.translation import gettext_lazy as _

from cantine.forms import typed_decimal_formfield
from cantine.labels import Label
from cantine.models import Weekday
from producers.models import Offer, Producer


class ProducerProfileForm(forms.ModelForm):
    """What a producer keeps up to date themselves."""

    delivery_weekdays = forms.TypedMultipleChoiceField(
        label=_("Delivery days"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    labels = forms.MultipleChoiceField(
        label=_("Labels held"),
        choices=Label.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Producer
        formfield_callback = typed_decimal_formfield
        fields = [
            "contact_name",
            "email",
            "phone",
            "delivery_weekdays",
            "delivery_cost",
            "minimum_order_value",
            "labels",
            "unavailable_from",
            "unavailable_until",
        ]
        widgets = {
            "unavailable_from": forms.DateInput(attrs={"type": "date"}),
            "unavailable_until": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("unavailable_from"), data.get("unavailable_until")
        if end and not start:
            self.add_error("unavailable_from", _("Give the first day of the holidays."))
        if start and end and end < start:
            self.add_error("unavailable_until", _("The holidays end before they start."))
        return data

    def clean_delivery_cost(self):
        value = self.cleaned_data["delivery_cost"]
        if value < 0:
            raise forms.ValidationError(_("The delivery cost cannot be negative."))
        return value

    def clean_minimum_order_value(self):
        value = self.cleaned_data["minimum_order_value"]
        if value < 0:
            raise forms.ValidationError(_("The minimum order cannot be negative."))
        return value


class DirectoryFilterForm(forms.Form):
    canteen = forms.TypedChoiceField(label=_("Seen from"), coerce=int, required=False)
    search = forms.CharField(label=_("Name or commune"), required=False)
    activity = forms.ChoiceField(label=_("Activity"), required=False)
    label = forms.ChoiceField(
        label=_("Label"), required=False, choices=[("", _("Any label")), *Label.choices]
    )
    local_only = forms.BooleanField(label=_("Local only"), required=False)

    def __init__(self, *args, canteens=(), activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canteen"].choices = [(c.pk, c.name) for c in canteens]
        self.fields["activity"].choices = [("", _("Any activity"))] + [(a, a) for a in activities]


MAX_PRICE_LIST_BYTES = 5 * 1024 * 1024


class OfferImportForm(forms.Form):
    file = forms.FileField(
        label=_("Price list (CSV or XLSX)"),
        help_text=_(
            "Columns: <code>ciqual_code, product, unit, pack_size, unit_price, "
            "weekly_capacity, labels, valid_from, valid_to</code>."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Send a .csv or .xlsx file."))
        if upload.size > MAX_PRICE_LIST_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class OfferEditForm(forms.ModelForm):
    """What a producer changes week to week on an offer."""

    class Meta:
        model = Offer
        formfield_callback = typed_decimal_formfield
        fields = ["unit_price", "pack_size", "weekly_capacity", "valid_to", "active"]
        widgets = {"valid_to": forms.DateInput(attrs={"type": "date"})}

    def clean_unit_price(self):
        price = self.cleaned_data["unit_price"]
        if price is None or price <= 0:
            raise forms.ValidationError(_("A price must be above 0."))
        return price

    def clean_pack_size(self):
        size = self.cleaned_data["pack_size"]
        if size is None or size <= 0:
            raise forms.ValidationError(_("A pack must hold more than 0."))
        return size

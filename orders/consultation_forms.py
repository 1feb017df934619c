"""Forms of the consultation pages: the buyer's settings, the producer's answer, the award."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cantine.bounds import DayField
from cantine.labels import Label
from cantine.models import Weekday
from orders.lots import Granularity
from orders.models import Consultation


class LotPickForm(forms.Form):
    """Which lots to show: the period and the lots simulator's granularity."""

    start = DayField(label=_("From the week of"), required=False)
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=8, required=False)
    granularity = forms.ChoiceField(
        label=_("Lots"),
        choices=[c for c in Granularity.choices if c[0] != Granularity.FREE],
        initial=Granularity.PRODUCT_WEEK,
        required=False,
    )


def _weight(label):
    return forms.IntegerField(label=label, min_value=0, max_value=100)


class ConsultationForm(forms.ModelForm):
    """The buyer's settings of a draft: what it says to producers and how it will award."""

    answer_deadline = forms.DateTimeField(
        label=_("Answers until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    required_labels = forms.MultipleChoiceField(
        label=_("Required labels"),
        choices=Label.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weight_price = _weight(_("Price"))
    weight_direct_supply = _weight(_("Direct supply (fewer intermediaries)"))
    weight_carbon = _weight(_("Transport and carbon (distance)"))
    weight_freshness = _weight(_("Freshness (days from harvest)"))

    class Meta:
        model = Consultation
        fields = [
            "title",
            "kind",
            "answer_deadline",
            "delivery_place",
            "radius_km",
            "required_labels",
            "weight_price",
            "weight_direct_supply",
            "weight_carbon",
            "weight_freshness",
        ]

    def clean(self):
        data = super().clean()
        weights = [data.get(f) for f in self.Meta.fields if f.startswith("weight_")]
        if None not in weights and sum(weights) != 100:
            raise forms.ValidationError(
                _("The weights of the award criteria add up to 100 points (here %(total)s).")
                % {"total": sum(weights)}
            )
        return data


class AnswerForm(forms.Form):
    """A producer's answer; the price and quantity of each item are ``price_<id>`` and
    ``quantity_<id>`` (and ``by_<id>``, the member who delivers it), read by the view."""

    partners = forms.CharField(
        label=_("Answering with other farms (their SIRET, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "inputmode": "numeric"}),
    )
    intermediaries = forms.IntegerField(
        label=_("Intermediaries between the farm and the kitchen"), min_value=0, max_value=9
    )
    freshness_days = forms.IntegerField(
        label=_("Days from harvest to delivery"), min_value=0, max_value=60
    )
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
    note = forms.CharField(label=_("Note to the buyer"), required=False, max_length=500)

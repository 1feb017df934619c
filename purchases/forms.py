from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cantine.bounds import YearField
from cantine.forms import DECIMAL_INPUT, TypedDecimalField
from purchases.forecast import Newcomer
from purchases.models import Family, MaCantineLink, Source
from purchases.selectors import FLAG_FILTERS, GROUP_FILTERS, LedgerFilter

MAX_UPLOAD_BYTES = 50 * 1024 * 1024

GROUP_CHOICES = [
    ("", _("All")),
    ("egalim", _("EGalim (any group)")),
    ("bio", _("Organic")),
    ("siqo", _("Official quality signs (SIQO)")),
    ("other", _("Other EGalim labels")),
    ("externalities", _("Externalities / performance")),
    ("none", _("Not EGalim")),
]
FLAG_CHOICES = [
    ("", _("All")),
    ("local", _("Local")),
    ("short_chain", _("Short chain")),
    ("france", _("Origin France")),
    ("france_2025", _("France as counted in 2025 (origin, short chain or local)")),
    ("europe", _("Origin Europe (outside France)")),
    ("meat_fish", _("Meat and fish")),
]
assert {k for k, _label in GROUP_CHOICES if k} == set(GROUP_FILTERS)
assert {k for k, _label in FLAG_CHOICES if k} == set(FLAG_FILTERS)


class LedgerFilterForm(forms.Form):
    """Filters of the ledger table, its CSV export and the drill-down links of the shares."""

    canteen = forms.TypedChoiceField(label=_("Canteen"), coerce=int, required=False)
    # A number shown as a list of the ledger's years: a drill-down link to a year with no
    # line yet must still filter on it.
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        required=False,
        choices=[("", _("All")), *((q, f"T{q}") for q in range(1, 5))],
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        coerce=int,
        required=False,
        choices=[("", _("All")), *((m, f"{m:02d}") for m in range(1, 13))],
    )
    family = forms.ChoiceField(
        label=_("Family"), required=False, choices=[("", _("All")), *Family.choices]
    )
    group = forms.ChoiceField(label=_("EGalim"), required=False, choices=GROUP_CHOICES)
    flag = forms.ChoiceField(label=_("Also"), required=False, choices=FLAG_CHOICES)
    supplier = forms.CharField(label=_("Supplier"), required=False, max_length=200)
    search = forms.CharField(label=_("Search"), required=False, max_length=100)
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("All")), *Source.choices]
    )

    def __init__(self, *args, canteens=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canteen"].choices = [(c.pk, c.name) for c in canteens]
        asked = self.data.get("year", "")
        choices = {str(y) for y in years} | ({asked} if asked.isdigit() else set())
        self.fields["year"].widget = forms.Select(
            choices=[("", _("All")), *((y, y) for y in sorted(choices, reverse=True))]
        )

    def ledger_filter(self) -> LedgerFilter:
        """Valid filters apply even if another one is not (it is then shown in error)."""
        if not self.is_bound:
            return LedgerFilter()
        self.is_valid()
        data = self.cleaned_data
        return LedgerFilter(
            year=data.get("year") or None,
            quarter=data.get("quarter") or None,
            month=data.get("month") or None,
            family=data.get("family", ""),
            group=data.get("group", ""),
            flag=data.get("flag", ""),
            supplier=data.get("supplier", ""),
            search=data.get("search", ""),
            source=data.get("source", ""),
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX, ma cantine format)"),
        help_text=_("Separators , ; or tab. One line per purchase, the header first."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is over 50 MB: split it by period."))
        return upload


class SharesForm(forms.Form):
    canteen = forms.TypedChoiceField(label=_("Canteen"), coerce=int, required=False)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)

    def __init__(self, *args, canteens=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canteen"].choices = [(c.pk, c.name) for c in canteens]
        self.fields["year"].choices = [(y, str(y)) for y in years]


class MaCantineLinkForm(forms.ModelForm):
    """The canteen's ma cantine account: its id there, the token, the State-restaurant case."""

    class Meta:
        model = MaCantineLink
        fields = ["macantine_id", "access_token", "state_restaurant"]
        widgets = {"access_token": forms.PasswordInput(render_value=True)}
        help_texts = {
            "macantine_id": _("The canteen's number on ma cantine (its address there ends in it)."),
            "access_token": _(
                "The OAuth2 access token ma cantine gave cantine for this canteen (scope "
                "<code>canteen:write</code>). Left empty, the server's "
                "<code>MACANTINE_API_TOKEN</code> is used."
            ),
        }


class ForecastForm(forms.Form):
    """The year of the forecast and the product the what-if switches to organic."""

    year = YearField(label=_("Year"), required=False)
    product = forms.IntegerField(label=_("Product"), required=False, min_value=1)


class NewcomerForm(forms.Form):
    """The second what-if: a local producer would sell one product of the forecast."""

    product = forms.IntegerField(label=_("Product"), min_value=1)
    price = TypedDecimalField(
        label=_("Their price (€ excl. VAT per unit)"),
        min_value=Decimal("0.01"),
        max_value=Decimal("10000"),
        max_digits=9,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
    )
    capacity = TypedDecimalField(
        label=_("What they can deliver a week"),
        required=False,
        min_value=0,
        max_value=Decimal("1000000"),
        max_digits=10,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        help_text=_("Empty: as much as the menus need."),
    )
    km = TypedDecimalField(
        label=_("Distance to the kitchen (km)"),
        initial=20,
        min_value=0,
        max_value=500,
        max_digits=5,
        decimal_places=1,
        localize=True,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
    )
    organic = forms.BooleanField(label=_("Organic"), required=False)

    def newcomer(self) -> Newcomer:
        data = self.cleaned_data
        return Newcomer(
            food=data["product"],
            unit_price=data["price"],
            organic=data["organic"],
            weekly_capacity=data["capacity"],
            km=data["km"],
        )

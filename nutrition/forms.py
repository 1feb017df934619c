"""Forms of the dietitian's pages. Nothing here writes: views hand cleaned data to services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cantine.forms import decimal_field
from cantine.models import AgeGroup
from nutrition.models import (
    MAX_YIELD,
    MIN_YIELD,
    TAG_CHOICES,
    Allergen,
    Component,
    Dish,
    DishIngredient,
    Food,
    FrequencyRule,
    NutrientBound,
    RuleSet,
)
from nutrition.selectors import food_by_label
from nutrition.services import IngredientData, RuleData

YES_NO_ANY = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class DishFilterForm(forms.Form):
    search = forms.CharField(label=_("Search"), required=False)
    component = forms.ChoiceField(
        label=_("Course"), required=False, choices=[("", _("All courses")), *Component.choices]
    )
    tag = forms.ChoiceField(
        label=_("Tag"), required=False, choices=[("", _("All tags")), *TAG_CHOICES]
    )
    vegetarian = forms.ChoiceField(label=_("Vegetarian"), required=False, choices=YES_NO_ANY)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        vegetarian = {"yes": True, "no": False}.get(data["vegetarian"])
        return {
            "search": data["search"],
            "component": data["component"],
            "tag": data["tag"],
            "vegetarian": vegetarian,
        }


class DishForm(forms.ModelForm):
    allergens = forms.MultipleChoiceField(
        label=_("Allergens"),
        choices=Allergen.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Dish
        fields = [
            "kitchen",
            "name",
            "component",
            "vegetarian_declared",
            "contains_pork",
            "allergens",
            "status",
            "notes",
        ]
        widgets = {
            "vegetarian_declared": forms.NullBooleanSelect,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, kitchens, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kitchen"].queryset = kitchens
        self.fields["kitchen"].empty_label = None
        if self.instance.pk:
            self.fields["kitchen"].disabled = True
        self.fields["vegetarian_declared"].widget.choices = [
            ("unknown", _("Compute from ingredients")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]
        # the model's help says "leave unknown", which is not one of these choices
        self.fields["vegetarian_declared"].help_text = _(
            "“Compute from ingredients” decides it from the recipe."
        )


def food_label(food: Food) -> str:
    """How a food is typed in the editor (and offered by the autocomplete)."""
    return f"{food.code} · {food.name}"


class FoodField(forms.CharField):
    """Typed as '<CIQUAL code> · <name>' (what the autocomplete offers) or a bare code."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        food = food_by_label(text)
        if food is None:
            raise forms.ValidationError(
                _("Choose a food from the list (unknown food: %(text)s)."),
                params={"text": text},
            )
        return food


GRAM_FIELDS = [f"grams_{age}" for age in AgeGroup.values]


class IngredientForm(forms.Form):
    food = FoodField(
        label=_("Product bought"),
        widget=forms.TextInput(attrs={"list": "food-options", "autocomplete": "off"}),
    )
    served_food = FoodField(
        label=_("Served as"),
        required=False,
        widget=forms.TextInput(attrs={"list": "food-options", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for age, label in AgeGroup.choices:
            self.fields[f"grams_{age}"] = decimal_field(
                label, required=False, min_value=0.1, max_digits=7, decimal_places=1
            )
        self.fields["yield_factor"] = decimal_field(
            _("Yield"),
            required=False,
            min_value=MIN_YIELD,
            max_value=MAX_YIELD,
            max_digits=6,
            decimal_places=3,
            help_text=_("Served weight per weight bought; empty: the known yield, else 1."),
        )
        for flag in DishIngredient.FLAG_FIELDS:
            self.fields[flag] = forms.BooleanField(
                label=DishIngredient._meta.get_field(flag).verbose_name, required=False
            )

    def gram_fields(self):
        return [self[name] for name in GRAM_FIELDS]

    def flag_fields(self):
        return [self[name] for name in DishIngredient.FLAG_FIELDS]

    def clean(self):
        data = super().clean()
        if data.get("raw") and data.get("cooked"):
            self.add_error("cooked", _("An ingredient cannot be both raw and cooked."))
        if data.get("ground_meat") and data.get("unground"):
            self.add_error("unground", _("An ingredient cannot be both ground and unground."))
        if data.get("food") and all(data.get(name) is None for name in GRAM_FIELDS):
            self.add_error("grams_elementaire", _("Give the grams for at least one age group."))
        food = data.get("food")
        if food is not None and not food.purchasable:
            self.add_error(
                "food",
                _(
                    "“%(food)s” is a cooked preparation: choose the product you buy (raw or "
                    "as sold) and give this one as “served as”."
                )
                % {"food": food.name},
            )
        return data

    def as_data(self) -> IngredientData:
        data = self.cleaned_data
        return IngredientData(
            food=data["food"],
            grams={age: data.get(f"grams_{age}") for age in AgeGroup.values},
            flags=frozenset(flag for flag in DishIngredient.FLAG_FIELDS if data.get(flag)),
            served_food=data.get("served_food"),
            yield_factor=data.get("yield_factor"),
        )

    @staticmethod
    def initial_for(ingredient: DishIngredient) -> dict:
        initial = {
            "food": food_label(ingredient.food),
            "served_food": food_label(ingredient.served_food) if ingredient.served_food else "",
            "yield_factor": ingredient.yield_factor,
        }
        for age in AgeGroup.values:
            initial[f"grams_{age}"] = ingredient.grams(age)
        for flag in DishIngredient.FLAG_FIELDS:
            initial[flag] = getattr(ingredient, flag)
        return initial


def name_each_cell(form) -> None:
    """A formset row's inputs sit in table cells under a column header, with no <label> of
    their own: each gets its field's name for screen readers (axe's "label" rule)."""
    for field in form.fields.values():
        if not isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            field.widget.attrs.setdefault("aria-label", field.label)


class BaseIngredientFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        name_each_cell(form)

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        if not self.ingredients():
            raise forms.ValidationError(_("A dish needs at least one ingredient."))

    def ingredients(self) -> list[IngredientData]:
        """Every row that names a product and is not marked for removal.

        An unchanged row counts too: an ingredient the cook did not touch is still in the dish.
        """
        return [
            form.as_data()
            for form in self.forms
            if form.is_valid()
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("food")
        ]


def ingredient_formset(extra: int = 2):
    return forms.formset_factory(
        IngredientForm, formset=BaseIngredientFormSet, extra=extra, can_delete=True
    )


class TagOverrideForm(forms.Form):
    VALUES = {"yes": True, "no": False, "computed": None}

    tag = forms.ChoiceField(label=_("Tag"), choices=TAG_CHOICES)
    value = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("yes", _("The tag applies")),
            ("no", _("The tag does not apply")),
            ("computed", _("Back to the computed value")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the dish's history, e.g. 'homemade, fruit only'."),
    )

    def decision(self) -> bool | None:
        return self.VALUES[self.cleaned_data["value"]]


class RuleSetSettingsForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = [
            "name",
            "description",
            "meals_per_week",
            "vegetarian_per_week",
            "min_meals_between_repeats",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class RuleForm(forms.ModelForm):
    components = forms.MultipleChoiceField(
        label=_("Courses"), choices=Component.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = FrequencyRule
        fields = ["code", "tag", "min", "max", "window", "components", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}

    def as_data(self) -> RuleData:
        data = self.cleaned_data
        return RuleData(
            code=data["code"],
            tag=data["tag"],
            min=data["min"],
            max=data["max"],
            window=data["window"],
            components=list(data["components"]),
            text=data.get("text", ""),
            pk=self.instance.pk,
        )


class BaseRuleFormSet(forms.BaseModelFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        name_each_cell(form)

    def clean(self):
        super().clean()
        codes = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            code = form.cleaned_data["code"]
            if code in codes:
                form.add_error("code", _("Another rule already has this code."))
            codes.add(code)

    def changes(self) -> tuple[list[RuleData], list[int]]:
        rules, removed = [], []
        for form in self.forms:
            if form.instance.pk and form.cleaned_data.get("DELETE"):
                removed.append(form.instance.pk)
            elif form.instance.pk or form.has_changed():
                rules.append(form.as_data())
        return rules, removed


RuleFormSet = forms.modelformset_factory(
    FrequencyRule, form=RuleForm, formset=BaseRuleFormSet, extra=1, can_delete=True
)


class RuleSetCopyForm(forms.Form):
    name = forms.CharField(label=_("Name of the copy"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Kitchen"), queryset=None, empty_label=None)

    def __init__(self, *args, kitchens, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = kitchens

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if RuleSet.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A rule set already has this name."))
        return name


class AssignRuleSetForm(forms.Form):
    canteen = forms.ModelChoiceField(label=_("Canteen"), queryset=None, empty_label=None)

    def __init__(self, *args, canteens, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canteen"].queryset = canteens


class NutrientBoundsForm(forms.Form):
    """Min and max per meal for each age group x nutrient; both empty removes the bound."""

    def __init__(self, *args, rule_set=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = (
            {(b.age_group, b.nutrient): b for b in rule_set.nutrient_bounds.all()}
            if rule_set
            else {}
        )
        for age_group in AgeGroup:
            for nutrient in NutrientBound.Nutrient:
                bound = current.get((age_group.value, nutrient.value))
                for side in ("min", "max"):
                    self.fields[self.name(age_group.value, nutrient.value, side)] = decimal_field(
                        f"{age_group.label} · {nutrient.label} · {side}",
                        required=False,
                        min_value=0,
                        max_digits=8,
                        decimal_places=2,
                        initial=getattr(bound, side) if bound else None,
                    )

    @staticmethod
    def name(age_group: str, nutrient: str, side: str) -> str:
        return f"{age_group}__{nutrient}__{side}"

    def clean(self):
        data = super().clean()
        for age_group in AgeGroup:
            for nutrient in NutrientBound.Nutrient:
                low = data.get(self.name(age_group.value, nutrient.value, "min"))
                high = data.get(self.name(age_group.value, nutrient.value, "max"))
                if low is not None and high is not None and low > high:
                    self.add_error(
                        self.name(age_group.value, nutrient.value, "max"),
                        _("The maximum is below the minimum."),
                    )
        return data

    def rows(self):
        """(age group, [(nutrient, min field, max field)]) for the page's grid."""
        return [
            (
                age_group,
                [
                    (
                        nutrient,
                        self[self.name(age_group.value, nutrient.value, "min")],
                        self[self.name(age_group.value, nutrient.value, "max")],
                    )
                    for nutrient in NutrientBound.Nutrient
                ],
            )
            for age_group in AgeGroup
        ]

    def grid(self) -> dict[tuple[str, str], tuple]:
        return {
            (age_group.value, nutrient.value): (
                self.cleaned_data[self.name(age_group.value, nutrient.value, "min")],
                self.cleaned_data[self.name(age_group.value, nutrient.value, "max")],
            )
            for age_group in AgeGroup
            for nutrient in NutrientBound.Nutrient
        }

"""CIQUAL foods, how a bought food yields once cooked, and what a food costs a kitchen."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.labels import Family, Unit
from cantine.models import Canteen
from cantine.vocabulary import family_of_ciqual, grams_to_unit, unit_to_kg
from nutrition.ciqual import NUTRIENT_COLUMNS, CiqualFood, NutrientKind, NutrientValue
from nutrition.models.choices import NUTRIENT_KEYS, validate_months


def _nutrient_field(key: str) -> models.DecimalField:
    unit = NUTRIENT_COLUMNS[key].rsplit("(", 1)[1].rstrip(")")
    return models.DecimalField(
        f"{key} ({unit})", max_digits=14, decimal_places=6, null=True, blank=True
    )


class Food(models.Model):
    """One CIQUAL 2025 food; nutrients per 100 g, None when CIQUAL does not know the value.

    ``nutrient_kinds`` keeps, for non-exact values only, "traces" or "below_limit" (their
    amount is stored as 0, as ``nutrition.ciqual`` computes with them).
    """

    code = models.CharField(_("CIQUAL code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=255)
    search_name = models.CharField(max_length=255, db_index=True, editable=False)
    group_code = models.CharField(_("group code"), max_length=4, blank=True)
    group_name = models.CharField(_("group"), max_length=120, blank=True)
    subgroup_name = models.CharField(_("subgroup"), max_length=120, blank=True)
    subsubgroup_name = models.CharField(_("sub-subgroup"), max_length=120, blank=True)
    energy_kcal = _nutrient_field("energy_kcal")
    energy_kj = _nutrient_field("energy_kj")
    water = _nutrient_field("water")
    protein = _nutrient_field("protein")
    fat = _nutrient_field("fat")
    saturated_fat = _nutrient_field("saturated_fat")
    carbohydrate = _nutrient_field("carbohydrate")
    sugars = _nutrient_field("sugars")
    fibre = _nutrient_field("fibre")
    salt = _nutrient_field("salt")
    calcium = _nutrient_field("calcium")
    iron = _nutrient_field("iron")
    vitamin_c = _nutrient_field("vitamin_c")
    nutrient_kinds = models.JSONField(_("non-exact values"), default=dict, blank=True)
    co2e_per_kg = models.DecimalField(
        _("kg CO2e per kg (AGRIBALYSE)"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    season_months = models.JSONField(
        _("months in season"), default=list, blank=True, validators=[validate_months]
    )
    # How the food is bought (nutrition.products): a cooked preparation is served, not bought;
    # a product bought by the litre or the piece needs its density or the weight of a piece.
    purchasable = models.BooleanField(
        _("bought as it is"),
        default=True,
        help_text=_("Raw or as sold. A cooked preparation is how a dish is served, not bought."),
    )
    purchase_unit = models.CharField(
        _("bought by"), max_length=5, choices=Unit.choices, default=Unit.KG
    )
    piece_grams = models.DecimalField(
        _("weight of a piece (g)"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    density_kg_per_l = models.DecimalField(
        _("density (kg/L)"),
        max_digits=5,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.1"))],
    )
    purchase_source = models.CharField(_("source of the unit"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("food")
        verbose_name_plural = _("foods")

    def __str__(self):
        return f"{self.code} · {self.name}"

    def clean(self):
        if self.purchase_unit == Unit.PIECE and not self.piece_grams:
            raise ValidationError({"piece_grams": _("Give the weight of one piece.")})
        if self.purchase_unit == Unit.LITRE and not self.density_kg_per_l:
            raise ValidationError({"density_kg_per_l": _("Give the density (kg per litre).")})

    def quantity_for_grams(self, grams: Decimal) -> Decimal:
        """``grams`` of this food in the unit it is bought in (kg, L or pieces), not rounded."""
        return grams_to_unit(
            grams,
            self.purchase_unit,
            density_kg_per_l=self.density_kg_per_l,
            piece_grams=self.piece_grams,
        )

    def kg_for_quantity(self, quantity: Decimal, unit: str | None = None) -> Decimal | None:
        """The weight in kg of ``quantity`` in ``unit`` (its purchase unit by default)."""
        return unit_to_kg(
            quantity,
            unit or self.purchase_unit,
            density_kg_per_l=self.density_kg_per_l,
            piece_grams=self.piece_grams,
        )

    @property
    def family(self) -> Family:
        """The ma cantine product family it is bought and declared in (eggs and butter: BOF)."""
        return Family(family_of_ciqual(self.group_code, self.subgroup_name, self.name))

    def nutrient(self, key: str) -> NutrientValue:
        amount = getattr(self, key)
        if amount is None:
            return NutrientValue(None, NutrientKind.MISSING, "")
        kind = NutrientKind(self.nutrient_kinds.get(key, NutrientKind.EXACT))
        return NutrientValue(amount, kind, str(amount))

    def amounts(self) -> dict[str, Decimal | None]:
        return {key: getattr(self, key) for key in NUTRIENT_KEYS}

    def as_ciqual(self) -> CiqualFood:
        """The pure dataclass the classifier reads."""
        return CiqualFood(
            code=self.code,
            name=self.name,
            group_code=self.group_code,
            group_name=self.group_name or None,
            subgroup_name=self.subgroup_name or None,
            subsubgroup_name=self.subsubgroup_name or None,
            nutrients={key: self.nutrient(key) for key in NUTRIENT_KEYS},
        )


MIN_YIELD, MAX_YIELD = Decimal("0.05"), Decimal("10")


class CookingYield(models.Model):
    """How much of a bought food ends on the plate once prepared as another CIQUAL food.

    Loaded from ``nutrition/data/cooking_yields.csv`` with its source (CIQUAL raw / cooked
    pairs); the dietitian can correct a ratio, and the editor proposes it for new recipes.
    """

    food = models.ForeignKey(
        Food, models.CASCADE, related_name="yields_as_bought", verbose_name=_("product bought")
    )
    served_food = models.ForeignKey(
        Food, models.CASCADE, related_name="yields_as_served", verbose_name=_("served as")
    )
    ratio = models.DecimalField(
        _("yield"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(MIN_YIELD), MaxValueValidator(MAX_YIELD)],
        help_text=_("Served weight per weight bought."),
    )
    source = models.CharField(_("source"), max_length=300)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["food__name", "served_food__name"]
        verbose_name = _("cooking yield")
        verbose_name_plural = _("cooking yields")
        constraints = [
            models.UniqueConstraint(fields=["food", "served_food"], name="one_yield_per_pair")
        ]

    def __str__(self):
        return f"{self.food.name} → {self.served_food.name} × {self.ratio}"


class FoodPrice(models.Model):
    """What a food costs a kitchen per unit it is bought in, and how much can be local or organic.

    Filled from the producers' current offers (or purchases) by the orders app, so that dishes
    get a cost per portion and the menu planner can weigh cost and local share.
    """

    kitchen = models.ForeignKey(Canteen, models.CASCADE, related_name="food_prices")
    food = models.ForeignKey(Food, models.CASCADE, related_name="prices")
    unit_price = models.DecimalField(
        _("price per unit bought (€ HT)"), max_digits=9, decimal_places=3
    )
    local_share = models.FloatField(_("local share"), default=0.0)
    organic_share = models.FloatField(_("organic share"), default=0.0)
    source = models.CharField(_("source"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["kitchen", "food"]
        verbose_name = _("food price")
        verbose_name_plural = _("food prices")
        constraints = [
            models.UniqueConstraint(fields=["kitchen", "food"], name="one_price_per_food"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gt=0), name="food_price_positive"
            ),
        ]

    def __str__(self):
        return f"{self.food} · {self.unit_price} €/{self.food.purchase_unit}"

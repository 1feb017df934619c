"""A dish, the products of its recipe, and the GEMRCN tags it earns (with the dietitian's
overrides)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.models import AgeGroup, Canteen
from nutrition.classification import Ingredient
from nutrition.models.choices import TAG_CHOICES, TAG_LABELS, Component, validate_allergens
from nutrition.models.foods import MAX_YIELD, MIN_YIELD, Food
from nutrition.portions import served_grams


class Dish(models.Model):
    """A recipe of a kitchen's catalogue: one course, ingredients per age group, GEMRCN tags."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        VALIDATED = "validated", _("Validated")

    kitchen = models.ForeignKey(
        Canteen, models.CASCADE, related_name="dishes", verbose_name=_("kitchen")
    )
    name = models.CharField(_("name"), max_length=200)
    component = models.CharField(_("course"), max_length=10, choices=Component.choices)
    vegetarian_declared = models.BooleanField(
        _("vegetarian (declared)"),
        null=True,
        blank=True,
        help_text=_("Leave unknown to compute it from the ingredients."),
    )
    is_vegetarian = models.BooleanField(_("vegetarian"), default=False, editable=False)
    contains_pork = models.BooleanField(_("contains pork"), default=False)
    allergens = models.JSONField(
        _("allergens"), default=list, blank=True, validators=[validate_allergens]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    reference_age_group = models.CharField(
        _("age group of the computed tags"),
        max_length=20,
        choices=AgeGroup.choices,
        blank=True,
        editable=False,
    )
    co2e_per_portion = models.DecimalField(
        _("kg CO2e per portion"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Served weight x AGRIBALYSE; unknown when an ingredient has no value."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["component", "name"]
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        constraints = [
            models.UniqueConstraint(fields=["kitchen", "name"], name="dish_name_once_per_kitchen")
        ]

    def __str__(self):
        return self.name

    @property
    def tags(self) -> frozenset[str]:
        """Tags that hold for this dish, overrides applied (what the planner counts)."""
        return frozenset(row.tag for row in self.tag_rows.all() if row.applies is True)


class DishIngredient(models.Model):
    """One product a dish is made of: what is bought, how much per portion, how it is served.

    ``food`` is the product bought (raw or as sold) and the grams are its gross weight per
    portion for each age group (blank: not served to it). ``yield_factor`` is the served
    weight per gram bought (peeling, trimming, cooking); ``served_food``, when given, is the
    CIQUAL food as it is served ("Cabillaud, rôti/cuit au four"), whose composition gives the
    nutrients of the served portion (``nutrition.portions``).
    """

    dish = models.ForeignKey(Dish, models.CASCADE, related_name="ingredients")
    food = models.ForeignKey(
        Food, models.PROTECT, related_name="uses", verbose_name=_("product bought")
    )
    served_food = models.ForeignKey(
        Food,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="served_in",
        verbose_name=_("served as"),
        help_text=_("The food as served, when cooking changes it (its composition is used)."),
    )
    yield_factor = models.DecimalField(
        _("yield"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(MIN_YIELD), MaxValueValidator(MAX_YIELD)],
        help_text=_("Served weight per weight bought, e.g. 0.85 for cod, 2.2 for dry pasta."),
    )
    position = models.PositiveSmallIntegerField(default=0)
    grams_maternelle = models.DecimalField(
        _("g bought, nursery"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    grams_elementaire = models.DecimalField(
        _("g bought, primary"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    grams_college_lycee = models.DecimalField(
        _("g bought, secondary"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    grams_adult = models.DecimalField(
        _("g bought, adults"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    raw = models.BooleanField(_("raw"), default=False)
    cooked = models.BooleanField(_("cooked"), default=False)
    fried = models.BooleanField(_("fried/pre-fried"), default=False)
    ground_meat = models.BooleanField(_("ground meat"), default=False)
    unground = models.BooleanField(_("unground"), default=False)
    plant_processed = models.BooleanField(_("processed plant protein"), default=False)

    FLAG_FIELDS = ("raw", "cooked", "fried", "ground_meat", "unground", "plant_processed")

    class Meta:
        ordering = ["dish", "position", "pk"]
        verbose_name = _("ingredient")
        verbose_name_plural = _("ingredients")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(raw=True) & models.Q(cooked=True)),
                name="ingredient_not_raw_and_cooked",
            ),
            models.CheckConstraint(
                condition=~(models.Q(ground_meat=True) & models.Q(unground=True)),
                name="ingredient_not_ground_and_unground",
            ),
        ]

    def __str__(self):
        return f"{self.dish} · {self.food.name}"

    def grams(self, age_group: str) -> Decimal | None:
        return getattr(self, f"grams_{age_group}")

    @property
    def flags(self) -> frozenset[str]:
        return frozenset(flag for flag in self.FLAG_FIELDS if getattr(self, flag))

    def clean(self):
        errors = {}
        if self.raw and self.cooked:
            errors["cooked"] = _("An ingredient cannot be both raw and cooked.")
        if self.ground_meat and self.unground:
            errors["unground"] = _("An ingredient cannot be both ground and unground.")
        values = [self.grams(age) for age in AgeGroup.values]
        if all(value is None for value in values):
            errors["grams_elementaire"] = _("Give the grams for at least one age group.")
        if any(value is not None and value <= 0 for value in values):
            errors["grams_elementaire"] = _("Grams must be more than 0.")
        if self.food_id and not self.food.purchasable:
            errors["food"] = _(
                "“%(food)s” is a cooked preparation: choose the product you buy (raw or as "
                "sold) and give it as “served as”."
            ) % {"food": self.food.name}
        if errors:
            raise ValidationError(errors)

    @property
    def composition_food(self) -> Food:
        """The food whose composition describes the served portion."""
        return self.served_food if self.served_food_id else self.food

    def served_grams(self, age_group: str) -> Decimal | None:
        """Grams on the plate for one portion (gross weight x yield)."""
        grams = self.grams(age_group)
        return None if grams is None else served_grams(grams, self.yield_factor)

    def as_ingredient(self, age_group: str) -> Ingredient | None:
        """The served portion, as the classifier reads it."""
        grams = self.served_grams(age_group)
        if grams is None:
            return None
        return Ingredient.from_food(self.composition_food.as_ciqual(), grams, self.flags)


class DishTag(models.Model):
    """A tag's state for a dish, stored for querying: computed value, and the effective one."""

    dish = models.ForeignKey(Dish, models.CASCADE, related_name="tag_rows")
    tag = models.CharField(_("tag"), max_length=30, choices=TAG_CHOICES)
    computed = models.BooleanField(_("computed"), null=True)
    applies = models.BooleanField(_("applies"), null=True)
    reason = models.TextField(_("reason"), blank=True)
    overridden = models.BooleanField(_("overridden"), default=False)

    class Meta:
        ordering = ["dish", "tag"]
        verbose_name = _("dish tag")
        verbose_name_plural = _("dish tags")
        constraints = [models.UniqueConstraint(fields=["dish", "tag"], name="one_row_per_tag")]

    def __str__(self):
        return f"{self.dish} · {self.tag} · {self.applies}"

    @property
    def label(self):
        return TAG_LABELS.get(self.tag, self.tag)


class TagOverride(models.Model):
    """A dietitian's decision on a tag; the latest one per tag wins, older ones stay as history.

    ``value`` None withdraws the override (the computed value applies again).
    """

    dish = models.ForeignKey(Dish, models.CASCADE, related_name="overrides")
    tag = models.CharField(_("tag"), max_length=30, choices=TAG_CHOICES)
    value = models.BooleanField(_("value"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author")
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["dish", "-created_at", "-pk"]
        verbose_name = _("tag override")
        verbose_name_plural = _("tag overrides")

    def __str__(self):
        return f"{self.dish} · {self.tag} = {self.value}"

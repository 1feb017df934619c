"""Foods (CIQUAL), dishes with their recipe and GEMRCN tags, and rule sets as editable data.

The arithmetic lives in the pure modules (``nutrition.ciqual``, ``nutrition.classification``,
``nutrition.presets``); these models store their inputs and results so pages and the planner can
query them. Writes go through ``nutrition.services`` which keeps the stored tags in step.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.labels import Family, Unit
from cantine.models import AgeGroup, Canteen
from cantine.vocabulary import family_of_ciqual, grams_to_unit, unit_to_kg
from nutrition.ciqual import NUTRIENT_COLUMNS, CiqualFood, NutrientKind, NutrientValue
from nutrition.classification import ALL_TAGS, COMPONENTS, Ingredient
from nutrition.portions import REFERENCE_AGE_ORDER, served_grams  # noqa: F401 (re-exported)

NUTRIENT_KEYS = tuple(NUTRIENT_COLUMNS)


class Component(models.TextChoices):
    ENTREE = "entree", _("Starter")
    MAIN = "main", _("Main dish")
    SIDE = "side", _("Side dish")
    DAIRY = "dairy", _("Dairy")
    DESSERT = "dessert", _("Dessert")


assert tuple(Component.values) == COMPONENTS  # the classifier and the models speak alike


class Allergen(models.TextChoices):
    """The 14 allergens of annex II of EU regulation 1169/2011."""

    GLUTEN = "gluten", _("Cereals containing gluten")
    CRUSTACEANS = "crustaceans", _("Crustaceans")
    EGGS = "eggs", _("Eggs")
    FISH = "fish", _("Fish")
    PEANUTS = "peanuts", _("Peanuts")
    SOYBEANS = "soybeans", _("Soybeans")
    MILK = "milk", _("Milk")
    NUTS = "nuts", _("Nuts")
    CELERY = "celery", _("Celery")
    MUSTARD = "mustard", _("Mustard")
    SESAME = "sesame", _("Sesame seeds")
    SULPHITES = "sulphites", _("Sulphur dioxide and sulphites")
    LUPIN = "lupin", _("Lupin")
    MOLLUSCS = "molluscs", _("Molluscs")


TAG_LABELS = {
    "raw_veg_fruit": _("Raw vegetables or fruit"),
    "raw_fruit_dessert": _("Raw fruit dessert"),
    "cooked_veg": _("Cooked vegetables"),
    "starch_pulses": _("Pulses, starches, cereals"),
    "cheese_ca_150": _("Cheese, calcium ≥ 150 mg"),
    "cheese_ca_100_150": _("Cheese, calcium 100-150 mg"),
    "dairy_ca100_fat5": _("Dairy, calcium > 100 mg, fat < 5 g"),
    "unground_red_meat": _("Unground red meat or offal"),
    "fish_70": _("Fish ≥ 70 %"),
    "low_protein_prep": _("Meat/fish/egg preparation < 70 %"),
    "fatty_entree": _("Fatty starter"),
    "fatty_dessert": _("Fatty dessert"),
    "fried": _("Fried or pre-fried"),
    "low_pl_ratio": _("Protein/fat ratio ≤ 1"),
    "sweet_dessert": _("Sweet dessert"),
    "vegetarian": _("Vegetarian"),
    "veg_pulses_cereals": _("Vegetarian: pulses/cereals"),
    "veg_egg": _("Vegetarian: egg"),
    "veg_cheese": _("Vegetarian: cheese/dairy"),
    "veg_processed": _("Vegetarian: processed plant protein"),
}
assert set(TAG_LABELS) == ALL_TAGS
TAG_CHOICES = [(tag, TAG_LABELS[tag]) for tag in sorted(ALL_TAGS)]


def validate_allergens(value) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Allergens must be a list of codes."))
    unknown = sorted(set(value) - set(Allergen.values))
    if unknown:
        raise ValidationError(
            _("Unknown allergens: %(codes)s."), params={"codes": ", ".join(unknown)}
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("An allergen is listed twice."))


def validate_months(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in value
    ):
        raise ValidationError(_("Months must be a list of numbers from 1 to 12."))


def validate_components(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one course."))
    unknown = sorted(set(value) - set(COMPONENTS))
    if unknown:
        raise ValidationError(
            _("Unknown courses: %(codes)s."), params={"codes": ", ".join(unknown)}
        )


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


MIN_YIELD, MAX_YIELD = Decimal("0.05"), Decimal("10")


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


class RuleSet(models.Model):
    """Frequency rules over windows of meals, plus weekly settings. Presets are read-only."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Canteen,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="rule_sets",
        verbose_name=_("kitchen"),
        help_text=_("Empty for a shared preset."),
    )
    based_on = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("based on"),
    )
    meals_per_week = models.PositiveSmallIntegerField(
        _("meals per week"), default=5, validators=[MinValueValidator(1), MaxValueValidator(14)]
    )
    vegetarian_per_week = models.PositiveSmallIntegerField(
        _("vegetarian meals per week"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(14)],
    )
    min_meals_between_repeats = models.PositiveSmallIntegerField(
        _("minimum meals between repeats of a dish"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(200)],
    )
    is_preset = models.BooleanField(_("preset"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_preset", "name"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")

    def __str__(self):
        return self.name

    def rule_tuples(self) -> list[tuple[str, str, int | None, int | None, int]]:
        """(code, tag, min, max, window) for each rule, in order."""
        return [(r.code, r.tag, r.min, r.max, r.window) for r in self.rules.all()]


class FrequencyRule(models.Model):
    """At least ``min`` and at most ``max`` meals with ``tag`` in every ``window`` meals."""

    rule_set = models.ForeignKey(RuleSet, models.CASCADE, related_name="rules")
    code = models.CharField(_("code"), max_length=40)
    tag = models.CharField(_("tag"), max_length=30, choices=TAG_CHOICES)
    min = models.PositiveSmallIntegerField(_("min"), null=True, blank=True)
    max = models.PositiveSmallIntegerField(_("max"), null=True, blank=True)
    window = models.PositiveSmallIntegerField(
        _("window (meals)"), default=20, validators=[MinValueValidator(1)]
    )
    components = models.JSONField(_("courses"), default=list, validators=[validate_components])
    text = models.TextField(_("text"), blank=True)
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["rule_set", "position", "pk"]
        verbose_name = _("frequency rule")
        verbose_name_plural = _("frequency rules")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "code"], name="rule_code_once_per_set"),
            models.CheckConstraint(
                condition=models.Q(min__isnull=False) | models.Q(max__isnull=False),
                name="rule_has_a_bound",
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.tag})"

    def clean(self):
        errors = []
        if self.min is None and self.max is None:
            errors.append(_("Give a minimum, a maximum or both."))
        if self.min is not None and self.max is not None and self.min > self.max:
            errors.append(_("The minimum is above the maximum."))
        window = self.window or 0
        if any(bound is not None and bound > window for bound in (self.min, self.max)):
            errors.append(_("A bound is larger than the window."))
        if errors:
            raise ValidationError(errors)

    def snapshot(self) -> dict:
        return {
            "code": self.code,
            "tag": self.tag,
            "min": self.min,
            "max": self.max,
            "window": self.window,
            "components": list(self.components),
            "text": self.text,
        }


class RuleSetChange(models.Model):
    """One recorded edit of a rule set: who, when, what, and the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        COPY = "copy", _("Copied")
        SETTINGS = "settings", _("Settings changed")
        RULE_CHANGED = "rule_changed", _("Rule changed")
        RULE_ADDED = "rule_added", _("Rule added")
        RULE_REMOVED = "rule_removed", _("Rule removed")
        ASSIGNED = "assigned", _("Assigned to a canteen")
        NUTRIENTS = "nutrients", _("Nutrient bounds changed")

    rule_set = models.ForeignKey(RuleSet, models.CASCADE, related_name="changes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["rule_set", "-at", "-pk"]
        verbose_name = _("rule set change")
        verbose_name_plural = _("rule set changes")

    def __str__(self):
        return f"{self.rule_set} · {self.get_action_display()} · {self.subject}"

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for the fields that differ, for the history page."""
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before, *after]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    def readable_subject(self) -> str:
        """The subject in words: "Primary school · Energy (kcal)" for a nutrient bound."""
        from cantine.names import name_of

        if self.action == self.Action.NUTRIENTS and " · " in self.subject:
            age_group, nutrient = self.subject.split(" · ", 1)
            return f"{name_of(age_group, 'age_group')} · {name_of(nutrient, 'nutrient')}"
        return self.subject

    def readable_fields(self) -> list[tuple[str, str, str]]:
        """(what, before, after) in words, for the history page: no field code, no Python."""
        return [
            (_change_field_name(name), _change_value(name, old), _change_value(name, new))
            for name, old, new in self.changed_fields()
        ]


def _change_field_name(name: str) -> str:
    from django.core.exceptions import FieldDoesNotExist

    extra = {
        "min_max": _("per-meal bounds"),
        "rules": _("rules"),
        "canteen": _("canteen"),
        "rule_set": _("rule set"),
    }
    if name in extra:
        return str(extra[name])
    for model in (RuleSet, FrequencyRule):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name.replace("_", " ")


def _change_value(name: str, value) -> str:
    from django.utils.formats import number_format

    from cantine.names import name_of

    def number(text) -> str:
        try:
            return number_format(Decimal(str(text)).normalize(), use_l10n=True)
        except ArithmeticError:
            return str(text)

    if value is None or value == "" or value == []:
        return "—"
    if name == "min_max" and isinstance(value, list) and len(value) == 2:
        low, high = value
        if low is not None and high is not None:
            return f"{number(low)} – {number(high)}"
        return f"≥ {number(low)}" if low is not None else f"≤ {number(high)}"
    if name == "tag":
        return name_of(value, "tag")
    if name == "rules" and isinstance(value, list):  # the rules' codes: how many there are
        return number(len(value))
    if name == "components" and isinstance(value, list):
        return ", ".join(name_of(code, "component") for code in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, (int, float, Decimal)):
        return number(value)
    return str(value)


class CanteenRuleSet(models.Model):
    """The rule set a canteen's menus are checked against (kept here: cantine knows no rules)."""

    canteen = models.OneToOneField(Canteen, models.CASCADE, related_name="rule_set_assignment")
    rule_set = models.ForeignKey(RuleSet, models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("canteen rule set")
        verbose_name_plural = _("canteen rule sets")

    def __str__(self):
        return f"{self.canteen} → {self.rule_set}"


class NutrientBound(models.Model):
    """What one meal should bring of a nutrient for an age group (set by the dietitian)."""

    class Nutrient(models.TextChoices):
        ENERGY = "energy_kcal", _("Energy (kcal)")
        PROTEIN = "protein", _("Protein (g)")
        CALCIUM = "calcium", _("Calcium (mg)")
        IRON = "iron", _("Iron (mg)")
        SALT = "salt", _("Salt (g)")

    rule_set = models.ForeignKey(RuleSet, models.CASCADE, related_name="nutrient_bounds")
    age_group = models.CharField(_("age group"), max_length=20, choices=AgeGroup.choices)
    nutrient = models.CharField(_("nutrient"), max_length=20, choices=Nutrient.choices)
    min = models.DecimalField(
        _("min per meal"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max = models.DecimalField(
        _("max per meal"), max_digits=8, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["rule_set", "age_group", "nutrient"]
        verbose_name = _("nutrient bound")
        verbose_name_plural = _("nutrient bounds")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "age_group", "nutrient"], name="one_bound_per_nutrient_and_age"
            ),
            models.CheckConstraint(
                condition=models.Q(min__isnull=True)
                | models.Q(max__isnull=True)
                | models.Q(min__lte=models.F("max")),
                name="nutrient_bound_min_below_max",
            ),
        ]

    def __str__(self):
        return f"{self.rule_set} · {self.get_age_group_display()} · {self.get_nutrient_display()}"

    def clean(self):
        if self.min is None and self.max is None:
            raise ValidationError(_("Give a minimum, a maximum or both."))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValidationError(_("The minimum is above the maximum."))


class PortionSize(models.Model):
    """A served portion by age group (annex II of the arrêté du 30 septembre 2011)."""

    rule_set = models.ForeignKey(RuleSet, models.CASCADE, related_name="portion_sizes")
    section = models.CharField(_("section"), max_length=120)
    product = models.CharField(_("product"), max_length=300)
    age_group = models.CharField(_("age group"), max_length=20, choices=AgeGroup.choices)
    min = models.DecimalField(_("min"), max_digits=7, decimal_places=1, null=True, blank=True)
    max = models.DecimalField(_("max"), max_digits=7, decimal_places=1, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["rule_set", "section", "product", "age_group"]
        verbose_name = _("portion size")
        verbose_name_plural = _("portion sizes")

    def __str__(self):
        return f"{self.product} · {self.get_age_group_display()}"


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

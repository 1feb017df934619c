"""Rule sets as editable data: frequency rules, their change history, the set a canteen
follows, nutrient bounds per meal and served portions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cantine.models import AgeGroup, Canteen
from nutrition.models.choices import TAG_CHOICES, validate_components


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

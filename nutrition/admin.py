from django.contrib import admin

from nutrition.models import (
    CanteenRuleSet,
    CookingYield,
    Dish,
    DishIngredient,
    DishTag,
    Food,
    FoodPrice,
    FrequencyRule,
    NutrientBound,
    PortionSize,
    RuleSet,
    RuleSetChange,
    TagOverride,
)


@admin.register(Food)
class FoodAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group_name", "purchasable", "purchase_unit", "co2e_per_kg"]
    list_filter = ["purchasable", "purchase_unit"]
    search_fields = ["code", "name", "search_name"]
    list_filter = ["group_name"]


class DishIngredientInline(admin.TabularInline):
    model = DishIngredient
    extra = 0
    autocomplete_fields = ["food", "served_food"]


class DishTagInline(admin.TabularInline):
    model = DishTag
    extra = 0
    can_delete = False
    readonly_fields = ["tag", "computed", "applies", "overridden", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Dish)
class DishAdmin(admin.ModelAdmin):
    """Read mostly: edits belong in the dietitian's editor, which recomputes the tags."""

    list_display = ["name", "component", "kitchen", "is_vegetarian", "status"]
    list_filter = ["component", "status", "is_vegetarian", "kitchen"]
    search_fields = ["name"]
    inlines = [DishIngredientInline, DishTagInline]


@admin.register(TagOverride)
class TagOverrideAdmin(admin.ModelAdmin):
    list_display = ["dish", "tag", "value", "author", "created_at"]
    readonly_fields = ["dish", "tag", "value", "author", "reason", "created_at"]


class FrequencyRuleInline(admin.TabularInline):
    model = FrequencyRule
    extra = 0


class NutrientBoundInline(admin.TabularInline):
    model = NutrientBound
    extra = 0


class PortionSizeInline(admin.TabularInline):
    model = PortionSize
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "is_preset", "meals_per_week"]
    list_select_related = ["owner"]  # nullable: not followed by the admin's own select_related
    list_filter = ["is_preset", "owner"]
    search_fields = ["name", "description"]
    inlines = [FrequencyRuleInline, NutrientBoundInline, PortionSizeInline]


@admin.register(CookingYield)
class CookingYieldAdmin(admin.ModelAdmin):
    list_display = ["food", "served_food", "ratio", "source", "updated_by", "updated_at"]
    search_fields = ["food__name", "served_food__name", "food__code", "served_food__code"]
    autocomplete_fields = ["food", "served_food"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user  # the dietitian's figure: kept when data is reloaded
        super().save_model(request, obj, form, change)


@admin.register(FoodPrice)
class FoodPriceAdmin(admin.ModelAdmin):
    list_display = ["food", "kitchen", "unit_price", "local_share", "organic_share", "updated_at"]
    list_filter = ["kitchen", "source"]
    search_fields = ["food__name", "food__code"]
    autocomplete_fields = ["food"]


@admin.register(RuleSetChange)
class RuleSetChangeAdmin(admin.ModelAdmin):
    list_display = ["rule_set", "action", "subject", "author", "at"]
    readonly_fields = ["rule_set", "action", "subject", "author", "at", "before", "after"]


@admin.register(CanteenRuleSet)
class CanteenRuleSetAdmin(admin.ModelAdmin):
    list_display = ["canteen", "rule_set", "assigned_by", "assigned_at"]

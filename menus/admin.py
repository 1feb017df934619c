from django.contrib import admin

from menus.models import (
    CanteenCalendar,
    Meal,
    MealDish,
    MenuPolicy,
    PlanRun,
    RegionalSeason,
    SchoolHolidayPeriod,
    VarietyRule,
)


class MealDishInline(admin.TabularInline):
    model = MealDish
    extra = 0
    autocomplete_fields = ["dish"]


@admin.register(Meal)
class MealAdmin(admin.ModelAdmin):
    list_display = ["date", "canteen", "closed", "closure", "note"]
    list_filter = ["canteen", "closed", "closure"]
    date_hierarchy = "date"
    search_fields = ["canteen__name", "note", "courses__dish__name"]
    inlines = [MealDishInline]


@admin.register(PlanRun)
class PlanRunAdmin(admin.ModelAdmin):
    list_display = ["canteen", "start", "end", "preset", "status", "objective", "solve_seconds"]
    list_filter = ["status", "preset", "canteen"]
    date_hierarchy = "created_at"
    readonly_fields = ["progress", "conflicts", "created_at", "finished_at"]


@admin.register(CanteenCalendar)
class CanteenCalendarAdmin(admin.ModelAdmin):
    list_display = ["canteen", "school_zone", "open_on_public_holidays"]
    list_filter = ["school_zone"]
    autocomplete_fields = ["canteen"]


@admin.register(SchoolHolidayPeriod)
class SchoolHolidayPeriodAdmin(admin.ModelAdmin):
    list_display = ["zone", "name", "first_day", "last_day", "source"]
    list_filter = ["zone"]
    date_hierarchy = "first_day"


@admin.register(RegionalSeason)
class RegionalSeasonAdmin(admin.ModelAdmin):
    list_display = ["food", "region", "months"]
    list_filter = ["region"]
    search_fields = ["food__name"]
    autocomplete_fields = ["food"]


@admin.register(MenuPolicy)
class MenuPolicyAdmin(admin.ModelAdmin):
    list_display = ["rule_set", "season", "season_weight"]


@admin.register(VarietyRule)
class VarietyRuleAdmin(admin.ModelAdmin):
    list_display = ["rule_set", "code", "kind", "family", "limit"]
    list_filter = ["rule_set", "kind"]

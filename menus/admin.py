from django.contrib import admin

from menus.models import Meal, MealDish, PlanRun


class MealDishInline(admin.TabularInline):
    model = MealDish
    extra = 0
    autocomplete_fields = ["dish"]


@admin.register(Meal)
class MealAdmin(admin.ModelAdmin):
    list_display = ["date", "canteen", "closed", "note"]
    list_filter = ["canteen", "closed"]
    date_hierarchy = "date"
    search_fields = ["canteen__name", "note", "courses__dish__name"]
    inlines = [MealDishInline]


@admin.register(PlanRun)
class PlanRunAdmin(admin.ModelAdmin):
    list_display = ["canteen", "start", "end", "preset", "status", "objective", "solve_seconds"]
    list_filter = ["status", "preset", "canteen"]
    date_hierarchy = "created_at"
    readonly_fields = ["progress", "conflicts", "created_at", "finished_at"]

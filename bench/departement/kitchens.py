"""What each kitchen cooks: its dish catalogue, rule set and food prices, and a year of menus."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bench.departement import (
    COMPONENTS,
)
from bench.departement.copier import Copier


class KitchensMixin:
    """What each kitchen cooks of ``Departement`` (its state is set by ``Departement.__init__``)."""

    def catalogues(self, copier: Copier):
        from django.db import connection

        from menus.models import MenuPolicy
        from menus.policies import add_default_variety_rules, set_season_policy
        from nutrition.models import Dish, DishIngredient, DishTag, FoodPrice, RuleSet
        from nutrition.services import assign_rule_set, copy_rule_set

        ids = [k["id"] for k in self.kitchens]
        demo = self.demo_kitchen

        def columns(model, skip):
            return [
                f.column
                for f in model._meta.concrete_fields
                if f.column not in skip and not getattr(f, "generated", False)
            ]

        with connection.cursor() as cursor:
            dish_cols = columns(Dish, {"id", "kitchen_id"})
            cursor.execute(
                f"INSERT INTO nutrition_dish (kitchen_id, {', '.join(dish_cols)}) "
                f"SELECT k, {', '.join('d.' + c for c in dish_cols)} FROM nutrition_dish d, "
                "unnest(%s::int[]) k WHERE d.kitchen_id = %s ORDER BY k, d.id",
                [ids, demo],
            )
            for model in (DishIngredient, DishTag):
                cols = columns(model, {"id", "dish_id"})
                cursor.execute(
                    f'INSERT INTO "{model._meta.db_table}" (dish_id, {", ".join(cols)}) '
                    f"SELECT n.id, {', '.join('x.' + c for c in cols)} "
                    f'FROM "{model._meta.db_table}" x JOIN nutrition_dish d ON d.id = x.dish_id '
                    "JOIN nutrition_dish n ON n.name = d.name AND n.kitchen_id = ANY(%s) "
                    "WHERE d.kitchen_id = %s ORDER BY n.id, x.id",
                    [ids, demo],
                )
                copier.counts[model._meta.label] = cursor.rowcount
            cols = columns(FoodPrice, {"id", "kitchen_id"})
            cursor.execute(
                f"INSERT INTO nutrition_foodprice (kitchen_id, {', '.join(cols)}) "
                f"SELECT k, {', '.join('p.' + c for c in cols)} FROM nutrition_foodprice p, "
                "unnest(%s::int[]) k WHERE p.kitchen_id = %s ORDER BY k, p.id",
                [ids, demo],
            )
            copier.counts[FoodPrice._meta.label] = cursor.rowcount
        copier.counts[Dish._meta.label] = Dish.objects.filter(kitchen_id__in=ids).count()
        from cantine.models import Canteen
        from nutrition.services import load_rule_presets

        school, vegetarian = load_rule_presets()

        for kitchen in Canteen.objects.filter(pk__in=ids).order_by("pk"):
            rule_set = copy_rule_set(
                source=school,
                name=f"{kitchen.name} — règles",
                owner=kitchen,
                actor=None,
                also_from=[vegetarian],
            )
            add_default_variety_rules(rule_set=rule_set)
            set_season_policy(rule_set=rule_set, season=MenuPolicy.Season.PREFER)
            assign_rule_set(canteen=kitchen, rule_set=rule_set, actor=None)
        copier.counts[RuleSet._meta.label] = len(ids)
        self.dishes = {}
        for pk, kitchen, component, vegetarian_ in (
            Dish.objects.filter(kitchen_id__in=ids)
            .order_by("pk")
            .values_list("pk", "kitchen_id", "component", "is_vegetarian")
        ):
            self.dishes.setdefault(kitchen, {}).setdefault(component, []).append((pk, vegetarian_))

    def menus(self, copier: Copier):
        from cantine.models import Canteen
        from menus.closures import days_off
        from menus.models import Meal, MealDish
        from menus.services import service_weekdays

        end = self.monday - timedelta(days=1)
        meals, courses = [], []
        next_meal = copier.next_id(Meal)
        self.service_days: dict[int, list[date]] = {}
        for kitchen in Canteen.objects.filter(pk__in=[k["id"] for k in self.kitchens]).order_by(
            "pk"
        ):
            rng = random.Random(f"{self.seed}-menus-{kitchen.pk}")
            weekdays = set(service_weekdays(kitchen))
            off = days_off(kitchen, self.start, end + timedelta(weeks=2))
            days = [
                self.start + timedelta(days=n)
                for n in range((end - self.start).days + 1 + 14)
                if (self.start + timedelta(days=n)).weekday() in weekdays
                and (self.start + timedelta(days=n)) not in off
            ]
            self.service_days[kitchen.pk] = days
            catalogue = self.dishes[kitchen.pk]
            vegetarian_mains = [d for d, veg in catalogue["main"] if veg]
            other_mains = [d for d, veg in catalogue["main"] if not veg]
            for day in days:
                if day > end:
                    break  # the weeks to come are the cook's to plan
                meals.append((next_meal, kitchen.pk, day, False, "", ""))
                for component in COMPONENTS:
                    if component == "main":
                        pool = vegetarian_mains if day.weekday() == 1 else other_mains
                        dish = rng.choice(pool or [d for d, _v in catalogue["main"]])
                    else:
                        dish = rng.choice(catalogue[component])[0]
                    courses.append((next_meal, component, dish, False))
                next_meal += 1
        copier.copy(Meal, ["id", "canteen", "date", "closed", "closure", "note"], meals)
        copier.copy(MealDish, ["meal", "component", "dish", "locked"], courses)

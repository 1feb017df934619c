"""REST API: foods (read, search), dishes and rule sets (dietitian writes, cook reads)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from cantine.models import AgeGroup, Role
from cantine.roles import has_role, kitchens_for
from cantine.search import search_words
from nutrition import selectors, services
from nutrition.models import (
    MAX_YIELD,
    MIN_YIELD,
    NUTRIENT_KEYS,
    Allergen,
    Component,
    Dish,
    DishIngredient,
    DishTag,
    Food,
    FrequencyRule,
    RuleSet,
)

READERS = (Role.COOK, Role.DIETITIAN)
STAFF = (Role.COOK, Role.DIETITIAN, Role.MANAGER)


class ReadOrDietitian(BasePermission):
    """Cooks and dietitians read; only dietitians write."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return has_role(request.user, *READERS)
        return has_role(request.user, Role.DIETITIAN)


class StaffRead(BasePermission):
    def has_permission(self, request, view):
        return request.user.is_authenticated and has_role(request.user, *STAFF)


def _django_errors(exc: DjangoValidationError):
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


# --- foods ------------------------------------------------------------------------------------


class FoodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Food
        fields = [
            "id",
            "code",
            "name",
            "group_name",
            "subgroup_name",
            "subsubgroup_name",
            *NUTRIENT_KEYS,
            "nutrient_kinds",
            "co2e_per_kg",
            "season_months",
            "purchasable",
            "purchase_unit",
            "piece_grams",
            "density_kg_per_l",
        ]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="Words of the name, accents optional"
            )
        ]
    )
)
class FoodViewSet(viewsets.ReadOnlyModelViewSet):
    """CIQUAL 2025 foods, nutrients per 100 g (null: unknown, never zero)."""

    serializer_class = FoodSerializer
    permission_classes = [StaffRead]
    queryset = Food.objects.order_by("name")

    def get_queryset(self):
        search = self.request.query_params.get("search", "").strip()
        foods = Food.objects.order_by("name")
        for word in search_words(search):
            foods = foods.filter(search_name__contains=word)
        return foods


# --- dishes -----------------------------------------------------------------------------------


class IngredientSerializer(serializers.Serializer):
    """One product of a recipe: bought (gross grams per portion), and how it is served."""

    food = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Food.objects.all(),
        help_text="CIQUAL code of the product bought (raw or as sold).",
    )
    food_name = serializers.CharField(source="food.name", read_only=True)
    served_food = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Food.objects.all(),
        required=False,
        allow_null=True,
        help_text="CIQUAL code of the food as served, when cooking changes it.",
    )
    yield_factor = serializers.DecimalField(
        6,
        3,
        required=False,
        allow_null=True,
        min_value=MIN_YIELD,
        max_value=MAX_YIELD,
        help_text="Served weight per weight bought; omitted: the known yield, else 1.",
    )
    grams_maternelle = serializers.DecimalField(7, 1, required=False, allow_null=True)
    grams_elementaire = serializers.DecimalField(7, 1, required=False, allow_null=True)
    grams_college_lycee = serializers.DecimalField(7, 1, required=False, allow_null=True)
    grams_adult = serializers.DecimalField(7, 1, required=False, allow_null=True)
    flags = serializers.ListField(
        child=serializers.ChoiceField(choices=DishIngredient.FLAG_FIELDS), required=False
    )

    def validate_food(self, food: Food) -> Food:
        if not food.purchasable:
            raise serializers.ValidationError(
                f"{food.name} is a cooked preparation: give the product bought as food "
                "and this one as served_food."
            )
        return food

    def to_representation(self, instance: DishIngredient):
        data = {
            "food": instance.food.code,
            "food_name": instance.food.name,
            "served_food": instance.served_food.code if instance.served_food_id else None,
            "yield_factor": str(instance.yield_factor),
            **{f"grams_{age}": instance.grams(age) for age in AgeGroup.values},
            "flags": sorted(instance.flags),
        }
        for age in AgeGroup.values:
            value = data[f"grams_{age}"]
            data[f"grams_{age}"] = None if value is None else str(value)
        return data


class DishTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = DishTag
        fields = ["tag", "applies", "computed", "overridden", "reason"]


class DishSerializer(serializers.ModelSerializer):
    ingredients = IngredientSerializer(many=True)
    tags = serializers.SerializerMethodField()
    tag_details = DishTagSerializer(source="tag_rows", many=True, read_only=True)
    allergens = serializers.ListField(
        child=serializers.ChoiceField(choices=Allergen.choices), required=False
    )
    reference_age_group = serializers.CharField(
        read_only=True, help_text="Age group whose grams the tags were computed on."
    )

    class Meta:
        model = Dish
        fields = [
            "id",
            "kitchen",
            "name",
            "component",
            "vegetarian_declared",
            "is_vegetarian",
            "contains_pork",
            "allergens",
            "status",
            "notes",
            "reference_age_group",
            "co2e_per_portion",
            "ingredients",
            "tags",
            "tag_details",
        ]
        read_only_fields = ["is_vegetarian", "reference_age_group", "co2e_per_portion"]

    def get_tags(self, dish) -> list[str]:
        return sorted(dish.tags)

    def validate_kitchen(self, kitchen):
        user = self.context["request"].user
        if not kitchens_for(user, Role.DIETITIAN, write=True).filter(pk=kitchen.pk).exists():
            raise serializers.ValidationError("You are not a dietitian of this kitchen.")
        return kitchen

    def _save(self, dish: Dish | None):
        data = dict(self.validated_data)
        kitchen = data.pop("kitchen", None) or (dish.kitchen if dish else None)
        if kitchen is None:
            raise ApiValidationError({"kitchen": ["This field is required."]})
        rows = data.pop("ingredients", None)
        if rows is None:
            if dish is None:
                raise ApiValidationError({"ingredients": ["This field is required."]})
            ingredients = [
                services.IngredientData(
                    food=i.food,
                    grams={a: i.grams(a) for a in AgeGroup.values},
                    flags=i.flags,
                    served_food=i.served_food,
                    yield_factor=i.yield_factor,
                )
                for i in dish.ingredients.select_related("food", "served_food")
            ]
        else:
            ingredients = [
                services.IngredientData(
                    food=row["food"],
                    grams={age: row.get(f"grams_{age}") for age in AgeGroup.values},
                    flags=frozenset(row.get("flags", ())),
                    served_food=row.get("served_food"),
                    yield_factor=row.get("yield_factor"),
                )
                for row in rows
            ]
        try:
            return services.save_dish(
                kitchen=kitchen, fields=data, ingredients=ingredients, dish=dish
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc

    def create(self, validated_data):
        return self._save(None)

    def update(self, instance, validated_data):
        return self._save(instance)


class DishViewSet(viewsets.ModelViewSet):
    """A kitchen's dishes with their recipe and GEMRCN tags (overrides applied)."""

    serializer_class = DishSerializer
    permission_classes = [ReadOrDietitian]

    def get_queryset(self):
        write = self.request.method not in SAFE_METHODS
        roles = (Role.DIETITIAN,) if write else READERS
        return (
            selectors.visible_dishes(self.request.user, *roles, write=write)
            .prefetch_related("ingredients__food", "ingredients__served_food", "tag_rows")
            .order_by("component", "name")
        )

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        dish = self.get_object()
        try:
            dish.delete()
        except ProtectedError as exc:
            raise ApiValidationError(["This dish is on a menu; it cannot be deleted."]) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- rule sets --------------------------------------------------------------------------------


class FrequencyRuleSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(required=False)
    components = serializers.ListField(
        child=serializers.CharField(),
        allow_empty=False,
        help_text="Courses the rule counts: entree, main, side, dairy, dessert.",
    )

    class Meta:
        model = FrequencyRule
        fields = ["id", "code", "tag", "min", "max", "window", "components", "text"]

    def validate_components(self, value):
        unknown = sorted(set(value) - set(Component.values))
        if unknown:
            raise serializers.ValidationError(f"Unknown courses: {', '.join(unknown)}.")
        return value


class RuleSetSerializer(serializers.ModelSerializer):
    rules = FrequencyRuleSerializer(many=True, required=False)

    class Meta:
        model = RuleSet
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "based_on",
            "meals_per_week",
            "vegetarian_per_week",
            "min_meals_between_repeats",
            "is_preset",
            "rules",
        ]
        read_only_fields = ["owner", "based_on", "is_preset"]

    def update(self, instance, validated_data):
        rules = validated_data.pop("rules", None)
        settings = {k: v for k, v in validated_data.items() if k in services.SETTING_FIELDS}
        rule_data, removed = [], []
        if rules is not None:
            sent = {row.get("id") for row in rules if row.get("id")}
            removed = [r.pk for r in instance.rules.all() if r.pk not in sent]
            rule_data = [
                services.RuleData(
                    code=row["code"],
                    tag=row["tag"],
                    min=row.get("min"),
                    max=row.get("max"),
                    window=row.get("window", 20),
                    components=list(row["components"]),
                    text=row.get("text", ""),
                    pk=row.get("id"),
                )
                for row in rules
            ]
        user = self.context["request"].user
        try:
            services.update_rule_set(
                rule_set=instance,
                actor=user,
                settings=settings,
                rules=rule_data,
                removed=removed,
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        instance.refresh_from_db()
        return instance


class RuleSetCopySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    owner = serializers.IntegerField(help_text="Kitchen (canteen id) that owns the copy.")


class RuleSetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Presets (read-only) and the rule sets of the caller's kitchens; edits are recorded."""

    serializer_class = RuleSetSerializer
    permission_classes = [ReadOrDietitian]

    def get_queryset(self):
        if self.request.method in SAFE_METHODS:
            rule_sets = selectors.visible_rule_sets(self.request.user)
        else:
            rule_sets = selectors.visible_rule_sets(self.request.user, Role.DIETITIAN)
        return rule_sets.prefetch_related("rules").order_by("-is_preset", "name")

    def get_object(self):
        """For a change, the rule set must be the caller's to edit, before its body is read:
        a preset or a rule set served from another kitchen answers 403, whatever is sent."""
        rule_set = super().get_object()
        if self.action in ("update", "partial_update") and (
            not selectors.editable_rule_sets(self.request.user).filter(pk=rule_set.pk).exists()
        ):
            raise PermissionDenied("A preset or another kitchen's rule set: copy it first.")
        return rule_set

    @extend_schema(request=RuleSetCopySerializer, responses={201: RuleSetSerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        source = self.get_object()
        payload = RuleSetCopySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        owner = (
            kitchens_for(request.user, Role.DIETITIAN, write=True)
            .filter(pk=payload.validated_data["owner"])
            .first()
        )
        if owner is None:
            raise ApiValidationError({"owner": ["Not one of your kitchens."]})
        try:
            copy = services.copy_rule_set(
                source=source,
                name=payload.validated_data["name"],
                owner=owner,
                actor=request.user,
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from exc
        return Response(RuleSetSerializer(copy).data, status=status.HTTP_201_CREATED)

"""REST API for menus: read the meals, ask for a plan, follow it, read the compliance."""

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cantine import solver_runs
from cantine.api_filters import MAX_ID, CanteenPeriodFilter, read_filters
from cantine.bounds import ApiDayField
from cantine.models import Canteen, Role
from cantine.roles import HasRole, in_kitchens, kitchen_for, kitchens_for
from menus import selectors, services
from menus.models import Meal, MealDish, PlanRun
from nutrition.selectors import rule_set_for

READERS = (Role.COOK, Role.DIETITIAN, Role.MANAGER)


class PeriodSerializer(serializers.Serializer):
    canteen = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = ApiDayField()
    end = ApiDayField()

    def validate(self, data):
        if data["end"] < data["start"]:
            raise serializers.ValidationError("end is before start")
        if (data["end"] - data["start"]).days > 366:
            raise serializers.ValidationError("a period is at most one year")
        return data


def _canteen(user, pk, *roles, write=False) -> Canteen:
    """The kitchen planning for canteen ``pk`` (``cantine.roles.kitchen_for``, menus are served)."""
    return kitchen_for(user, pk, *roles, write=write, served=True)


class MealDishSerializer(serializers.ModelSerializer):
    dish_name = serializers.CharField(source="dish.name", read_only=True)

    class Meta:
        model = MealDish
        fields = ["component", "dish", "dish_name", "locked"]


class MealSerializer(serializers.ModelSerializer):
    courses = MealDishSerializer(many=True, read_only=True)

    class Meta:
        model = Meal
        fields = ["id", "canteen", "date", "closed", "note", "courses"]


@extend_schema_view(list=extend_schema(parameters=[CanteenPeriodFilter]))
class MealViewSet(viewsets.ReadOnlyModelViewSet):
    """Meals of the canteens the caller works for; filter with ?canteen=&start=&end=."""

    serializer_class = MealSerializer
    permission_classes = [HasRole.of(*READERS)]

    def get_queryset(self):
        meals = Meal.objects.filter(
            in_kitchens(kitchens_for(self.request.user, *READERS, served=True))
        ).prefetch_related("courses__dish")
        params = read_filters(self.request, CanteenPeriodFilter)
        if "canteen" in params:
            meals = meals.filter(canteen_id=params["canteen"])
        if "start" in params:
            meals = meals.filter(date__gte=params["start"])
        if "end" in params:
            meals = meals.filter(date__lte=params["end"])
        return meals.order_by("canteen", "date")

    @extend_schema(
        parameters=[
            OpenApiParameter("canteen", int, required=True),
            OpenApiParameter("start", str, required=True, description="ISO date"),
            OpenApiParameter("end", str, required=True, description="ISO date"),
        ],
        responses={200: dict},
    )
    @action(detail=False)
    def compliance(self, request):
        """Each rule's count over every window of the period, as the compliance checker gives it."""
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        canteen = _canteen(request.user, period.validated_data["canteen"], *READERS)
        rule_set = rule_set_for(canteen)
        if rule_set is None:
            return Response({"detail": "no rule set chosen for this canteen"}, status=409)
        report = selectors.compliance(
            canteen, period.validated_data["start"], period.validated_data["end"], rule_set
        )
        return Response({"rule_set": rule_set.name, **report.to_dict()})


class PlanRunSerializer(serializers.ModelSerializer):
    gap = serializers.FloatField(read_only=True, allow_null=True)  # None until solved

    class Meta:
        model = PlanRun
        fields = [
            "id",
            "canteen",
            "start",
            "end",
            "preset",
            "keep_existing",
            "max_cost_per_meal",
            "aim_shares",
            "status",
            "objective",
            "bound",
            "gap",
            "solve_seconds",
            "conflicts",
            "changed_slots",
            "meals_planned",
            "meals_total",
            "best_gap",
            "created_at",
            "finished_at",
        ]
        read_only_fields = [
            "aim_shares",
            "status",
            "objective",
            "bound",
            "solve_seconds",
            "conflicts",
            "changed_slots",
            "meals_planned",
            "meals_total",
            "best_gap",
            "created_at",
            "finished_at",
        ]


class PlanRequestSerializer(serializers.Serializer):
    canteen = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = ApiDayField()
    end = ApiDayField()
    preset = serializers.ChoiceField(choices=PlanRun.Preset.choices)
    keep_existing = serializers.BooleanField(default=True)
    max_cost_per_meal = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    # Hold the plan to the year's EGalim and organic shares (50 % / 20 % of the food cost).
    aim_shares = serializers.BooleanField(default=False)

    def validate(self, data):
        if data["end"] < data["start"] or data["end"] - data["start"] > timedelta(days=62):
            raise serializers.ValidationError({"end": "a plan covers one day to two months"})
        return data


class PlanRunViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Ask the optimiser to fill a period (cook), then poll the run until it is finished."""

    serializer_class = PlanRunSerializer

    def get_permissions(self):
        roles = (Role.COOK,) if self.action == "create" else READERS
        return [HasRole.of(*roles)()]

    def get_queryset(self):
        return PlanRun.objects.filter(
            in_kitchens(kitchens_for(self.request.user, *READERS, served=True))
        )

    def get_object(self):
        return solver_runs.fresh(super().get_object())  # its worker died: failed

    @extend_schema(request=PlanRequestSerializer, responses={202: PlanRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PlanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        canteen = _canteen(request.user, data["canteen"], Role.COOK, write=True)
        rule_set = rule_set_for(canteen)
        if rule_set is None:
            return Response({"detail": "no rule set chosen for this canteen"}, status=409)
        try:
            run = services.request_plan(
                canteen=canteen,
                start=data["start"],
                end=data["end"],
                preset=data["preset"],
                keep_existing=data["keep_existing"],
                rule_set=rule_set,
                actor=request.user,
                max_cost_per_meal=data.get("max_cost_per_meal"),
                aim_shares=data["aim_shares"],
            )
            code = status.HTTP_202_ACCEPTED
        except solver_runs.AlreadyRunning as running:
            run, code = running.run, status.HTTP_200_OK
        run.refresh_from_db()
        return Response(self.get_serializer(run).data, status=code)

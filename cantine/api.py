"""REST API for canteens (read-only here; canteens are set up by administrators)."""

from rest_framework import serializers, viewsets

from cantine.models import Canteen, CoverForecast, Role
from cantine.roles import HasRole
from cantine.selectors import visible_canteens

STAFF = (Role.COOK, Role.DIETITIAN, Role.MANAGER)


class CoverForecastSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoverForecast
        fields = ["weekday", "age_group", "covers"]


class CanteenSerializer(serializers.ModelSerializer):
    commune_name = serializers.CharField(source="commune.name", read_only=True)
    department = serializers.CharField(source="commune.department_id", read_only=True)
    region = serializers.CharField(source="commune.department.region_id", read_only=True)
    local_definition = serializers.SerializerMethodField()
    cover_forecasts = CoverForecastSerializer(many=True, read_only=True)

    class Meta:
        model = Canteen
        fields = [
            "id",
            "name",
            "siret",
            "kind",
            "central_kitchen",
            "commune",
            "commune_name",
            "department",
            "region",
            "latitude",
            "longitude",
            "local_scope",
            "local_radius_km",
            "local_territory",
            "local_definition",
            "cover_forecasts",
        ]

    def get_local_definition(self, canteen) -> str:
        return canteen.local_definition().label


class CanteenViewSet(viewsets.ReadOnlyModelViewSet):
    """Canteens the caller works for (a central kitchen's staff also see its satellites)."""

    serializer_class = CanteenSerializer
    permission_classes = [HasRole.of(*STAFF)]

    def get_queryset(self):
        return visible_canteens(self.request.user, *STAFF).prefetch_related(
            "cover_forecasts",
            "local_territory__communes",  # what local_definition reads
        )

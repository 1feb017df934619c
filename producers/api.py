"""REST API for producers: buyers read the directory, a producer reads only itself.

Offers: buyers read every offer; a producer reads and writes only its own.
"""

from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied

from cantine.bounds import validate_day
from cantine.labels import Unit
from cantine.models import Role
from cantine.roles import HasRole, has_role, producer_of
from producers.models import Offer, Producer, sale_problem


class ProducerSerializer(serializers.ModelSerializer):
    commune_name = serializers.CharField(source="commune.name", read_only=True)
    department = serializers.CharField(source="commune.department_id", read_only=True)

    class Meta:
        model = Producer
        fields = [
            "id",
            "name",
            "siret",
            "status",
            "commune",
            "commune_name",
            "department",
            "latitude",
            "longitude",
            "plant_activity",
            "animal_activity",
            "sells_direct",
            "labels",
            "hve_certified_on",
            "delivery_weekdays",
            "delivery_cost",
            "minimum_order_value",
            "contact_name",
            "email",
            "phone",
        ]


class ProducerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProducerSerializer
    permission_classes = [HasRole.of(Role.COOK, Role.MANAGER, Role.PRODUCER)]

    def get_queryset(self):
        producers = Producer.objects.select_related("commune").order_by("name")
        user = self.request.user
        if has_role(user, Role.COOK, Role.MANAGER):
            return producers
        own = producer_of(user)
        return producers.filter(pk=own.pk) if own else producers.none()


class OfferSerializer(serializers.ModelSerializer):
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    food_code = serializers.CharField(source="food.code", read_only=True)
    # Plain text in the schema: "unit" names another choice set in the purchases API.
    unit = serializers.CharField(max_length=5, help_text="kg, L or piece")

    class Meta:
        model = Offer
        fields = [
            "id",
            "producer",
            "producer_name",
            "food",
            "food_code",
            "product_label",
            "unit",
            "pack_size",
            "unit_price",
            "weekly_capacity",
            "labels",
            "valid_from",
            "valid_to",
            "active",
        ]
        read_only_fields = ["producer"]
        extra_kwargs = {
            "valid_from": {"validators": [validate_day]},
            "valid_to": {"validators": [validate_day]},
        }

    def validate_unit(self, value):
        if value not in Unit.values:
            raise serializers.ValidationError("expected kg, L or piece")
        return value

    def validate(self, data):
        start = data.get("valid_from", getattr(self.instance, "valid_from", None))
        end = data.get("valid_to", getattr(self.instance, "valid_to", None))
        if start and end and end < start:
            raise serializers.ValidationError({"valid_to": "the offer ends before it starts"})
        food = data.get("food", getattr(self.instance, "food", None))
        unit = data.get("unit", getattr(self.instance, "unit", None))
        if food is not None and unit is not None and sale_problem(food, unit):
            field = "food" if not food.purchasable else "unit"
            raise serializers.ValidationError({field: str(sale_problem(food, unit))})
        return data


class OfferViewSet(viewsets.ModelViewSet):
    """Offers: cooks and managers read them all; a producer manages its own."""

    serializer_class = OfferSerializer

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [HasRole.of(Role.COOK, Role.MANAGER, Role.PRODUCER)()]
        return [HasRole.of(Role.PRODUCER)()]

    def get_queryset(self):
        offers = Offer.objects.select_related("producer", "food").order_by("producer", "pk")
        user = self.request.user
        if self.action in ("list", "retrieve") and has_role(user, Role.COOK, Role.MANAGER):
            return offers
        own = producer_of(user)
        return offers.filter(producer=own) if own else offers.none()

    def perform_create(self, serializer):
        own = producer_of(self.request.user)
        if own is None:
            raise PermissionDenied
        serializer.save(producer=own)

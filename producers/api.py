"""REST API for producers: buyers read the directory, a producer reads only itself."""

from rest_framework import serializers, viewsets

from cantine.models import Role
from cantine.roles import HasRole, has_role, producer_of
from producers.models import Producer


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

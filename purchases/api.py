"""REST API: ledger lines (managers write, cooks read) and the shares of a canteen's year."""

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from cantine.api_filters import MAX_ID, CanteenYearFilter, read_filters
from cantine.bounds import ApiYearField, validate_day
from cantine.models import Role
from cantine.roles import HasRole, canteens_for, has_role
from purchases import selectors, services
from purchases.models import Purchase, validate_labels
from purchases.targets import target_for

READERS = (Role.COOK, Role.MANAGER)


class ManagersWrite(HasRole):
    """Cooks and managers read; only managers write (per line, see the viewset)."""

    roles = READERS

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return super().has_permission(request, view)
        return request.user.is_authenticated and has_role(request.user, Role.MANAGER)


class PurchaseSerializer(serializers.ModelSerializer):
    egalim_group = serializers.SerializerMethodField()

    class Meta:
        model = Purchase
        fields = [
            "id",
            "canteen",
            "date",
            "description",
            "supplier",
            "producer",
            "family",
            "labels",
            "egalim_group",
            "origin",
            "is_short_chain",
            "is_local",
            "local_definition",
            "local_definition_km",
            "price_ht",
            "quantity",
            "unit",
            "source",
            "import_batch",
            "created_at",
        ]
        read_only_fields = ["source", "import_batch", "created_at"]
        extra_kwargs = {
            "date": {"validators": [validate_day]},
            "price_ht": {"min_value": Decimal(0)},
            "quantity": {"min_value": Decimal("0.001")},
        }

    def get_egalim_group(self, purchase) -> int:
        from cantine.labels import egalim_group

        return int(egalim_group(purchase.labels))

    def validate_labels(self, value):
        try:
            validate_labels(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from error
        return value

    def validate_canteen(self, canteen):
        user = self.context["request"].user
        if not canteens_for(user, Role.MANAGER).filter(pk=canteen.pk).exists():
            raise PermissionDenied
        return canteen

    def validate(self, attrs):
        instance = Purchase(**{**self._current(), **attrs})
        try:
            instance.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        return {f: getattr(self.instance, f) for f in ("local_definition", "unit", "quantity")} | {
            "local_definition_km": self.instance.local_definition_km
        }


@extend_schema_view(list=extend_schema(parameters=[CanteenYearFilter]))
class PurchaseViewSet(viewsets.ModelViewSet):
    """Lines of the canteens the caller works for; ``?canteen=`` and ``?year=`` narrow them."""

    serializer_class = PurchaseSerializer
    permission_classes = [ManagersWrite]

    def get_queryset(self):
        lines = Purchase.objects.filter(
            canteen__in=canteens_for(self.request.user, *READERS)
        ).order_by("-date", "pk")
        params = read_filters(self.request, CanteenYearFilter)
        if "canteen" in params:
            lines = lines.filter(canteen_id=params["canteen"])
        if "year" in params:
            lines = lines.filter(date__year=params["year"])
        return lines

    def _check_manages(self, purchase):
        if (
            not canteens_for(self.request.user, Role.MANAGER)
            .filter(pk=purchase.canteen_id)
            .exists()
        ):
            raise PermissionDenied

    def perform_create(self, serializer):
        try:
            serializer.instance = services.create_purchase(**serializer.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error

    def perform_update(self, serializer):
        self._check_manages(serializer.instance)
        serializer.save()

    def perform_destroy(self, instance):
        self._check_manages(instance)
        instance.delete()


class SharesQuery(CanteenYearFilter):
    canteen = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The canteen.")
    year = ApiYearField(required=False, help_text="Calendar year (default: this year).")


class SharesViewSet(viewsets.ViewSet):
    """EGalim, organic, meat-and-fish, local, short-chain and France shares of one year."""

    permission_classes = [HasRole.of(*READERS)]

    @extend_schema(parameters=[SharesQuery], responses={200: dict})
    def list(self, request):
        params = read_filters(request, SharesQuery)
        canteen = selectors.readable_canteens(request.user).filter(pk=params["canteen"]).first()
        if canteen is None:
            raise Http404
        year = params.get("year") or timezone.localdate().year
        lines = selectors.ledger(selectors.group_of(canteen), selectors.LedgerFilter(year=year))
        target = target_for(canteen, year)
        return Response(
            {
                "canteen": canteen.pk,
                "year": year,
                "local_definition": canteen.local_definition().label,
                "target": target
                and {
                    "territory": target.territory,
                    "bio": target.bio,
                    "egalim": target.egalim,
                    "meat_fish": target.meat_fish,
                },
                "totals": selectors.shares(lines, year).as_dict(),
                "by_month": [
                    {"month": row.key, **row.shares.as_dict()}
                    for row in selectors.shares_by(lines, "month", year=year)
                ],
                "by_family": [
                    {"family": row.key, **row.shares.as_dict()}
                    for row in selectors.shares_by(lines, "family", year=year)
                ],
            }
        )

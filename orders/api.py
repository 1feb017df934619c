"""REST API for orders: needs (cook adjusts), allocation runs (create, poll), purchase orders.

Buyers are cooks (write) and managers (read) of a kitchen; a satellite's staff act through
their central kitchen. Other kitchens' objects are simply not found.
"""

from decimal import Decimal

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cantine import solver_runs
from cantine.api_filters import MAX_ID, CanteenPeriodFilter, read_filters
from cantine.bounds import ApiDayField
from cantine.idempotency import idempotent
from cantine.labels import Family, Unit
from cantine.models import Role
from cantine.roles import HasRole, kitchen_for, kitchens_for, producer_of
from orders import lifecycle, services
from orders import needs as needs_service
from orders.models import AllocationLine, AllocationRun, Need, PurchaseOrder, PurchaseOrderLine

WRITERS = (Role.COOK,)
READERS = (Role.COOK, Role.MANAGER)


def _visible(user, *roles):
    """Kitchens whose buying the user reads in one of ``roles`` (``cantine.roles``)."""
    return kitchens_for(user, *roles).values("pk")


class NeedSerializer(serializers.ModelSerializer):
    """What a kitchen must buy: a product (as bought), its family, its unit and quantity."""

    food_code = serializers.CharField(source="food.code", read_only=True)
    food_name = serializers.CharField(source="food.name", read_only=True)
    product = serializers.CharField(
        source="food.name", read_only=True, help_text="The product bought (raw or as sold)."
    )
    family = serializers.ChoiceField(
        source="food.family",
        choices=Family.choices,
        read_only=True,
        help_text="ma cantine product family.",
    )
    unit = serializers.ChoiceField(
        choices=Unit.choices, read_only=True, help_text="What the quantity counts."
    )

    class Meta:
        model = Need
        fields = [
            "id",
            "canteen",
            "week",
            "food",
            "food_code",
            "food_name",
            "product",
            "family",
            "delivery_date",
            "unit",
            "computed_quantity",
            "manual_quantity",
            "quantity",
            "sources",
        ]
        read_only_fields = [f for f in fields if f != "manual_quantity"]

    def validate_manual_quantity(self, value):
        if value is not None and value < 0:
            raise serializers.ValidationError("a quantity cannot be negative")
        return value


PERIOD_PARAMETERS = [CanteenPeriodFilter]  # canteen, start and end (of delivery dates)


@extend_schema(parameters=PERIOD_PARAMETERS)
class NeedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Needs of the caller's kitchens; the cook may set ``manual_quantity`` (null resets it)."""

    serializer_class = NeedSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_permissions(self):
        roles = WRITERS if self.action in ("update", "partial_update") else READERS
        return [HasRole.of(*roles)()]

    def get_queryset(self):
        roles = WRITERS if self.action in ("update", "partial_update") else READERS
        found = Need.objects.filter(canteen__in=_visible(self.request.user, *roles)).select_related(
            "food"
        )
        params = read_filters(self.request, CanteenPeriodFilter)
        if "canteen" in params:
            found = found.filter(canteen_id=params["canteen"])
        if "start" in params:
            found = found.filter(delivery_date__gte=params["start"])
        if "end" in params:
            found = found.filter(delivery_date__lte=params["end"])
        return found.order_by("delivery_date", "food__name", "pk")

    def perform_update(self, serializer):
        needs_service.set_manual_quantity(
            need=serializer.instance, quantity=serializer.validated_data.get("manual_quantity")
        )


class AllocationLineSerializer(serializers.ModelSerializer):
    producer = serializers.IntegerField(source="offer.producer_id", read_only=True)

    class Meta:
        model = AllocationLine
        fields = ["need", "offer", "producer", "packs", "quantity", "unit_price", "total"]


class AllocationRunSerializer(serializers.ModelSerializer):
    lines = AllocationLineSerializer(many=True, read_only=True)

    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "canteen",
            "start",
            "end",
            "targets",
            "goal",
            "budget",
            "status",
            "cost",
            "goods_cost",
            "delivery_cost",
            "bound",
            "gap",
            "baseline_cost",
            "shares",
            "unmet",
            "deliveries",
            "conflicts",
            "message",
            "solve_seconds",
            "created_at",
            "finished_at",
            "accepted_at",
            "lines",
        ]
        read_only_fields = fields


class TargetsSerializer(serializers.Serializer):
    bio_min_share = serializers.FloatField(required=False, min_value=0, max_value=1)
    egalim_min_share = serializers.FloatField(required=False, min_value=0, max_value=1)
    local_min_share = serializers.FloatField(required=False, min_value=0, max_value=1)


class AllocationRequestSerializer(serializers.Serializer):
    canteen = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    start = ApiDayField()
    end = ApiDayField()
    targets = TargetsSerializer(required=False)
    goal = serializers.ChoiceField(
        choices=AllocationRun.Goal.choices, default=AllocationRun.Goal.MIN_COST
    )
    budget = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
    )

    def validate(self, data):
        if data["end"] < data["start"] or (data["end"] - data["start"]).days > 62:
            raise serializers.ValidationError({"end": "a period is one day to two months"})
        if data["goal"] == AllocationRun.Goal.MAX_LOCAL and data.get("budget") is None:
            raise serializers.ValidationError({"budget": "the most local needs a budget"})
        return data


MONEY = {"max_digits": 12, "decimal_places": 2, "read_only": True}


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    """A line with the terms frozen when it was sent, and asked / confirmed / delivered."""

    product = serializers.CharField(read_only=True)
    unit = serializers.CharField(source="unit_code", read_only=True)
    pack_size = serializers.DecimalField(
        source="size", max_digits=10, decimal_places=3, read_only=True
    )
    labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    confirmed_quantity = serializers.DecimalField(
        source="confirmed_quantity_if_answered",
        max_digits=12,
        decimal_places=3,
        read_only=True,
        allow_null=True,
    )
    confirmed_total = serializers.DecimalField(
        source="confirmed_total_if_answered", **MONEY, allow_null=True
    )
    delivered_total = serializers.DecimalField(**MONEY, allow_null=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "offer",
            "need",
            "product",
            "labels",
            "packs",
            "pack_size",
            "quantity",
            "unit",
            "unit_price",
            "total",
            "previous_packs",
            "confirmed_packs",
            "confirmed_quantity",
            "confirmed_total",
            "refusal_reason",
            "received_quantity",
            "delivered_total",
            "quality_remark",
        ]


class AmountsSerializer(serializers.Serializer):
    """Asked, confirmed and delivered, goods and delivery, € HT; null while not known yet."""

    asked_goods = serializers.DecimalField(**MONEY)
    delivery_cost = serializers.DecimalField(**MONEY)
    asked = serializers.DecimalField(**MONEY)
    confirmed = serializers.DecimalField(**MONEY, allow_null=True)
    delivered = serializers.DecimalField(**MONEY, allow_null=True)
    due = serializers.DecimalField(**MONEY, allow_null=True)


class PurchaseOrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)
    amounts = AmountsSerializer(read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "canteen",
            "producer",
            "delivery_date",
            "run",
            "status",
            "revision",
            "goods_total",
            "delivery_cost",
            "amounts",
            "created_at",
            "sent_at",
            "received_on",
            "lines",
        ]


class LineChangeSerializer(serializers.Serializer):
    product = serializers.CharField()
    unit = serializers.CharField()
    pack_size = serializers.DecimalField(source="size", max_digits=10, decimal_places=3)
    before = serializers.IntegerField(help_text="packs asked now")
    after = serializers.IntegerField(help_text="packs asked once accepted")
    change = serializers.CharField(help_text="added, increased, reduced, cancelled, unchanged")


class OrderChangeSerializer(serializers.Serializer):
    producer = serializers.IntegerField(source="producer.pk")
    producer_name = serializers.CharField(source="producer.name")
    delivery_date = serializers.DateField()
    kind = serializers.CharField(help_text="new, draft (replaced) or amendment (of a sent order)")
    order = serializers.IntegerField(source="order.pk", allow_null=True, default=None)
    below_minimum = serializers.BooleanField()
    lines = LineChangeSerializer(many=True)


class ShortfallSerializer(serializers.Serializer):
    food_name = serializers.CharField()
    unit = serializers.CharField()
    delivery_date = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3)
    refused = serializers.BooleanField()


class AcceptancePlanSerializer(serializers.Serializer):
    digest = serializers.CharField()
    changes = OrderChangeSerializer(many=True)
    shortfalls = ShortfallSerializer(many=True)


class AcceptSerializer(serializers.Serializer):
    digest = serializers.CharField(required=False, max_length=64)


class AllocationRunViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Ask the optimiser to allocate a period's needs (cook), then poll the run."""

    serializer_class = AllocationRunSerializer

    def get_permissions(self):
        writes = ("create", "accept", "acceptance")
        roles = WRITERS if self.action in writes else READERS
        return [HasRole.of(*roles)()]

    def get_queryset(self):
        roles = WRITERS if self.action in ("accept", "acceptance") else READERS
        return AllocationRun.objects.filter(
            canteen__in=_visible(self.request.user, *roles)
        ).prefetch_related("lines__offer")

    def get_object(self):
        return solver_runs.fresh(super().get_object())  # its worker died: failed

    @extend_schema(responses={200: AcceptancePlanSerializer})
    @action(detail=True, methods=["get"])
    def acceptance(self, request, pk=None):
        """What accepting would change per producer and day (nothing is written)."""
        run = self.get_object()
        if not run.is_solved:
            return Response({"detail": "only a finished allocation can be accepted"}, 409)
        return Response(AcceptancePlanSerializer(services.preview_acceptance(run=run)).data)

    @extend_schema(request=AcceptSerializer, responses={200: PurchaseOrderSerializer(many=True)})
    @action(detail=True, methods=["post"], pagination_class=None)  # a plain list, not a page
    def accept(self, request, pk=None):
        """Accept: sent orders amended, drafts replaced, only the difference ordered. Pass
        the preview's ``digest`` to be refused (409) if the orders changed since."""
        run = self.get_object()
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            orders = services.accept_allocation(
                run=run, actor=request.user, expected_digest=data.validated_data.get("digest")
            )
        except services.AllocationNotAcceptable as error:
            return Response({"detail": " ".join(error.messages)}, status=409)
        found = PurchaseOrder.objects.filter(pk__in=[o.pk for o in orders]).prefetch_related(
            "lines__offer"
        )
        return Response(PurchaseOrderSerializer(found, many=True).data)

    @extend_schema(request=AllocationRequestSerializer, responses={202: AllocationRunSerializer})
    def create(self, request, *args, **kwargs):
        serializer = AllocationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        kitchen = kitchen_for(request.user, data["canteen"], *WRITERS, write=True)
        try:
            run = services.request_allocation(
                canteen=kitchen,
                start=data["start"],
                end=data["end"],
                targets=data.get("targets"),
                goal=data["goal"],
                budget=data.get("budget"),
                actor=request.user,
            )
            code = status.HTTP_202_ACCEPTED
        except solver_runs.AlreadyRunning as running:
            run, code = running.run, status.HTTP_200_OK
        run.refresh_from_db()
        return Response(self.get_serializer(run).data, status=code)


class ReceiptLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal(0))
    remark = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ReceiptSerializer(serializers.Serializer):
    received_on = ApiDayField(
        required=False,
        help_text="The day it arrived: not in the future, not before the order was sent "
        "(default: the planned delivery date, once it has come).",
    )
    lines = ReceiptLineSerializer(many=True)
    insertion_hours = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=Decimal(0), required=False
    )


class PurchaseOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Purchase orders of the caller's kitchens; the cook records a delivery (``receive``)."""

    serializer_class = PurchaseOrderSerializer

    def get_permissions(self):
        roles = WRITERS if self.action == "receive" else READERS
        return [HasRole.of(*roles)()]

    def get_queryset(self):
        roles = WRITERS if self.action == "receive" else READERS
        return (
            PurchaseOrder.objects.filter(canteen__in=_visible(self.request.user, *roles))
            .prefetch_related("lines__offer")
            .order_by("delivery_date", "pk")
        )

    @extend_schema(request=ReceiptSerializer, responses={200: PurchaseOrderSerializer})
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """What arrived, and when: the lines enter the purchases ledger at ``received_on``."""
        order = self.get_object()
        data = ReceiptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        received = {
            row["line"]: (row["quantity"], row["remark"].strip())
            for row in data.validated_data["lines"]
        }
        try:
            lifecycle.record_delivery(
                order=order,
                received=received,
                actor=request.user,
                insertion_hours=data.validated_data.get("insertion_hours"),
                received_on=data.validated_data.get("received_on"),
            )
        except lifecycle.ReceiptDateError as error:
            return Response({"received_on": [str(error)]}, status=400)
        # any other OrderError is a DomainError: the API's exception handler answers 409
        order = self.get_queryset().get(pk=order.pk)
        return Response(PurchaseOrderSerializer(order).data)


class ProducerLineSerializer(serializers.ModelSerializer):
    product = serializers.CharField(read_only=True)
    unit = serializers.CharField(source="unit_code", read_only=True)
    pack_size = serializers.DecimalField(
        source="size", max_digits=10, decimal_places=3, read_only=True
    )

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "product",
            "packs",
            "pack_size",
            "unit",
            "unit_price",
            "total",
            "previous_packs",
            "confirmed_packs",
            "refusal_reason",
            "answered_at",
        ]


class ProducerOrderSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    canteen_name = serializers.CharField(source="canteen.name", read_only=True)
    lines = ProducerLineSerializer(many=True, read_only=True)
    amounts = AmountsSerializer(read_only=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "canteen_name",
            "delivery_date",
            "status",
            "revision",
            "answer_deadline",
            "goods_total",
            "delivery_cost",
            "amounts",
            "lines",
        ]


class AnswerSerializer(serializers.Serializer):
    packs = serializers.IntegerField(min_value=0, max_value=MAX_ID)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class ProducerOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """For producers' software (token auth): the caller's own orders, and answers per line.

    Send an ``Idempotency-Key`` header with each answer: a retry with the same key gets the
    first answer back instead of acting twice.
    """

    serializer_class = ProducerOrderSerializer
    permission_classes = [HasRole.of(Role.PRODUCER)]

    def get_queryset(self):
        return (
            PurchaseOrder.objects.filter(producer=producer_of(self.request.user))
            .exclude(status=PurchaseOrder.Status.DRAFT)
            .select_related("canteen")
            .prefetch_related("lines__offer")
            .order_by("-delivery_date", "pk")
        )

    @extend_schema(
        request=AnswerSerializer,
        responses={200: ProducerLineSerializer},
        parameters=[OpenApiParameter("line", int, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line>\d+)/answer")
    def answer(self, request, pk=None, line=None):
        order = self.get_object()
        order_line = order.lines.filter(pk=line).first()
        if order_line is None:
            raise Http404
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)

        def act():
            try:
                answered = lifecycle.answer_line(
                    line=order_line,
                    packs=data.validated_data["packs"],
                    actor=request.user,
                    reason=data.validated_data["reason"],
                )
            except lifecycle.OrderError as error:
                return Response({"detail": str(error)}, status=409)
            return Response(ProducerLineSerializer(answered).data)

        return idempotent(request, act)

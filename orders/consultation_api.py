"""API for producers' software: open consultations, and the caller's own answer to each.

A producer reads the consultations open now and those it answered; it reads and writes only
the answer it leads (a group member reads the group's answer, never another producer's).
"""

from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cantine.models import Role
from cantine.roles import HasRole, producer_of
from orders import consultations as cs
from orders.models import Answer, AnswerLine, Consultation, ConsultationItem
from producers.models import Producer


class ConsultationItemSerializer(serializers.ModelSerializer):
    food = serializers.CharField(source="food.name")

    class Meta:
        model = ConsultationItem
        fields = ["id", "food", "quantity", "unit", "delivery_date"]


class OpenConsultationSerializer(serializers.ModelSerializer):
    canteen = serializers.CharField(source="canteen.name")
    number = serializers.CharField()
    weights = serializers.DictField(child=serializers.IntegerField())
    items = ConsultationItemSerializer(many=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "number",
            "title",
            "canteen",
            "family",
            "kind",
            "status",
            "answer_deadline",
            "delivery_place",
            "required_labels",
            "weights",
            "items",
        ]


class AnswerLineSerializer(serializers.ModelSerializer):
    producer_siret = serializers.CharField(source="producer.siret")

    class Meta:
        model = AnswerLine
        fields = ["item", "producer_siret", "unit_price", "quantity", "awarded_quantity"]


class AnswerOutSerializer(serializers.ModelSerializer):
    lead_siret = serializers.CharField(source="lead.siret")
    members = serializers.SlugRelatedField(slug_field="siret", many=True, read_only=True)
    lines = AnswerLineSerializer(many=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "lead_siret",
            "members",
            "intermediaries",
            "freshness_days",
            "delivery_weekdays",
            "labels",
            "note",
            "status",
            "outcome",
            "lines",
        ]


class AnswerLineInSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=9, decimal_places=3, min_value=0)
    quantity = serializers.DecimalField(max_digits=10, decimal_places=1, min_value=1)
    producer_siret = serializers.CharField(required=False, allow_blank=True, default="")


class AnswerInSerializer(serializers.Serializer):
    lines = AnswerLineInSerializer(many=True)
    partners = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    intermediaries = serializers.IntegerField(min_value=0, max_value=9, default=0)
    freshness_days = serializers.IntegerField(min_value=0, max_value=60, default=1)
    delivery_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, default=list
    )
    labels = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class ProducerConsultationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OpenConsultationSerializer
    permission_classes = [HasRole.of(Role.PRODUCER)]

    def get_queryset(self):
        producer = producer_of(self.request.user)
        answered = cs.answers_of(producer).values("consultation")
        return (
            Consultation.objects.filter(
                Q(pk__in=cs.open_consultations().values("pk")) | Q(pk__in=answered)
            )
            .select_related("canteen")
            .prefetch_related("items__food")
            .order_by("answer_deadline", "pk")
        )

    @extend_schema(request=AnswerInSerializer, responses={200: AnswerOutSerializer})
    @action(detail=True, methods=["get", "post"])
    def answer(self, request, pk=None):
        """GET: the caller's answer (404 if none); POST: answer or replace it."""
        consultation = self.get_object()
        producer = producer_of(request.user)
        if request.method == "GET":
            mine = cs.answers_of(producer).filter(consultation=consultation).first()
            if mine is None:
                raise Http404
            return Response(AnswerOutSerializer(mine).data)
        data = AnswerInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sirets = {s.replace(" ", "") for s in values["partners"]}
        partners = list(Producer.objects.filter(siret__in=sirets).exclude(pk=producer.pk))
        unknown = sirets - {p.siret for p in partners} - {producer.siret}
        if unknown:
            return Response(
                {"partners": [f"Unknown SIRET: {', '.join(sorted(unknown))}"]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        members = {producer.siret: producer, **{p.siret: p for p in partners}}
        lines = []
        for line in values["lines"]:
            member = members.get(line["producer_siret"] or producer.siret)
            if member is None:
                return Response(
                    {"lines": ["producer_siret must be the caller's or a partner's."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
            lines.append(cs.LineSpec(line["item"], line["unit_price"], line["quantity"], member))
        try:
            answer = cs.submit_answer(
                consultation=consultation,
                actor=request.user,
                lines=lines,
                partners=partners,
                intermediaries=values["intermediaries"],
                freshness_days=values["freshness_days"],
                delivery_weekdays=values["delivery_weekdays"],
                labels=values["labels"],
                note=values["note"],
            )
        except cs.ConsultationError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(AnswerOutSerializer(answer).data)

from django.contrib import admin

from orders.models import (
    AllocationLine,
    AllocationRun,
    Answer,
    AnswerLine,
    Consultation,
    ConsultationInvite,
    ConsultationItem,
    Invoice,
    LotSimulation,
    Need,
    Notification,
    OrderEvent,
    PurchaseOrder,
    PurchaseOrderLine,
)


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["food", "canteen", "delivery_date", "quantity", "unit", "manual_quantity"]
    list_filter = ["canteen", "unit"]
    date_hierarchy = "delivery_date"
    search_fields = ["food__name", "food__code"]
    list_select_related = ["food", "canteen"]


class AllocationLineInline(admin.TabularInline):
    model = AllocationLine
    extra = 0
    raw_id_fields = ["need", "offer"]


@admin.register(AllocationRun)
class AllocationRunAdmin(admin.ModelAdmin):
    list_display = ["canteen", "start", "end", "status", "cost", "gap", "created_at"]
    list_filter = ["status", "canteen"]
    date_hierarchy = "created_at"
    readonly_fields = ["progress", "conflicts", "shares", "unmet", "deliveries"]
    inlines = [AllocationLineInline]


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    raw_id_fields = ["offer", "need"]


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "line", "before", "after"]

    def has_add_permission(self, request, obj=None):
        return False  # the audit trail is written by the lifecycle only


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["producer", "canteen", "delivery_date", "status", "goods_total"]
    list_filter = ["status", "canteen", "producer"]
    date_hierarchy = "delivery_date"
    search_fields = ["producer__name", "canteen__name"]
    inlines = [PurchaseOrderLineInline, OrderEventInline]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    readonly_fields = ["order", "to", "subject", "body", "attempts", "last_error", "sent_at"]


@admin.register(LotSimulation)
class LotSimulationAdmin(admin.ModelAdmin):
    list_display = ["canteen", "start", "end", "status", "solve_seconds", "created_at"]
    list_filter = ["status", "canteen"]
    readonly_fields = ["outcomes", "progress", "conflicts"]


class ConsultationItemInline(admin.TabularInline):
    model = ConsultationItem
    extra = 0
    raw_id_fields = ["food", "need"]


class ConsultationInviteInline(admin.TabularInline):
    model = ConsultationInvite
    extra = 0
    raw_id_fields = ["producer"]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    """Consultations as their buyer published them; awards are made from the buyer's page."""

    list_display = ["title", "canteen", "family", "kind", "status", "answer_deadline"]
    list_filter = ["status", "kind", "family"]
    search_fields = ["title", "canteen__name"]
    inlines = [ConsultationItemInline, ConsultationInviteInline]


class AnswerLineInline(admin.TabularInline):
    model = AnswerLine
    extra = 0
    raw_id_fields = ["item", "producer"]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["consultation", "lead", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["consultation__title", "lead__name"]
    raw_id_fields = ["consultation", "lead", "members"]
    inlines = [AnswerLineInline]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices are issued by producers from their portal; the PDF and XML stay as sent."""

    list_display = ["number", "order", "issued_on", "due_on", "total"]
    search_fields = ["number"]
    raw_id_fields = ["order"]
    exclude = ["pdf"]
    readonly_fields = ["xml"]

from django.contrib import admin

from orders.models import (
    AllocationLine,
    AllocationRun,
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

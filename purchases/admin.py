from django.contrib import admin

from purchases.models import (
    ImportBatch,
    InsertionHours,
    MaCantineLink,
    MaCantineSubmission,
    Purchase,
)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "canteen", "rows", "imported_by", "imported_at"]
    list_select_related = ["canteen", "imported_by"]
    search_fields = ["file_name", "sha256", "canteen__name"]
    readonly_fields = ["sha256", "imported_at"]


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    list_display = ["date", "canteen", "description", "supplier", "family", "price_ht", "source"]
    list_filter = ["source", "family", "is_local", "is_short_chain", "origin"]
    list_select_related = ["canteen"]
    search_fields = ["description", "supplier", "canteen__name", "canteen__siret"]
    raw_id_fields = ["canteen", "producer", "import_batch"]
    date_hierarchy = "date"


@admin.register(InsertionHours)
class InsertionHoursAdmin(admin.ModelAdmin):
    list_display = ["producer", "canteen", "date", "hours"]
    list_filter = ["canteen"]
    search_fields = ["producer__name"]
    date_hierarchy = "date"


@admin.register(MaCantineLink)
class MaCantineLinkAdmin(admin.ModelAdmin):
    list_display = ["canteen", "macantine_id", "state_restaurant"]
    list_select_related = ["canteen"]
    search_fields = ["canteen__name", "canteen__siret", "macantine_id"]
    raw_id_fields = ["canteen"]


@admin.register(MaCantineSubmission)
class MaCantineSubmissionAdmin(admin.ModelAdmin):
    list_display = ["link", "purchase", "remote_id", "sent_at"]
    list_select_related = ["link__canteen"]
    raw_id_fields = ["link", "purchase"]
    readonly_fields = ["payload", "payload_sha256", "sent_at"]

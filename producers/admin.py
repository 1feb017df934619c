from django.contrib import admin

from producers.models import Offer, Producer, ProducerMember


class ProducerMemberInline(admin.TabularInline):
    model = ProducerMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "status",
        "commune",
        "plant_activity",
        "animal_activity",
        "sells_direct",
    ]
    list_filter = [
        "status",
        "sells_direct",
        "plant_activity",
        "animal_activity",
        "commune__department",
    ]
    search_fields = ["name", "siret", "commune__name", "email"]
    autocomplete_fields = ["commune"]
    list_select_related = ["commune"]
    inlines = [ProducerMemberInline]


@admin.register(ProducerMember)
class ProducerMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "producer"]
    search_fields = ["user__username", "producer__name"]
    autocomplete_fields = ["user", "producer"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["product_label", "producer", "unit", "pack_size", "unit_price", "active"]
    list_filter = ["active", "unit"]
    search_fields = ["product_label", "producer__name", "food__name", "food__code"]
    autocomplete_fields = ["producer"]
    raw_id_fields = ["food"]
    list_select_related = ["producer"]

from django.contrib import admin

from producers.models import Producer, ProducerMember


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

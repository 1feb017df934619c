from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from cantine import tokens
from cantine.models import (
    ApiToken,
    Canteen,
    Commune,
    CoverForecast,
    Department,
    IdempotencyKey,
    Membership,
    Region,
    Territory,
    User,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["canteen", "user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    list_filter = [*BaseUserAdmin.list_filter, "memberships__role"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "zone"]
    list_filter = ["zone"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "postal_codes", "population"]
    list_filter = ["department__region"]
    search_fields = ["code", "name", "postal_codes"]
    list_select_related = ["department"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    autocomplete_fields = ["communes"]


class CoverForecastInline(admin.TabularInline):
    model = CoverForecast
    extra = 0


@admin.register(Canteen)
class CanteenAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siret", "commune", "central_kitchen", "local_scope"]
    list_filter = ["kind", "local_scope", "commune__department"]
    search_fields = ["name", "siret", "commune__name"]
    autocomplete_fields = ["commune", "central_kitchen", "local_territory"]
    list_select_related = ["commune", "central_kitchen"]
    inlines = [CoverForecastInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "canteen"]
    list_filter = ["role", "canteen"]
    search_fields = ["user__username", "user__email", "canteen__name"]
    autocomplete_fields = ["user", "canteen"]


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "endpoint", "status_code", "created_at"]
    search_fields = ["key", "user__username", "endpoint"]
    readonly_fields = ["user", "key", "endpoint", "status_code", "body", "created_at"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by ``manage.py issue_api_token`` (the key is shown once, never stored);
    here they are listed and revoked."""

    list_display = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at", "revoked_at"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            tokens.revoke(token)

"""Read-mostly admin: the hub's own pages are where changes are made (audited services)."""

from django.contrib import admin

from hub import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = models.GuidelineVersion
    fields = ("number", "body", "created_by", "created_at", "approved_by", "approved_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Guideline)
class GuidelineAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "status", "department", "current_version")
    list_filter = ("kind", "status", "department")
    search_fields = ("title",)
    inlines = [VersionInline]


@admin.register(models.CompensationPolicy)
class CompensationPolicyAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "unit", "is_active")


@admin.register(models.CompensationOffer)
class CompensationOfferAdmin(ReadOnlyAdmin):
    list_display = ("mention", "policy", "amount", "unit", "value", "status", "offered_by")
    list_filter = ("status", "department")
    list_select_related = ("mention", "policy", "offered_by")


for model in (
    models.DiscretionLimit,
    models.SlaPolicy,
    models.BusinessHours,
    models.Holiday,
    models.EscalationRule,
    models.RoutingRule,
    models.DepartmentPolicy,
):
    admin.site.register(model, ReadOnlyAdmin)

from django.contrib import admin

from insights.models import RollupRun


@admin.register(RollupRun)
class RollupRunAdmin(admin.ModelAdmin):
    """The insights roll-up's own bookkeeping: read only."""

    list_display = ("finished_at", "since", "rows")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

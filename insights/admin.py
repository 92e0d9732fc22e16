from django.contrib import admin

from insights.models import RollupRun


@admin.register(RollupRun)
class RollupRunAdmin(admin.ModelAdmin):
    list_display = ("finished_at", "since", "rows")

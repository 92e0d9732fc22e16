from django.contrib import admin

from core.models import OutgoingEmail


class AuditedAdmin(admin.ModelAdmin):
    """Changes made in Django's admin go to the audit log too (who, what, from where), not
    only to the admin's own history: ``admin.<model>.added/changed/deleted``."""

    def _audit(self, request, obj, verb: str, data: dict | None = None) -> None:
        from accounts.audit import audit

        audit(
            actor=request.user,
            action=f"admin.{obj._meta.model_name}.{verb}",
            target=obj,
            data={"object": str(obj)[:200], **(data or {})},
        )

    def log_addition(self, request, obj, message):
        self._audit(request, obj, "added")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, "changed", {"change": message})
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._audit(request, obj, "deleted")
        return super().log_deletions(request, queryset)


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The email log: what went out, what is waiting for the mail server, what gave up."""

    list_display = ["created_at", "kind", "to", "subject", "status", "attempts", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the email log is a record: old rows go by retention

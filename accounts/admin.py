from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from accounts.models import AuditEvent, User
from core.admin import AuditedAdmin


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    """Accounts are managed on the People pages (/people/); what is changed here (a password,
    groups, permissions) is audited too, and a changed role, group or permission closes the
    person's open pages (accounts.signals)."""

    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Firebreak", {"fields": ("org_role", "initials", "signature", "phone")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "org_role", "is_active")
    list_filter = ("org_role", "is_active")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor", "target_type", "target_id", "ip_address")
    list_filter = ("action",)
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    """A group's department grants are its members' access: changes are audited, and its
    members' open pages close when its permissions change (accounts.signals)."""

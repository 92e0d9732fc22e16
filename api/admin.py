from django.contrib import admin

from api.models import IntegrationKey, WebhookDelivery, WebhookSubscription


@admin.register(IntegrationKey)
class IntegrationKeyAdmin(admin.ModelAdmin):
    """Read-only here: keys are created and revoked on /api/keys/ (shown once, audited)."""

    list_display = ["name", "prefix", "scopes", "created", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["name", "prefix", "scopes", "departments", "user", "created_by"]
    exclude = ["hashed_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked on /api/keys/ (audited): a deleted key leaves no record


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["created_at", "event", "status", "attempts", "response_status", "last_error"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ["-created_at"]
    show_change_link = True


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "department", "active", "created_at"]
    list_filter = ["active", "department"]
    readonly_fields = ["url", "department", "events", "created_by", "created_at"]
    exclude = ["secret"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False  # created on /api/webhooks/, where the secret is shown once

    def has_change_permission(self, request, obj=None):
        return False  # switched on and off on /api/webhooks/ (audited)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "subscription", "status", "attempts", "response_status"]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

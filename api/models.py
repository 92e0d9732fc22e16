import uuid

from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

SCOPES = ("read", "write", "approve")


class IntegrationKey(AbstractAPIKey):
    """An API key for an external tool: stored hashed (prefix visible), scoped to departments.

    Requests made with the key act as ``user``, a service account created with the key that
    holds object permissions on exactly the key's departments, so every selector and service
    scopes API callers the same way it scopes people.
    """

    departments = models.ManyToManyField("spokes.Department", related_name="integration_keys")
    scopes = models.JSONField(default=list)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integration_key",
        help_text="The service account requests made with this key act as.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "integration key"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


WEBHOOK_EVENTS = {
    "mention.created": "Mentions arrived in a department's queue (after triage).",
    "mention.status_changed": "A mention was watched, resolved, marked spam, reopened...",
    "mention.assigned": "A mention was assigned or unassigned.",
    "mention.transferred": "A mention was handed to another department.",
    "mention.note_added": "An internal note was added to a mention.",
    "reply.approved": "Central communications approved a reply.",
    "reply.sent": "A reply left for its channel.",
    "incident.opened": "An incident was declared.",
    "incident.updated": "An incident received a status update.",
}


class WebhookSubscription(models.Model):
    """An outbound endpoint for one department's events, or for every event (hub)."""

    department = models.ForeignKey(
        "spokes.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        help_text="Empty: the hub subscription, receiving every department's events.",
    )
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=100, editable=False)
    active = models.BooleanField(default=True)
    description = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["active", "department"], name="webhook_active_dept")]

    def __str__(self) -> str:
        return f"{self.url} ({self.department or 'hub'})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one subscription: the log of its delivery attempts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_recent")
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription_id} ({self.status})"

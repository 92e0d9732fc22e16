from django.conf import settings
from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

SCOPES = ("read", "write", "approve")


class IntegrationKey(AbstractAPIKey):
    """An API key for an external tool: stored hashed (prefix visible), scoped to departments."""

    departments = models.ManyToManyField("spokes.Department", related_name="integration_keys")
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "integration key"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

from functools import cache
from zoneinfo import available_timezones

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


@cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA zones this installation knows, sorted (read from disk once per process)."""
    return tuple(sorted(available_timezones()))


def validate_time_zone(value: str) -> None:
    """Blank (the organisation's zone, ``settings.TIME_ZONE``) or a known IANA zone."""
    if value and value not in time_zone_names():
        raise ValidationError(
            "'%(value)s' is not a time zone: choose one such as Europe/Paris.",
            code="invalid_time_zone",
            params={"value": value},
        )


class OrgRole(models.TextChoices):
    MEMBER = "member", "Department staff"
    COMMS = "comms", "Central communications"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    """A person working in Firebreak.

    ``org_role`` is the organisation-wide role; the role in a department (agent or lead)
    lives on ``spokes.Membership``.
    """

    org_role = models.CharField(max_length=16, choices=OrgRole.choices, default=OrgRole.MEMBER)
    initials = models.CharField(max_length=8, blank=True)
    signature = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # blank: the organisation's zone; every page shows times in it (accounts.middleware)
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.org_role == OrgRole.ADMIN or self.is_superuser)

    @property
    def is_central_comms(self) -> bool:
        return self.is_active and self.org_role in (OrgRole.COMMS, OrgRole.ADMIN)

    @property
    def display_initials(self) -> str:
        if self.initials:
            return self.initials
        parts = [p for p in (self.first_name, self.last_name) if p]
        return "".join(p[0] for p in parts).upper() or self.username[:2].upper()


class AuditEvent(models.Model):
    """Append-only record of security-relevant and approval events."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

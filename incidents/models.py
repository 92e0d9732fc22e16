"""Incidents: a crisis, the team working it, and everything they learn and say about it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


OPEN_INCIDENT_STATUSES = (
    IncidentStatus.INVESTIGATING,
    IncidentStatus.IDENTIFIED,
    IncidentStatus.MONITORING,
)


class Incident(models.Model):
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MAJOR)
    status = FSMField(default=IncidentStatus.INVESTIGATING, choices=IncidentStatus.choices)
    keywords = models.JSONField(default=list, blank=True)
    departments = models.ManyToManyField("spokes.Department", blank=True, related_name="incidents")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    declared_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    # The current holding statement: a snapshot of the text, and (once the hub's versioned
    # guidelines exist) the guideline version it came from. ``holding_version`` counts changes
    # so drafts built on an older statement can be recognised.
    holding_statement = models.TextField(blank=True)
    holding_guideline_version_id = models.PositiveIntegerField(null=True, blank=True)
    holding_version = models.PositiveIntegerField(default=0)
    holding_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    holding_set_at = models.DateTimeField(null=True, blank=True)

    post_incident_summary = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["status", "-declared_at"], name="incident_status_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.RESOLVED

    # --- the state machine: only incidents.services calls these -------------------------
    @transition(
        field=status, source=[IncidentStatus.INVESTIGATING], target=IncidentStatus.IDENTIFIED
    )
    def identify(self):
        pass

    @transition(
        field=status,
        source=[IncidentStatus.INVESTIGATING, IncidentStatus.IDENTIFIED],
        target=IncidentStatus.MONITORING,
    )
    def monitor(self):
        pass

    @transition(
        field=status,
        source=[IncidentStatus.IDENTIFIED, IncidentStatus.MONITORING],
        target=IncidentStatus.INVESTIGATING,
    )
    def investigate(self):
        pass

    @transition(field=status, source=list(OPEN_INCIDENT_STATUSES), target=IncidentStatus.RESOLVED)
    def resolve(self):
        pass

    @transition(field=status, source=[IncidentStatus.RESOLVED], target=IncidentStatus.INVESTIGATING)
    def reopen(self):
        pass


class IncidentMember(models.Model):
    """A person on the incident team, with how to reach them during the crisis."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incident_memberships"
    )
    role = models.CharField(max_length=80, help_text="Role in this incident, e.g. spokesperson.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    on_call = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="incident_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class IncidentFact(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="facts")
    text = models.TextField()
    source = models.CharField(max_length=200, blank=True)
    confirmed_by = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class IncidentUpdate(models.Model):
    """A public status update: drafted by the team, public once central comms approves it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    body = models.TextField()
    status = FSMField(default=UpdateStatus.DRAFT, choices=UpdateStatus.choices)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]

    @transition(field=status, source=[UpdateStatus.DRAFT], target=UpdateStatus.APPROVED)
    def approve(self):
        pass


class IncidentMessage(models.Model):
    """Internal discussion; never public."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class IncidentMention(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links")
    mention = models.ForeignKey(
        "spokes.Mention", on_delete=models.CASCADE, related_name="incident_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "mention"], name="incident_mention_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} <- {self.mention_id}"


class IncidentGrant(models.Model):
    """A ``view_mention`` grant this incident gave a team member outside the mention's
    department; kept so the grant is withdrawn exactly when no incident needs it any more."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey("spokes.Mention", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "user", "mention"], name="incident_grant_unique"
            )
        ]
        # whether any (other) incident still needs a person's grant on a mention
        indexes = [models.Index(fields=["user", "mention"], name="incident_grant_user_mention")]

    def __str__(self) -> str:
        return f"{self.user_id} may view {self.mention_id} for {self.incident_id}"


class BulkResponse(models.Model):
    """One approval by central comms to answer linked mentions with a statement or update."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="bulk_responses")
    update = models.ForeignKey(
        IncidentUpdate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    holding_version = models.PositiveIntegerField(null=True, blank=True)
    template = models.TextField()
    filters = models.JSONField(default=dict, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    queued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Bulk response {self.pk} on {self.incident_id}"


class PlannedReplyStatus(models.TextChoices):
    PLANNED = "planned", "Planned (being handed to the reply pipeline)"
    HANDED_OVER = "handed_over", "Handed to the reply pipeline"
    FAILED = "failed", "Failed (not sent; a new bulk response plans it again)"


class PlannedReply(models.Model):
    """One personalised reply a bulk response owes one mention: exactly once per key."""

    bulk = models.ForeignKey(BulkResponse, on_delete=models.CASCADE, related_name="planned")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="planned_replies")
    mention = models.ForeignKey("spokes.Mention", on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=120, unique=True)
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=PlannedReplyStatus.choices, default=PlannedReplyStatus.PLANNED
    )
    reply_id = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.idempotency_key

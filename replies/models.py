import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from spokes.models import Mention, Source


class ReplyKind(models.TextChoices):
    PUBLIC = "public", "Public reply"
    DIRECT = "direct", "Direct message / take offline"
    HOLD = "hold", "Internal hold (never sent)"


class ReplyState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING_APPROVAL = "pending_approval", "Pending approval"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


EDITABLE = (ReplyState.DRAFT, ReplyState.CHANGES_REQUESTED)


class Reply(models.Model):
    """An outbound message on a mention; leaves on the mention's own channel and thread."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="replies_out")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ReplyKind.choices, default=ReplyKind.PUBLIC)
    text = models.TextField()
    signature = models.CharField(max_length=120, blank=True)
    guideline_version_id = models.PositiveIntegerField(
        null=True, blank=True, help_text="The hub guideline version the text started from."
    )
    template_text = models.TextField(blank=True, help_text="The rendered template, for the diff.")
    similarity = models.FloatField(null=True, blank=True, help_text="Text vs template, 0..1.")
    compensation_offer_id = models.PositiveIntegerField(null=True, blank=True)
    state = FSMField(default=ReplyState.DRAFT, choices=ReplyState.choices)

    approval_reasons = models.JSONField(default=list, blank=True)
    is_priority = models.BooleanField(default=False, help_text="Incident-linked: jumps the queue.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)

    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    origin_key = models.CharField(
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text="Set for replies made on behalf of something else (an incident's bulk "
        "response): at most one reply per key.",
    )
    connector = models.CharField(max_length=20, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(
        null=True, blank=True, help_text="Its turn under the channel's limit (paced delivery)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "replies"
        indexes = [
            models.Index(
                fields=["-is_priority", "submitted_at", "id"],
                name="reply_approval_queue",
                condition=models.Q(state="pending_approval"),
            ),
            models.Index(fields=["mention", "state"], name="reply_mention_state"),
            models.Index(fields=["created_at"], name="reply_created"),
        ]
        permissions = [("decide_reply", "Approve or reject replies")]

    def __str__(self) -> str:
        return f"Reply {self.pk} on mention {self.mention_id} ({self.state})"

    @property
    def full_text(self) -> str:
        """What leaves: the text is signed when drafted, where the department signs."""
        return self.text

    @property
    def is_sent(self) -> bool:
        return self.state == ReplyState.SENT

    # --- state machine ------------------------------------------------------------------
    @transition(field=state, source=list(EDITABLE), target=ReplyState.PENDING_APPROVAL)
    def submit_for_approval(self):
        pass

    @transition(field=state, source=list(EDITABLE), target=ReplyState.QUEUED)
    def queue_directly(self):
        pass

    @transition(field=state, source=ReplyState.PENDING_APPROVAL, target=ReplyState.APPROVED)
    def approve(self):
        pass

    @transition(
        field=state, source=ReplyState.PENDING_APPROVAL, target=ReplyState.CHANGES_REQUESTED
    )
    def request_changes(self):
        pass

    @transition(field=state, source=ReplyState.PENDING_APPROVAL, target=ReplyState.REJECTED)
    def reject(self):
        pass

    @transition(
        field=state, source=[ReplyState.APPROVED, ReplyState.FAILED], target=ReplyState.QUEUED
    )
    def queue(self):
        pass

    @transition(field=state, source=ReplyState.QUEUED, target=ReplyState.SENT)
    def mark_sent(self):
        pass

    @transition(field=state, source=ReplyState.QUEUED, target=ReplyState.FAILED)
    def mark_failed(self):
        pass


class ConnectorKind(models.TextChoices):
    LOG = "log", "Local log (demo)"
    WEBHOOK = "webhook", "Signed outbound webhook"
    EMAIL = "email", "Email"


class DeliveryChannel(models.Model):
    """How replies leave for one source: which connector, and where it posts."""

    source = models.CharField(max_length=16, choices=Source.choices, unique=True)
    connector = models.CharField(max_length=10, choices=ConnectorKind.choices)
    url = models.URLField(max_length=500, blank=True)
    secret = models.CharField(max_length=128, blank=True)
    active = models.BooleanField(default=True)
    per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="At most this many replies a minute, evenly spaced (the platform's posting "
        "limit); empty: no limit.",
    )
    next_slot_at = models.DateTimeField(null=True, blank=True)  # the next free paced moment

    def __str__(self) -> str:
        return f"{self.source} via {self.connector}"


class DeliveryAttempt(models.Model):
    """Every try to deliver a reply: visible on the mention, the source of retry decisions."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="attempt_log")
    connector = models.CharField(max_length=10)
    started_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    external_id = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"Attempt on reply {self.reply_id}: {'ok' if self.ok else 'failed'}"

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Department(models.Model):
    """A spoke: a team that owns a queue of mentions."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=64, default="UTC")
    availability = models.CharField(
        max_length=300, blank=True, help_text="Public availability statement."
    )
    routing_keywords = models.JSONField(default=list, blank=True)
    is_default = models.BooleanField(default=False, help_text="Receives unrouted mentions.")
    sign_replies = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        permissions = [
            ("view_queue", "See the department's mentions"),
            ("work_queue", "Work the department's mentions"),
            ("lead_queue", "Reassign and transfer the department's mentions"),
        ]

    def __str__(self) -> str:
        return self.name


class DepartmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)


class DepartmentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)


class MembershipRole(models.TextChoices):
    AGENT = "agent", "Agent"
    LEAD = "lead", "Department lead"


ROLE_PERMISSIONS = {
    MembershipRole.AGENT: ("view_queue", "work_queue"),
    MembershipRole.LEAD: ("view_queue", "work_queue", "lead_queue"),
}


class Membership(models.Model):
    """A user's role in one department; the source of their object permissions on it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MembershipRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.department} ({self.role})"


class Source(models.TextChoices):
    TWITTER = "twitter", "X / Twitter"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    TIKTOK = "tiktok", "TikTok"
    FORUM = "forum", "Forum"
    REVIEW = "review", "Review site"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    OTHER = "other", "Other"


class ContactPoint(models.TextChoices):
    PRESALE = "presale", "Presale"
    POSTSALE = "postsale", "Postsale"
    READY_TO_RECEIVE = "ready_to_receive", "Ready to receive"
    PROBLEM = "problem", "Problem / crisis"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class Status(models.TextChoices):
    NEW = "new", "New"
    ASSIGNED = "assigned", "Assigned"
    WATCHING = "watching", "Watching"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    REPLIED = "replied", "Replied"
    TAKEN_OFFLINE = "taken_offline", "Taken offline"
    TRANSFERRED = "transferred", "Transferred"
    SPAM = "spam", "Spam / ignored"
    RESOLVED = "resolved", "Resolved"


OPEN_STATUSES = (
    Status.NEW,
    Status.ASSIGNED,
    Status.WATCHING,
    Status.AWAITING_APPROVAL,
    Status.TAKEN_OFFLINE,
    Status.TRANSFERRED,
)
# The rows the queue indexes hold: a mention is in a queue once it has a department.
IN_QUEUE = models.Q(department__isnull=False)
WORKABLE = [Status.NEW, Status.ASSIGNED, Status.WATCHING, Status.TRANSFERRED, Status.TAKEN_OFFLINE]


class Author(models.Model):
    """Someone who wrote about the brand on one source."""

    source = models.CharField(max_length=16, choices=Source.choices)
    handle = models.CharField(max_length=150)
    display_name = models.CharField(max_length=200, blank=True)
    followers = models.PositiveIntegerField(default=0)
    profile_url = models.URLField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "handle"], name="author_unique_handle")
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Mention(models.Model):
    """One inbound post, comment, review or message about the brand."""

    source = models.CharField(max_length=16, choices=Source.choices)
    external_id = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        db_index=False,  # mention_parent
    )
    thread_root = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="thread_members",
        db_index=False,  # mention_thread_order
    )
    author = models.ForeignKey(
        Author,
        on_delete=models.PROTECT,
        related_name="mentions",
        db_index=False,  # mention_author_recent leads with it
    )
    reach = models.PositiveIntegerField(default=0, help_text="Author's followers when posted.")
    text = models.TextField()
    url = models.URLField(max_length=500, blank=True)
    language = models.CharField(max_length=8, blank=True)
    posted_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)

    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mentions",
        help_text="Empty until triage routes the mention: it is then in no queue yet.",
        db_index=False,  # the queue indexes lead with it
    )
    status = FSMField(default=Status.NEW, choices=Status.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_mentions",
        db_index=False,  # mention_assignee_status leads with it
    )
    contact_point = models.CharField(max_length=20, choices=ContactPoint.choices, blank=True)
    sentiment = models.FloatField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="mentions")
    sla_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When the SLA warning fired (it fires once)."
    )
    sla_breached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the SLA breach fired (it fires once)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="mention_unique_source_id"
            )
        ]
        # Each index holds only the rows its queries ask for. A mention arrives with no
        # department, assignee, SLA deadline or thread, and triage writes it again at once (a
        # new row version: the department changes, so every index takes an entry again):
        # indexes over those columns are partial on them, so arrival writes the table, the
        # primary key, (source, external_id), the author's and the untriaged index, and triage
        # the queue indexes. A query on ``department_id = ...`` or ``IN (...)`` implies
        # ``IS NOT NULL``, so PostgreSQL uses the partial index for it; the foreign keys'
        # own indexes are left out where a composite index leads with the column.
        indexes = [
            models.Index(
                fields=["department", "-received_at", "-id"],
                name="mention_queue_recent",
                condition=IN_QUEUE,
            ),
            models.Index(
                fields=["department", "status", "-received_at", "-id"],
                name="mention_queue_status",
                condition=IN_QUEUE,
            ),
            models.Index(
                fields=["department", "-priority", "-received_at", "-id"],
                name="mention_queue_priority",
                condition=IN_QUEUE,
            ),
            models.Index(
                fields=["assignee", "status"],
                name="mention_assignee_status",
                condition=models.Q(assignee__isnull=False),
            ),
            models.Index(
                fields=["sla_due_at"],
                name="mention_sla_due",
                condition=models.Q(sla_due_at__isnull=False),
            ),
            models.Index(fields=["author", "-posted_at"], name="mention_author_recent"),
            models.Index(
                fields=["parent"], name="mention_parent", condition=models.Q(parent__isnull=False)
            ),
            models.Index(  # a thread's replies in order, a side at a time (thread_around)
                fields=["thread_root", "posted_at", "id"],
                name="mention_thread_order",
                condition=models.Q(thread_root__isnull=False),
            ),
            models.Index(
                fields=["department", "received_at"],
                include=[
                    "source",
                    "priority",
                    "first_response_at",
                    "resolved_at",
                    "sla_due_at",
                    "author",
                    "reach",
                ],
                name="mention_insights_period",
                condition=IN_QUEUE,
            ),
            models.Index(  # the triage backlog, oldest first; the outbox sweeper's scan
                fields=["received_at", "id"],
                name="mention_untriaged",
                condition=models.Q(triaged_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.external_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # --- the state machine: services call these, nothing else assigns ``status`` ---------
    @transition(field=status, source=[*WORKABLE], target=Status.ASSIGNED)
    def assign(self):
        pass

    @transition(field=status, source=[Status.ASSIGNED], target=Status.NEW)
    def unassign(self):
        """Nobody's any more: back among the new ones (it read "Assigned" to nobody)."""

    @transition(
        field=status,
        source=[Status.NEW, Status.ASSIGNED, Status.TRANSFERRED],
        target=Status.WATCHING,
    )
    def watch(self):
        pass

    @transition(field=status, source=[*WORKABLE], target=Status.AWAITING_APPROVAL)
    def await_approval(self):
        pass

    @transition(field=status, source=[*WORKABLE, Status.AWAITING_APPROVAL], target=Status.REPLIED)
    def mark_replied(self):
        pass

    @transition(
        field=status,
        source=[Status.AWAITING_APPROVAL],
        target=RETURN_VALUE(Status.ASSIGNED, Status.NEW),
    )
    def return_from_approval(self):
        return Status.ASSIGNED if self.assignee_id else Status.NEW

    @transition(field=status, source=[*WORKABLE, Status.REPLIED], target=Status.TAKEN_OFFLINE)
    def take_offline(self):
        pass

    @transition(field=status, source=[*WORKABLE], target=Status.TRANSFERRED)
    def transfer(self):
        pass

    @transition(field=status, source=[*WORKABLE], target=Status.SPAM)
    def mark_spam(self):
        pass

    @transition(field=status, source=[*WORKABLE, Status.REPLIED], target=Status.RESOLVED)
    def resolve(self):
        pass

    @transition(
        field=status,
        source=[Status.RESOLVED, Status.SPAM, Status.REPLIED],
        target=RETURN_VALUE(Status.ASSIGNED, Status.NEW),
    )
    def reopen(self):
        return Status.ASSIGNED if self.assignee_id else Status.NEW


class MentionUserObjectPermission(UserObjectPermissionBase):
    """Per-mention grants: only for sharing a mention outside its department."""

    content_object = models.ForeignKey(Mention, on_delete=models.CASCADE)


class MentionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Mention, on_delete=models.CASCADE)


class Note(models.Model):
    """Internal note on a mention; staff only, never sent."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    mentioned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="note_mentions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.mention_id} by {self.author_id}"


class Activity(models.Model):
    """One line of a mention's history: who did what, when."""

    mention = models.ForeignKey(
        Mention,
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,  # activity_mention_time leads with it
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # activity_actor: most lines (triage's) have none
    )
    verb = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["mention", "created_at"], name="activity_mention_time"),
            models.Index(
                fields=["actor"], name="activity_actor", condition=models.Q(actor__isnull=False)
            ),
        ]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.verb} on {self.mention_id}"


class SavedView(models.Model):
    """A person's named filter set on one department's queue ("Views"): personal, seen by
    no one else. ``params`` is the canonical query string of the filter parameters only
    (``spokes.selectors.view_params``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        db_index=False,  # saved_view_name leads with it
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    params = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "name"], name="saved_view_name")
        ]

    def __str__(self) -> str:
        return self.name


# --- triage automation: escalation firings, spike counters and alerts ----------------------
class EscalationFiring(models.Model):
    """An escalation rule applied to a mention: each rule acts on a mention once."""

    rule_id = models.PositiveIntegerField()  # hub.EscalationRule (hub depends on spokes)
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="escalations")
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule_id", "mention"], name="escalation_fires_once")
        ]

    def __str__(self) -> str:
        return f"rule {self.rule_id} on {self.mention_id}"


class SpikeCounter(models.Model):
    """Mentions and negative mentions per scope per hour, kept by triage in bulk.

    Scopes: ``all``, ``dept:<id>``, ``flag:<flag>``, ``kw:<keyword>``, ``tag:<hashtag>``.
    Spike detection reads a handful of these rows, never the mentions.
    """

    scope = models.CharField(max_length=120)
    hour = models.DateTimeField(help_text="Start of the UTC hour the mentions were posted in.")
    mentions = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "hour"], name="spike_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} @ {self.hour:%Y-%m-%d %H}:00"


class SpikeStatus(models.TextChoices):
    OPEN = "open", "Open"
    DECLARED = "declared", "Incident declared"
    DISMISSED = "dismissed", "Dismissed"
    EXPIRED = "expired", "Expired"


class SpikeAlert(models.Model):
    """An unusual wave of mentions, raised to central comms; one open alert per scope."""

    scope = models.CharField(max_length=120)
    label = models.CharField(max_length=200)
    metric = models.CharField(max_length=10, help_text="volume or negative")
    related_scopes = models.JSONField(default=list, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=SpikeStatus.choices, default=SpikeStatus.OPEN)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    observed = models.FloatField()
    baseline = models.FloatField()
    baseline_std = models.FloatField()
    z_score = models.FloatField()
    mention_count = models.PositiveIntegerField(default=0)
    unique_authors = models.PositiveIntegerField(default=0)
    total_reach = models.BigIntegerField(default=0)
    top_author_share = models.FloatField(
        default=0.0, help_text="Share of the mentions written by the most active 10% of authors."
    )
    author_counts = models.JSONField(
        default=dict,
        blank=True,
        help_text='How many authors wrote each number of its mentions ({"1": 940, "2": 31}): '
        "the busiest tenth's share is read from it, not from every link.",
    )
    mentions = models.ManyToManyField(Mention, through="SpikeAlertMention", related_name="+")
    trigger_received_at = models.DateTimeField(
        null=True, blank=True, help_text="Arrival of the ingest that crossed the threshold."
    )
    incident_id = models.PositiveIntegerField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope"],
                condition=models.Q(status="open"),
                name="spike_alert_one_open_per_scope",
            )
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="spike_alert_status")]

    def __str__(self) -> str:
        return f"Spike: {self.label}"

    @property
    def is_open(self) -> bool:
        return self.status == SpikeStatus.OPEN


class SpikeAlertMention(models.Model):
    alert = models.ForeignKey(SpikeAlert, on_delete=models.CASCADE, related_name="links")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    reach = models.PositiveIntegerField(
        default=0, help_text="The mention's reach: its widest-reaching mentions by index."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "mention"], name="spike_alert_mention_unique")
        ]
        indexes = [
            models.Index(fields=["alert", "-reach", "-mention"], name="spike_alert_mention_reach")
        ]

    def __str__(self) -> str:
        return f"{self.mention_id} in alert {self.alert_id}"


class SpikeAlertAuthor(models.Model):
    """One author's part in an alert: how many of its linked mentions they wrote, and the
    widest reach among them. Kept up to date as mentions are linked, so that an alert's
    figures cost the new links only, however many it holds (a crisis links thousands a
    minute)."""

    alert = models.ForeignKey(SpikeAlert, on_delete=models.CASCADE, related_name="authors")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="+", db_index=False)
    mentions = models.PositiveIntegerField()
    reach = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "author"], name="spike_alert_author_unique")
        ]

    def __str__(self) -> str:
        return f"author {self.author_id} in alert {self.alert_id}"

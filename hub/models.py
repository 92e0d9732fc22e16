"""Hub models: what every department must use.

- Messaging guidelines (templates, holding statements, take-it-offline texts, FAQ) with a
  draft -> approved -> retired lifecycle and immutable, numbered versions: a reply records the
  exact ``GuidelineVersion`` it used.
- Compensation policies with severity tiers, discretion limits per role (and per department or
  policy override) and the offers made on mentions.
- SLA policies by priority, business hours and holidays per department, escalation rules.
- Ordered routing rules and each department's approval policy.

Every change goes through ``hub.services``; reads through ``hub.selectors``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from spokes.models import ContactPoint, Department, Mention, Priority, Source

BASE_CURRENCY = "EUR"  # discretion limits and spend are counted in this currency


# --- messaging guidelines -----------------------------------------------------------------
class GuidelineKind(models.TextChoices):
    TEMPLATE = "template", "Response template"
    HOLDING_STATEMENT = "holding_statement", "Holding statement"
    OFFLINE = "offline", "Take it offline"
    FAQ = "faq", "Internal FAQ"


class GuidelineStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class Tone(models.TextChoices):
    INFORMATIVE = "informative", "Informative"
    EMPATHETIC = "empathetic", "Empathetic"
    APOLOGETIC = "apologetic", "Apologetic"
    CELEBRATORY = "celebratory", "Celebratory"
    FIRM = "firm", "Firm"


class Guideline(models.Model):
    """One piece of approved wording and the situation it is meant for.

    The matching attributes (``department`` empty = every department, ``contact_point`` and
    ``source`` empty = any) live here; the wording lives in immutable versions.
    ``current_version`` is the approved version the composer offers.
    """

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=GuidelineKind.choices)
    status = models.CharField(
        max_length=10, choices=GuidelineStatus.choices, default=GuidelineStatus.DRAFT
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guidelines",
        help_text="Empty: every department.",
    )
    contact_point = models.CharField(
        max_length=20, choices=ContactPoint.choices, blank=True, help_text="Empty: any."
    )
    source = models.CharField(
        max_length=16, choices=Source.choices, blank=True, help_text="Empty: any channel."
    )
    tone = models.CharField(max_length=16, choices=Tone.choices, default=Tone.INFORMATIVE)
    topics = models.JSONField(
        default=list, blank=True, help_text="Tags or words of the mention this fits."
    )
    current_version = models.ForeignKey(
        "GuidelineVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title", "id"]
        indexes = [models.Index(fields=["status", "kind"], name="guideline_status_kind")]

    def __str__(self) -> str:
        return self.title


class GuidelineVersion(models.Model):
    """Immutable wording of a guideline; only the approval stamp is ever written after creation."""

    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    APPROVAL_FIELDS = frozenset({"approved_by", "approved_at"})

    class Meta:
        ordering = ["guideline_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guideline", "number"], name="guideline_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.guideline_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.APPROVAL_FIELDS:
                raise ValueError("Guideline versions are immutable; create a new version.")
        super().save(*args, **kwargs)


# --- compensation ---------------------------------------------------------------------------
class CompensationKind(models.TextChoices):
    REFUND = "refund", "Refund"
    VOUCHER = "voucher", "Voucher"
    CREDIT = "credit", "Account credit"
    FREE_FEATURE = "free_feature", "Free feature"
    FREE_DAY = "free_day", "Free day(s)"
    REPLACEMENT = "replacement", "Replacement"
    OTHER = "other", "Other"


class CompensationUnit(models.TextChoices):
    MONEY = "money", f"{BASE_CURRENCY} (money)"
    DAY = "day", "Day"
    ITEM = "item", "Item"
    POINT = "point", "Point"


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MODERATE = "moderate", "Moderate"
    MAJOR = "major", "Major"
    CRISIS = "crisis", "Crisis"


class CompensationPolicy(models.Model):
    """What may be offered. Amounts are in ``unit``; ``unit_value`` converts a non-money unit
    to the base currency for discretion limits and spend (empty: the offer states its value)."""

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=16, choices=CompensationKind.choices)
    unit = models.CharField(
        max_length=8, choices=CompensationUnit.choices, default=CompensationUnit.MONEY
    )
    unit_value = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=f"{BASE_CURRENCY} per unit, for non-money units.",
    )
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "compensation policies"

    def __str__(self) -> str:
        return self.name

    @property
    def unit_label(self) -> str:
        return BASE_CURRENCY if self.unit == CompensationUnit.MONEY else self.unit

    def value_of(self, amount: Decimal) -> Decimal | None:
        if self.unit == CompensationUnit.MONEY:
            return amount
        if self.unit_value is None:
            return None
        return (amount * self.unit_value).quantize(Decimal("0.01"))


class CompensationTier(models.Model):
    """The suggested range for one severity under one policy, in the policy's unit."""

    policy = models.ForeignKey(CompensationPolicy, on_delete=models.CASCADE, related_name="tiers")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    min_amount = models.DecimalField(max_digits=10, decimal_places=2)
    max_amount = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["policy_id", "min_amount"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "severity"], name="tier_unique_severity"),
            models.CheckConstraint(
                condition=models.Q(min_amount__lte=models.F("max_amount")), name="tier_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.severity}"


class LimitRole(models.TextChoices):
    AGENT = "agent", "Agent"
    LEAD = "lead", "Department lead"
    COMMS = "comms", "Central communications"


class DiscretionLimit(models.Model):
    """Up to ``amount`` (base currency) a role may grant without approval.

    Empty ``department``/``policy`` = the general rule; a row naming a department or a policy
    overrides it (the most specific row wins).
    """

    role = models.CharField(max_length=8, choices=LimitRole.choices)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    policy = models.ForeignKey(
        CompensationPolicy, null=True, blank=True, on_delete=models.CASCADE, related_name="limits"
    )
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["role", "department_id", "policy_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "department", "policy"],
                name="limit_unique_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.amount} {BASE_CURRENCY}"


class OfferStatus(models.TextChoices):
    PROPOSED = "proposed", "Awaiting approval"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    FULFILLED = "fulfilled", "Fulfilled"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


OFFER_TRANSITIONS = {
    OfferStatus.PROPOSED: {OfferStatus.WITHDRAWN},  # leaves ``proposed`` only by approval
    OfferStatus.OFFERED: {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN},
    OfferStatus.ACCEPTED: {OfferStatus.FULFILLED, OfferStatus.WITHDRAWN},
    OfferStatus.FULFILLED: set(),
    OfferStatus.DECLINED: set(),
    OfferStatus.WITHDRAWN: set(),
}
COUNTED_STATUSES = (OfferStatus.OFFERED, OfferStatus.ACCEPTED, OfferStatus.FULFILLED)


class CompensationOffer(models.Model):
    """Compensation offered on a mention. ``author`` and ``department`` are copied from the
    mention when offered, so the ledger and spend survive transfers."""

    mention = models.ForeignKey(Mention, on_delete=models.PROTECT, related_name="offers")
    author = models.ForeignKey("spokes.Author", on_delete=models.PROTECT, related_name="offers")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="offers")
    policy = models.ForeignKey(CompensationPolicy, on_delete=models.PROTECT, related_name="offers")
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    unit = models.CharField(max_length=8, choices=CompensationUnit.choices)
    value = models.DecimalField(
        max_digits=10, decimal_places=2, help_text=f"Worth in {BASE_CURRENCY}."
    )
    currency = models.CharField(max_length=3, default=BASE_CURRENCY)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=OfferStatus.choices)
    needs_approval = models.BooleanField(default=False)
    limit_at_offer = models.DecimalField(
        max_digits=10, decimal_places=2, help_text="The offerer's discretion limit then."
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # An incident (issue 7) is linked by id until the incidents app exists to point a FK at.
    incident_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="compensation_offers"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="offer_author_recent"),
            models.Index(fields=["department", "status"], name="offer_department_status"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.amount} {self.unit} on {self.mention_id}"


# --- SLA and business hours ----------------------------------------------------------------
class SlaPolicy(models.Model):
    """Targets for one priority; ``department`` empty = the organisation's default."""

    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="sla_policies"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    resolution_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    business_hours_only = models.BooleanField(
        default=True, help_text="Count only the department's business hours."
    )

    class Meta:
        ordering = ["department_id", "-priority"]
        constraints = [
            models.UniqueConstraint(fields=["department", "priority"], name="sla_unique_priority")
        ]

    def __str__(self) -> str:
        return f"SLA P{self.priority} ({self.department or 'default'})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class BusinessHours(models.Model):
    """One opening interval, in the department's time zone.

    ``closes`` at or before ``opens`` runs past midnight (00:00-00:00 is the whole day). An
    interval belongs to the day it opens on. A department without any interval is open 24/7.
    """

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="business_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["department_id", "weekday", "opens"]
        verbose_name_plural = "business hours"

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Holiday(models.Model):
    """A closed day (local date); ``department`` empty = every department."""

    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["department", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


# --- escalation -----------------------------------------------------------------------------
class SlaCondition(models.TextChoices):
    NONE = "", "—"
    WARNING = "warning", "SLA about to breach"
    BREACH = "breach", "SLA breached"


class EscalationRule(models.Model):
    """When every condition that is set holds for a mention, the actions apply.

    Conditions: minimum priority, reach above N, any keyword, sentiment below X, any flag,
    linked to an incident, SLA warning (``sla_minutes`` before due) or breach (after due).
    Actions: notify the department lead, central comms and named people; raise the priority;
    move to a department; require approval of replies; link to the open incident.
    Evaluation: ``hub.escalation.rule_matches``; timers run elsewhere.
    """

    name = models.CharField(max_length=120)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="escalation_rules",
        help_text="Empty: every department.",
    )
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # conditions
    min_priority = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    min_reach = models.PositiveIntegerField(null=True, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    max_sentiment = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-1.0), MaxValueValidator(1.0)]
    )
    flags = models.JSONField(default=list, blank=True)
    incident_linked = models.BooleanField(default=False)
    sla_condition = models.CharField(
        max_length=8, choices=SlaCondition.choices, blank=True, default=SlaCondition.NONE
    )
    sla_minutes = models.PositiveIntegerField(
        default=0, help_text="Warning: minutes before due. Breach: minutes after due."
    )
    # actions
    notify_lead = models.BooleanField(default=False)
    notify_comms = models.BooleanField(default=False)
    notify_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    raise_priority_to = models.PositiveSmallIntegerField(
        choices=Priority.choices, null=True, blank=True
    )
    move_to_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    require_approval = models.BooleanField(default=False)
    link_to_incident = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


# --- routing --------------------------------------------------------------------------------
class RoutingRule(models.Model):
    """Ordered: the first active rule whose every set criterion matches decides.

    Keywords and phrases match on word boundaries, case-insensitively; a trailing ``*`` matches
    word prefixes (``refund*``). Languages compare the primary subtag (``de`` matches ``de-AT``).
    """

    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="routing_rules"
    )
    sources = models.JSONField(default=list, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    author_handles = models.JSONField(default=list, blank=True)
    url_pattern = models.CharField(max_length=300, blank=True, help_text="A regular expression.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


# --- department policy ----------------------------------------------------------------------
class DepartmentPolicy(models.Model):
    """How a department's replies are checked, and the contact details templates fill in."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="hub_policy"
    )
    require_approval_all = models.BooleanField(
        default=False, help_text="Every reply waits for central comms."
    )
    approval_reach_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Replies to authors with at least this reach need approval.",
    )
    deviation_threshold = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Replies less similar than this (0-1) to their template need approval.",
    )
    require_template = models.BooleanField(
        default=False, help_text="Replies must start from an approved template."
    )
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    dm_link = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "department policies"

    def __str__(self) -> str:
        return f"Policy of {self.department}"

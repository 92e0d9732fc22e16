"""Input parsing for the hub pages. Validation of meaning lives in the services; these forms
only turn text into typed values and carry the services' errors back to their fields."""

import datetime as dt
import re

from django import forms

from hub.models import (
    CompensationKind,
    CompensationPolicy,
    CompensationUnit,
    GuidelineKind,
    LimitRole,
    Severity,
    SlaCondition,
    Tone,
    Weekday,
)
from spokes.models import ContactPoint, Department, Priority, Source

BLANK = [("", "Any")]


def _departments(empty_label="Every department"):
    return forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), required=False, empty_label=empty_label
    )


class CommaList(forms.CharField):
    """Comma- or line-separated words."""

    def to_python(self, value):
        value = super().to_python(value) or ""
        return [w.strip() for w in re.split(r"[,\n]", value) if w.strip()]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


class GuidelineForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=GuidelineKind.choices)
    department = _departments()
    contact_point = forms.ChoiceField(choices=BLANK + ContactPoint.choices, required=False)
    source = forms.ChoiceField(choices=BLANK + Source.choices, required=False)
    tone = forms.ChoiceField(choices=Tone.choices)
    topics = CommaList(required=False, help_text="Tags or words, comma-separated.")


class GuidelineCreateForm(GuidelineForm):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=5000)
    change_note = forms.CharField(max_length=300, required=False)


class VersionForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=5000)
    change_note = forms.CharField(max_length=300, required=False)


class PreviewForm(forms.Form):
    body = forms.CharField(max_length=5000)
    source = forms.ChoiceField(choices=BLANK + Source.choices, required=False)


class CompensationPolicyForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=CompensationKind.choices)
    unit = forms.ChoiceField(choices=CompensationUnit.choices)
    unit_value = forms.DecimalField(required=False, min_value=0, decimal_places=2, max_digits=10)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_active = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for severity, label in Severity.choices:
            self.fields[f"tier_{severity}_min"] = forms.DecimalField(
                required=False, min_value=0, decimal_places=2, max_digits=10, label=f"{label} from"
            )
            self.fields[f"tier_{severity}_max"] = forms.DecimalField(
                required=False, min_value=0, decimal_places=2, max_digits=10, label=f"{label} to"
            )

    def tiers(self) -> dict:
        data = self.cleaned_data
        return {
            s: (data.get(f"tier_{s}_min"), data.get(f"tier_{s}_max"))
            for s in Severity.values
            if data.get(f"tier_{s}_min") is not None or data.get(f"tier_{s}_max") is not None
        }

    def tier_rows(self):
        return [
            (label, self[f"tier_{s}_min"], self[f"tier_{s}_max"]) for s, label in Severity.choices
        ]


class LimitForm(forms.Form):
    role = forms.ChoiceField(choices=LimitRole.choices)
    department = _departments("All departments")
    policy = forms.ModelChoiceField(
        queryset=CompensationPolicy.objects.order_by("name"),
        required=False,
        empty_label="All policies",
    )
    amount = forms.DecimalField(min_value=0, decimal_places=2, max_digits=10)


class SlaPolicyForm(forms.Form):
    """Shares the SLA page with ``HolidayForm``: ids of its own (``sla-policy-department``),
    the field names unchanged, so each label points at its field and posts read as before."""

    department = _departments("Organisation default")
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int)
    first_response_minutes = forms.IntegerField(min_value=1)
    resolution_minutes = forms.IntegerField(min_value=1)
    business_hours_only = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "sla-policy-%s")
        super().__init__(*args, **kwargs)


_DAY_NAMES = {label[:3].lower(): value for value, label in Weekday.choices}
_HOURS_LINE = re.compile(r"^(\w{3})\w*\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$")


def parse_hours(text: str):
    """Lines like ``Mon 08:00-20:00`` -> [(0, "08:00", "20:00")]; raises ValidationError."""
    intervals = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _HOURS_LINE.match(line)
        if not match or match.group(1).lower() not in _DAY_NAMES:
            raise forms.ValidationError(f"Line {number}: write it like 'Mon 08:00-20:00'.")
        day, opens, closes = match.groups()
        intervals.append((_DAY_NAMES[day.lower()], opens.zfill(5), closes.zfill(5)))
    return intervals


def format_hours(hours) -> str:
    def hhmm(value: dt.time, closing: bool = False) -> str:
        return "24:00" if closing and value == dt.time(0) else f"{value:%H:%M}"

    return "\n".join(
        f"{h.get_weekday_display()[:3]} {hhmm(h.opens)}-{hhmm(h.closes, closing=True)}"
        for h in hours
    )


class HoursForm(forms.Form):
    hours = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="One opening per line, e.g. 'Mon 08:00-20:00'; '05:00-01:00' runs past "
        "midnight. Empty: open around the clock.",
    )
    availability = forms.CharField(max_length=300, required=False)

    def clean_hours(self):
        return parse_hours(self.cleaned_data["hours"])


class HolidayForm(forms.Form):
    """Ids of its own on the SLA page (``holiday-department``), as ``SlaPolicyForm``."""

    department = _departments("Every department")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "holiday-%s")
        super().__init__(*args, **kwargs)


class EscalationRuleForm(forms.Form):
    name = forms.CharField(max_length=120)
    department = _departments("Every department")
    is_active = forms.BooleanField(required=False, initial=True)
    min_priority = forms.TypedChoiceField(
        choices=[("", "—")] + Priority.choices, coerce=int, required=False, empty_value=None
    )
    min_reach = forms.IntegerField(min_value=0, required=False, label="Reach above")
    keywords = CommaList(required=False)
    max_sentiment = forms.FloatField(
        min_value=-1, max_value=1, required=False, label="Sentiment below"
    )
    flags = CommaList(required=False, help_text="e.g. legal, safety, health")
    incident_linked = forms.BooleanField(required=False)
    sla_condition = forms.ChoiceField(choices=SlaCondition.choices, required=False)
    sla_minutes = forms.IntegerField(min_value=0, required=False, initial=0)
    notify_lead = forms.BooleanField(required=False)
    notify_comms = forms.BooleanField(required=False)
    notify_usernames = CommaList(required=False, label="Notify people (usernames)")
    raise_priority_to = forms.TypedChoiceField(
        choices=[("", "—")] + Priority.choices, coerce=int, required=False, empty_value=None
    )
    move_to_department = _departments("—")
    require_approval = forms.BooleanField(required=False)
    link_to_incident = forms.BooleanField(required=False)


class RoutingRuleForm(forms.Form):
    name = forms.CharField(max_length=120)
    department = forms.ModelChoiceField(queryset=Department.objects.order_by("name"))
    is_active = forms.BooleanField(required=False, initial=True)
    sources = forms.MultipleChoiceField(
        choices=Source.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    keywords = CommaList(
        required=False, help_text="Words or phrases, comma-separated; 'refund*' matches refunds."
    )
    languages = CommaList(required=False, help_text="e.g. de, fr")
    author_handles = CommaList(required=False)
    url_pattern = forms.CharField(max_length=300, required=False)


class RouteTestForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    source = forms.ChoiceField(choices=BLANK + Source.choices, required=False)
    language = forms.CharField(max_length=8, required=False)
    author_handle = forms.CharField(max_length=150, required=False)
    url = forms.CharField(max_length=500, required=False)


class DepartmentPolicyForm(forms.Form):
    require_approval_all = forms.BooleanField(required=False, label="Every reply needs approval")
    approval_reach_threshold = forms.IntegerField(
        min_value=0, required=False, label="Approval from this reach (followers)"
    )
    deviation_threshold = forms.FloatField(
        min_value=0,
        max_value=1,
        required=False,
        label="Approval below this similarity to the template (0–1)",
    )
    require_template = forms.BooleanField(required=False, label="Replies must use a template")
    contact_phone = forms.CharField(max_length=40, required=False)
    contact_email = forms.EmailField(required=False)
    dm_link = forms.CharField(max_length=300, required=False, label="DM link")

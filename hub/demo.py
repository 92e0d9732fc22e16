"""The demo organisation's hub: guidelines, compensation, SLA, hours, escalation, routing.

Idempotent: each object is created only when missing (by title or name), so running it again
changes nothing. Call after the departments exist. Seeding is an operator action (no actor),
so it writes the rows directly; everything staff do later goes through ``hub.services``.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hub.models import (
    BusinessHours,
    CompensationPolicy,
    CompensationTier,
    CompensationUnit,
    DepartmentPolicy,
    DiscretionLimit,
    EscalationRule,
    Guideline,
    GuidelineStatus,
    GuidelineVersion,
    Holiday,
    RoutingRule,
    SlaPolicy,
)
from spokes import demo_content as content
from spokes.models import Department

T = dt.time
EVERY_DAY = range(7)
# weekday -> (opens, closes), from each department's availability statement
HOURS = {
    "billing": [(d, T(8), T(20)) for d in range(6)],
    "support": [],  # around the clock
    "flights": [(d, T(5), T(1)) for d in EVERY_DAY],  # past midnight
    "stores": [(d, T(7), T(23)) for d in EVERY_DAY],
    "loyalty": [(d, T(8), T(22)) for d in range(5)] + [(d, T(10), T(18)) for d in (5, 6)],
}
# priority -> (first response, resolution in minutes, business hours only)
SLA = {
    4: (60, 8 * 60, False),
    3: (2 * 60, 24 * 60, True),
    2: (4 * 60, 48 * 60, True),
    1: (8 * 60, 72 * 60, True),
}
UNITS = {"EUR": CompensationUnit.MONEY, "day": CompensationUnit.DAY, "item": CompensationUnit.ITEM}
ESCALATIONS = [
    {
        "name": "Legal, safety or health threat",
        "flags": ["legal", "safety", "health", "discrimination"],
        "notify_lead": True,
        "notify_comms": True,
        "raise_priority_to": 4,
        "require_approval": True,
    },
    {
        "name": "First response due in 15 minutes",
        "sla_condition": "warning",
        "sla_minutes": 15,
        "notify_lead": True,
    },
    {
        "name": "First response overdue",
        "sla_condition": "breach",
        "notify_lead": True,
        "notify_comms": True,
    },
    {"name": "Large audience", "min_reach": 50_000, "notify_comms": True, "require_approval": True},
    {
        "name": "Very negative and loud",
        "max_sentiment": -0.6,
        "min_reach": 5_000,
        "notify_lead": True,
        "raise_priority_to": 3,
    },
]


def _guidelines(departments) -> int:
    created = 0
    now = timezone.now()
    for spec in content.GUIDELINES:
        if Guideline.objects.filter(title=spec["title"]).exists():
            continue
        guideline = Guideline.objects.create(
            title=spec["title"],
            kind=spec["kind"],
            status=GuidelineStatus.APPROVED,
            department=departments.get(spec["department"]) if spec["department"] else None,
            contact_point=spec["contact_point"],
            tone=spec["tone"],
        )
        version = GuidelineVersion.objects.create(
            guideline=guideline,
            number=1,
            body=spec["body"],
            change_note="First version",
            approved_at=now,
        )
        guideline.current_version = version
        guideline.save(update_fields=["current_version"])
        created += 1
    return created


def _compensation() -> None:
    for spec in content.COMPENSATION_POLICIES:
        unit = UNITS.get(spec["unit"], CompensationUnit.MONEY)
        policy, created = CompensationPolicy.objects.get_or_create(
            name=spec["name"],
            defaults={
                "kind": spec["kind"],
                "unit": unit,
                "unit_value": 1 if unit == CompensationUnit.DAY else None,
                "description": spec["description"],
            },
        )
        if created:
            CompensationTier.objects.bulk_create(
                CompensationTier(policy=policy, severity=s, min_amount=low, max_amount=high)
                for s, (low, high) in spec["tiers"].items()
            )
    for role, amount in content.ROLE_LIMITS.items():
        if not DiscretionLimit.objects.filter(role=role, department=None, policy=None).exists():
            DiscretionLimit.objects.create(role=role, amount=amount)


def _sla(departments) -> None:
    for priority, (first, resolution, business) in SLA.items():
        if not SlaPolicy.objects.filter(department=None, priority=priority).exists():
            SlaPolicy.objects.create(
                priority=priority,
                first_response_minutes=first,
                resolution_minutes=resolution,
                business_hours_only=business,
            )
    for slug, intervals in HOURS.items():
        department = departments.get(slug)
        if department is None or department.business_hours.exists():
            continue
        BusinessHours.objects.bulk_create(
            BusinessHours(department=department, weekday=d, opens=o, closes=c)
            for d, o, c in intervals
        )
    year = timezone.now().year
    for y in (year, year + 1):
        for month, day, name in ((1, 1, "New Year's Day"), (12, 25, "Christmas Day")):
            Holiday.objects.get_or_create(
                department=None, date=dt.date(y, month, day), defaults={"name": name}
            )


def _routing(departments) -> None:
    for position, spec in enumerate(content.DEPARTMENTS, start=1):
        department = departments.get(spec["slug"])
        name = f"{spec['name']}: keywords"
        if department is None or RoutingRule.objects.filter(name=name).exists():
            continue
        RoutingRule.objects.create(
            name=name, position=position * 10, department=department, keywords=spec["keywords"]
        )


def _escalation() -> None:
    for position, spec in enumerate(ESCALATIONS, start=1):
        if not EscalationRule.objects.filter(name=spec["name"]).exists():
            EscalationRule.objects.create(position=position * 10, **spec)


def _department_policies(departments) -> None:
    for slug, department in departments.items():
        DepartmentPolicy.objects.get_or_create(
            department=department,
            defaults={
                "contact_phone": "+31 20 555 0100",
                "contact_email": f"{slug}@northwind.example",
                "dm_link": "https://social.example/messages/northwind",
                "approval_reach_threshold": 100_000,
                "deviation_threshold": 0.5 if slug == "flights" else None,
            },
        )


def seed_hub_demo() -> dict:
    with transaction.atomic():
        departments = {d.slug: d for d in Department.objects.all()}
        guidelines = _guidelines(departments)
        _compensation()
        _sla(departments)
        _routing(departments)
        _escalation()
        _department_policies(departments)
    return {"guidelines_created": guidelines}

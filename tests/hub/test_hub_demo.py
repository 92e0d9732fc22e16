from datetime import UTC, datetime

from hub import rendering, routing, selectors, sla
from hub.demo import seed_hub_demo
from hub.models import (
    BusinessHours,
    CompensationPolicy,
    DiscretionLimit,
    EscalationRule,
    Guideline,
    GuidelineStatus,
    RoutingRule,
)
from spokes import demo_content
from spokes.demo import _ensure_departments
from tests.factories import UserFactory


def _counts():
    return [
        m.objects.count()
        for m in (
            Guideline,
            CompensationPolicy,
            DiscretionLimit,
            BusinessHours,
            RoutingRule,
            EscalationRule,
        )
    ]


def test_the_hub_demo_is_complete_valid_and_idempotent(db):
    departments = _ensure_departments()
    seed_hub_demo()
    first = _counts()
    seed_hub_demo()
    assert _counts() == first
    assert Guideline.objects.filter(status=GuidelineStatus.APPROVED).count() == len(
        demo_content.GUIDELINES
    )
    for guideline in Guideline.objects.select_related("current_version"):
        rendering.placeholders_in(guideline.current_version.body)
    assert CompensationPolicy.objects.count() == len(demo_content.COMPENSATION_POLICIES)
    comms = UserFactory(org_role="comms")
    assert selectors.discretion_limit(user=comms, department=departments["billing"]) == 2000
    assert routing.route("I was overcharged on my card", "twitter", "en") == departments["billing"]
    assert routing.route("My suitcase never arrived", "twitter", "en") == departments["flights"]
    # billing answers Monday to Saturday 08:00-20:00 Irish time: Saturday evening waits for Monday
    due = sla.due_at(
        department=departments["billing"],
        priority=2,
        received_at=datetime(2026, 5, 9, 19, 0, tzinfo=UTC),
    )
    assert due == datetime(2026, 5, 11, 11, 0, tzinfo=UTC)


def test_every_hub_page_renders_the_demo_data(client, db):
    from django.urls import reverse

    _ensure_departments()
    seed_hub_demo()
    client.force_login(UserFactory(org_role="comms"))
    names = [
        "index",
        "guidelines",
        "faq",
        "compensation",
        "sla",
        "escalation",
        "routing",
        "departments",
    ]
    for name in names:
        assert client.get(reverse(f"hub:{name}")).status_code == 200, name
    for guideline in Guideline.objects.all():
        assert client.get(reverse("hub:guideline", args=[guideline.pk])).status_code == 200
    assert client.get(reverse("hub:hours", args=["flights"])).status_code == 200
    page = client.get(reverse("hub:routing"), {"text": "Mein Gepäck ist weg", "language": "de"})
    assert page.status_code == 200

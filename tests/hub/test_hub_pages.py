"""The hub's pages drive the services: forms, errors on the right field, previews, diffs."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from hub import services
from hub.models import (
    BusinessHours,
    CompensationPolicy,
    DepartmentPolicy,
    DiscretionLimit,
    EscalationRule,
    Guideline,
    GuidelineStatus,
    Holiday,
    RoutingRule,
    SlaPolicy,
)


@pytest.fixture
def as_comms(client, comms):
    client.force_login(comms)
    return client


def test_comms_drafts_versions_approves_and_compares_a_guideline(as_comms):
    response = as_comms.post(
        reverse("hub:guideline_new"),
        {
            "title": "Late parcel",
            "kind": "template",
            "tone": "apologetic",
            "topics": "parcel, late",
            "body": "Hi {customer_name}, sorry! ^{agent_initials}",
        },
    )
    guideline = Guideline.objects.get()
    assert response.status_code == 302 and guideline.topics == ["late", "parcel"]
    as_comms.post(reverse("hub:approve", args=[guideline.pk]))
    as_comms.post(
        reverse("hub:version_new", args=[guideline.pk]),
        {"body": "Hi {customer_name}, so sorry! ^{agent_initials}", "change_note": "warmer"},
    )
    page = as_comms.get(reverse("hub:guideline", args=[guideline.pk])).content.decode()
    assert "Awaiting approval: version 2" in page and "Approve version 2" in page
    diff = as_comms.get(reverse("hub:diff", args=[guideline.pk]) + "?a=1&b=2").content.decode()
    assert "<ins>so</ins>" in diff and "<del>" not in diff
    as_comms.post(
        reverse("hub:approve", args=[guideline.pk]),
        {"version": guideline.versions.get(number=2).pk},
    )
    guideline.refresh_from_db()
    assert guideline.current_version.number == 2 and guideline.status == GuidelineStatus.APPROVED


def test_an_unknown_placeholder_is_shown_on_the_body_field(as_comms):
    response = as_comms.post(
        reverse("hub:guideline_new"),
        {"title": "X", "kind": "template", "tone": "informative", "body": "Hi {nme}"},
    )
    assert response.status_code == 200
    assert 'id="body-error"' in response.content.decode() and "{nme}" in response.content.decode()
    assert not Guideline.objects.exists()


def test_the_preview_renders_sample_values_and_the_length(as_comms):
    response = as_comms.post(
        reverse("hub:preview"), {"body": "Hi {customer_name} " + "x" * 280, "source": "twitter"}
    )
    page = response.content.decode()
    assert "Jamie Rivera" in page and "too long for this channel" in page


def test_untrusted_preview_text_is_escaped(as_comms):
    page = as_comms.post(
        reverse("hub:preview"), {"body": "<script>alert(1)</script>"}
    ).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_retiring_from_the_page(as_comms, approved):
    guideline = approved()
    as_comms.post(reverse("hub:retire", args=[guideline.pk]), {"reason": "old"})
    guideline.refresh_from_db()
    assert guideline.status == GuidelineStatus.RETIRED


def test_compensation_policy_form_with_tiers_and_errors(as_comms):
    data = {
        "name": "Voucher",
        "kind": "voucher",
        "unit": "money",
        "is_active": "on",
        "tier_minor_min": "10",
        "tier_minor_max": "25",
        "tier_major_min": "300",
        "tier_major_max": "100",
    }
    response = as_comms.post(reverse("hub:policy_new"), data)
    assert response.status_code == 200 and "starts above its end" in response.content.decode()
    data["tier_major_max"] = "400"
    assert as_comms.post(reverse("hub:policy_new"), data).status_code == 302
    assert CompensationPolicy.objects.get().tiers.count() == 2


def test_limits_are_set_and_removed_from_the_page(as_comms, billing):
    as_comms.post(
        reverse("hub:limit_set"), {"role": "agent", "amount": "75", "department": billing.pk}
    )
    limit = DiscretionLimit.objects.get()
    assert limit.department == billing and limit.amount == 75
    as_comms.post(reverse("hub:limit_delete", args=[limit.pk]))
    assert not DiscretionLimit.objects.exists()


def test_sla_policy_hours_holidays_and_availability_from_the_pages(as_comms, billing):
    as_comms.post(
        reverse("hub:sla_set"),
        {
            "priority": 2,
            "first_response_minutes": 120,
            "resolution_minutes": 600,
            "business_hours_only": "on",
        },
    )
    assert SlaPolicy.objects.get().first_response_minutes == 120
    response = as_comms.post(
        reverse("hub:hours", args=["billing"]),
        {
            "hours": "Mon 08:00-20:00\nTue 05:00-01:00\nSun 00:00-24:00",
            "availability": "Weekdays 8–20.",
        },
    )
    assert response.status_code == 302
    assert BusinessHours.objects.filter(department=billing).count() == 3
    billing.refresh_from_db()
    assert billing.availability == "Weekdays 8–20."
    bad = as_comms.post(
        reverse("hub:hours", args=["billing"]), {"hours": "Mon 08:00-20:00\nMon 19:00-21:00"}
    )
    assert "overlap" in bad.content.decode()
    garbled = as_comms.post(reverse("hub:hours", args=["billing"]), {"hours": "Funday 8-9"})
    assert "Line 1" in garbled.content.decode()
    as_comms.post(reverse("hub:holiday_add"), {"date": "2026-12-25", "name": "Christmas"})
    assert Holiday.objects.get().department is None
    page = as_comms.get(reverse("hub:hours", args=["billing"])).content.decode()
    assert "Sun 00:00-24:00" in page


def test_escalation_rule_form_with_people(as_comms, lead):
    data = {
        "name": "Loud",
        "min_reach": "10000",
        "notify_comms": "on",
        "notify_usernames": "lead",
        "is_active": "on",
        "sla_minutes": 0,
    }
    assert as_comms.post(reverse("hub:escalation_new"), data).status_code == 302
    rule = EscalationRule.objects.get()
    assert list(rule.notify_users.all()) == [lead]
    data["notify_usernames"] = "nobody"
    response = as_comms.post(reverse("hub:escalation_edit", args=[rule.pk]), data)
    assert "No such user: nobody" in response.content.decode()
    no_condition = {"name": "Empty", "notify_comms": "on", "sla_minutes": 0}
    assert (
        "at least one condition"
        in as_comms.post(reverse("hub:escalation_new"), no_condition).content.decode()
    )


def test_routing_rule_form_and_the_route_tester(as_comms, billing, support):
    as_comms.post(
        reverse("hub:routing_new"),
        {
            "name": "Refunds",
            "department": billing.pk,
            "keywords": "refund, chargeback",
            "is_active": "on",
        },
    )
    assert RoutingRule.objects.get().keywords == ["refund", "chargeback"]
    as_comms.post(reverse("hub:routing_default"), {"department": "support"})
    page = as_comms.get(
        reverse("hub:routing"), {"text": "I want a refund <b>now</b>"}
    ).content.decode()
    assert "Billing" in page and "rule “Refunds”" in page and "<b>now</b>" not in page
    page = as_comms.get(reverse("hub:routing"), {"text": "hello"}).content.decode()
    assert "default department" in page


def test_department_policy_form(as_comms, billing):
    data = {
        "approval_reach_threshold": "50000",
        "deviation_threshold": "0.6",
        "contact_email": "b@example.com",
        "dm_link": "ftp://x",
    }
    response = as_comms.post(reverse("hub:department_policy", args=["billing"]), data)
    assert "https://" in response.content.decode() and not DepartmentPolicy.objects.exists()
    data["dm_link"] = "https://social.example/dm"
    assert (
        as_comms.post(reverse("hub:department_policy", args=["billing"]), data).status_code == 302
    )
    policy = DepartmentPolicy.objects.get(department=billing)
    assert policy.approval_reach_threshold == 50000 and policy.deviation_threshold == 0.6
    assert AuditEvent.objects.filter(action="department.policy_set").exists()


def _fill(comms, billing, n):
    for i in range(n):
        g = services.guideline_create(
            actor=comms,
            title=f"G{i}",
            kind="template",
            body="Hi {customer_name}",
            department=billing if i % 2 else None,
        )
        services.guideline_approve(actor=comms, guideline_id=g.pk)
        services.guideline_version_create(actor=comms, guideline_id=g.pk, body=f"v2 {i}")
        services.compensation_policy_save(
            actor=comms, name=f"P{i}", kind="voucher", tiers={"minor": (1, 2), "major": (3, 4)}
        )
        services.discretion_limit_set(
            actor=comms,
            role="agent",
            amount=i,
            department=billing if i % 2 else None,
            policy=None if i % 2 else CompensationPolicy.objects.get(name=f"P{i}"),
        )
        services.escalation_rule_save(
            actor=comms, name=f"E{i}", min_priority=3, notify_comms=True, notify_users=[comms]
        )
        services.routing_rule_save(
            actor=comms, name=f"R{i}", department=billing, keywords=[f"k{i}"]
        )
        services.sla_policy_set(
            actor=comms,
            priority=(i % 4) + 1,
            first_response_minutes=10 + i,
            resolution_minutes=100,
            department=billing if i > 3 else None,
        )


@pytest.mark.parametrize(
    "name",
    [
        "hub:index",
        "hub:guidelines",
        "hub:faq",
        "hub:compensation",
        "hub:sla",
        "hub:escalation",
        "hub:routing",
        "hub:departments",
    ],
)
def test_hub_pages_cost_the_same_queries_whatever_their_size(
    client, comms, billing, name, django_assert_max_num_queries
):
    client.force_login(comms)
    _fill(comms, billing, 2)
    with django_assert_max_num_queries(20) as small:
        assert client.get(reverse(name)).status_code == 200
    _fill_more = _fill  # more rows of every kind
    _fill_more(comms, billing, 0)
    for i in range(2, 8):
        g = services.guideline_create(
            actor=comms,
            title=f"More{i}",
            kind="faq" if i % 2 else "template",
            body="Hi",
            department=billing,
        )
        services.guideline_approve(actor=comms, guideline_id=g.pk)
        services.compensation_policy_save(
            actor=comms, name=f"More{i}", kind="voucher", tiers={"minor": (1, 2)}
        )
        services.escalation_rule_save(
            actor=comms, name=f"More{i}", min_priority=3, notify_comms=True, notify_users=[comms]
        )
        services.routing_rule_save(
            actor=comms, name=f"More{i}", department=billing, keywords=[f"m{i}"]
        )
        services.holiday_add(actor=comms, date=f"2026-01-{i:02d}", name="h")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(name)).status_code == 200


def test_a_guideline_page_costs_the_same_queries_with_many_versions(
    client, comms, approved, django_assert_max_num_queries
):
    guideline = approved()
    client.force_login(comms)
    url = reverse("hub:guideline", args=[guideline.pk])
    with django_assert_max_num_queries(15) as small:
        client.get(url)
    for i in range(10):
        services.guideline_version_create(
            actor=comms, guideline_id=guideline.pk, body=f"v{i} {{customer_name}}"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_moving_a_missing_routing_rule_is_a_404_whatever_the_direction(as_comms):
    for data in ({}, {"direction": "sideways"}, {"direction": "up"}):
        response = as_comms.post(reverse("hub:routing_move", args=[999_999]), data)
        assert response.status_code == 404, data

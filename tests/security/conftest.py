"""Security tests: a world with one object of every kind in billing and in support.

``world`` gives the authorisation matrix its targets: ``world.ids["billing"]["mention"]`` is the
billing mention's id, and so on for replies, incidents, guidelines, alerts, hub rules, webhooks
and API keys. Every piece of department data carries a marker (``BILLING-SECRET`` or
``SUPPORT-SECRET``) so a response can be searched for text it must not contain.

The browser tests (``test_xss_browser.py``) run Debian's Chromium; without it they are skipped,
unless ``FIREBREAK_REQUIRE_BROWSER=1`` (CI), where a missing browser is a failure.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

HERE = Path(__file__).resolve().parent
MARKER = {"billing": "BILLING-SECRET", "support": "SUPPORT-SECRET"}


@dataclass
class World:
    """Ids of one object of each kind per department, the API keys, and the people."""

    ids: dict = field(default_factory=lambda: {"billing": {}, "support": {}})
    keys: dict = field(default_factory=dict)  # role name -> plain API key
    users: dict = field(default_factory=dict)  # role name -> User (None: anonymous)
    sessions: dict = field(default_factory=dict)  # role name -> session key, signed in once


def _department_objects(dept, *, agent, comms, admin_user, policy) -> dict:
    """One of everything in ``dept``, made the way the product makes it where that is cheap."""
    from api.models import WebhookSubscription
    from api.services import integration_key_create
    from core.models import OutgoingEmail
    from hub.models import (
        DepartmentPolicy,
        DiscretionLimit,
        EscalationRule,
        Holiday,
        RoutingRule,
        SlaPolicy,
    )
    from hub.services import guideline_approve, guideline_create
    from incidents import services as incident_services
    from replies import services as reply_services
    from spokes import services as spoke_services
    from spokes.models import SpikeAlert, SpikeAlertMention
    from tests.factories import AuthorFactory, MentionFactory

    secret = MARKER[dept.slug]
    DepartmentPolicy.objects.update_or_create(
        department=dept, defaults={"require_approval_all": True}
    )
    author = AuthorFactory(handle=f"{secret}-HANDLE", display_name=f"{secret}-AUTHOR")
    # a new mention for actions, and one with a reply waiting for central comms
    mention = MentionFactory(department=dept, author=author, text=f"{secret}-MENTION text")
    replied = MentionFactory(department=dept, author=author, text=f"{secret}-REPLIED text")
    spoke_services.mention_add_note(actor=agent, mention_id=mention.pk, body=f"{secret}-NOTE")
    reply = reply_services.reply_draft(actor=agent, mention_id=replied.pk, text=f"{secret}-REPLY")
    reply = reply_services.reply_submit(actor=agent, reply_id=reply.pk)
    assert reply.state == "pending_approval"
    incident = incident_services.incident_declare(
        actor=comms, title=f"{secret}-INCIDENT", departments=[dept], keywords=["outage"]
    )
    incident_services.incident_add_fact(actor=comms, incident_id=incident.pk, text=f"{secret}-FACT")
    incident_services.incident_link_mention(
        actor=comms, incident_id=incident.pk, mention_id=mention.pk
    )
    update = incident_services.incident_draft_update(
        actor=comms, incident_id=incident.pk, body=f"{secret}-UPDATE"
    )
    guideline = guideline_create(
        actor=comms,
        title=f"{secret}-GUIDELINE",
        kind="template",
        body=f"Hi {{customer_name}}, {secret}-WORDING",
        department=dept,
    )
    guideline_approve(actor=comms, guideline_id=guideline.pk)
    now = timezone.now()
    alert = SpikeAlert.objects.create(
        scope=f"dept:{dept.pk}", label=f"{secret}-ALERT", metric="volume",
        related_scopes=[f"dept:{dept.pk}"], department=dept,
        window_start=now - timedelta(hours=1), window_end=now, observed=60, baseline=2,
        baseline_std=1, z_score=40, mention_count=1, unique_authors=1, total_reach=120,
    )  # fmt: skip
    SpikeAlertMention.objects.create(alert=alert, mention=mention)
    webhook = WebhookSubscription.objects.create(
        department=dept,
        url=f"https://hooks.example/{dept.slug}",
        events=["mention.status_changed"],
        secret="whsec_test",
        description=f"{secret}-WEBHOOK",
    )
    key, _ = integration_key_create(
        actor=admin_user, name=f"{dept.slug} listener", departments=[dept], scopes=["read"]
    )
    return {
        "slug": dept.slug,
        "member": agent.username,
        "mention": mention.pk,
        "reply": reply.pk,
        "incident": incident.pk,
        "update": update.pk,
        "guideline": guideline.pk,
        "alert": alert.pk,
        "webhook": webhook.pk,
        "key_prefix": key.prefix,
        "limit": DiscretionLimit.objects.create(
            role="agent", department=dept, amount=Decimal("40")
        ).pk,
        "sla_policy": SlaPolicy.objects.create(
            department=dept, priority=2, first_response_minutes=60, resolution_minutes=480
        ).pk,
        "holiday": Holiday.objects.create(
            department=dept, date=date(2031, 12, 25), name="Christmas"
        ).pk,
        "escalation_rule": EscalationRule.objects.create(
            name=f"{dept.slug} escalation", department=dept, notify_lead=True
        ).pk,
        "routing_rule": RoutingRule.objects.create(
            name=f"{dept.slug} routing", department=dept, keywords=[dept.slug]
        ).pk,
        "compensation_policy": policy.pk,  # organisation-wide: the same for both
        "person": agent.pk,  # the department's agent, for the administrators' people pages
        # an escalation email about the department's mentions, given up after its attempts
        "email": OutgoingEmail.objects.create(
            to=f"lead@{dept.slug}.example",
            subject=f"{secret}-EMAIL",
            body=f"{secret}-EMAIL",
            kind="mention.escalated",
            status="failed",
            attempts=8,
        ).pk,  # fmt: skip
    }


def build_world() -> World:
    """Two departments, the cast, one object of each kind in each department, three API keys."""
    from api.services import integration_key_create
    from hub.models import CompensationPolicy
    from tests.conftest import _member
    from tests.factories import DepartmentFactory, UserFactory

    billing = DepartmentFactory(slug="billing", name="Billing")
    support = DepartmentFactory(slug="support", name="Support")
    agent = _member("agent", billing, "agent", first_name="Ava", last_name="Agent")
    lead = _member("lead", billing, "lead", first_name="Leo", last_name="Lead")
    other_agent = _member("other_agent", support, "agent")
    comms = UserFactory(username="comms", org_role="comms")
    admin_user = UserFactory(username="admin", org_role="admin")
    outsider = UserFactory(username="outsider")
    policy = CompensationPolicy.objects.create(name="Voucher", kind="voucher", unit="money")
    w = World()
    w.ids["billing"] = _department_objects(
        billing, agent=agent, comms=comms, admin_user=admin_user, policy=policy
    )
    w.ids["support"] = _department_objects(
        support, agent=other_agent, comms=comms, admin_user=admin_user, policy=policy
    )
    full = ["read", "write", "approve"]
    for role, dept, scopes in (
        ("key_read", billing, ["read"]),
        ("key_full", billing, full),
        ("other_key", support, full),
    ):
        _, w.keys[role] = integration_key_create(
            actor=admin_user, name=role, departments=[dept], scopes=scopes
        )
    w.users = {
        "agent": agent,
        "lead": lead,
        "other_agent": other_agent,
        "comms": comms,
        "admin": admin_user,
        "outsider": outsider,
        "anon": None,
    }
    for role, user in w.users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            w.sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, request):
    """The world, built once per module inside a transaction rolled back at its end.

    Each test's own ``db`` transaction nests inside it, so tests still cannot see each other's
    writes; requests that may write run in a savepoint of their own (see the matrix).
    """
    from django.db import transaction
    from django.test import override_settings

    private_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"security-{request.module.__name__}",
        }
    }
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(CACHES=private_cache, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)

"""Every role x own/foreign department x action, through HTTP. Zero leaks.

htmx requests get the real status code of a refused action (403/404/409); a foreign mention is
always a 404, never a 403.
"""

import pytest
from django.urls import reverse

from spokes.models import Activity, Mention

ROLES = ["agent", "lead", "other_agent", "other_lead", "comms", "admin_user", "outsider", "anon"]

# expected status for a mention in billing (agent/lead are billing; other_* are support)
VIEW = {
    "agent": 200,
    "lead": 200,
    "other_agent": 404,
    "other_lead": 404,
    "comms": 200,
    "admin_user": 200,
    "outsider": 404,
    "anon": 302,
}
ASSIGN_ME = {
    "agent": 302,
    "lead": 302,
    "other_agent": 404,
    "other_lead": 404,
    "comms": 403,
    "admin_user": 302,
    "outsider": 404,
    "anon": 302,
}
RESOLVE = ASSIGN_ME
TRANSFER = {
    "agent": 403,
    "lead": 302,
    "other_agent": 404,
    "other_lead": 404,
    "comms": 403,
    "admin_user": 302,
    "outsider": 404,
    "anon": 302,
}
NOTE = {
    "agent": 302,
    "lead": 302,
    "other_agent": 404,
    "other_lead": 404,
    "comms": 302,
    "admin_user": 302,
    "outsider": 404,
    "anon": 302,
}


@pytest.fixture
def cast(request, agent, lead, other_agent, other_lead, comms, admin_user, outsider):
    return {
        "agent": agent,
        "lead": lead,
        "other_agent": other_agent,
        "other_lead": other_lead,
        "comms": comms,
        "admin_user": admin_user,
        "outsider": outsider,
        "anon": None,
    }


def _client(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_mention_page(client, cast, mention, role):
    response = _client(client, cast[role]).get(reverse("spokes:mention", args=[mention.pk]))
    assert response.status_code == VIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_queue_page(client, cast, billing, role):
    response = _client(client, cast[role]).get(reverse("spokes:queue", args=[billing.slug]))
    assert response.status_code == VIEW[role]


@pytest.mark.parametrize("role", ROLES)
def test_missing_mention_and_department_look_the_same_as_foreign_ones(client, cast, role):
    c = _client(client, cast[role])
    assert c.get("/m/999999/").status_code in (404, 302)
    assert c.get("/d/nowhere/").status_code in (404, 302)


@pytest.mark.parametrize(
    ("action", "expected", "data"),
    [
        ("assign_me", ASSIGN_ME, {}),
        ("resolve", RESOLVE, {}),
        ("transfer", TRANSFER, {"department": "support", "reason": "not ours"}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_mention_actions(client, cast, mention, role, action, expected, data):
    response = _client(client, cast[role]).post(
        reverse("spokes:action", args=[mention.pk]),
        {"action": action, **data},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == expected[role]
    changed = Activity.objects.filter(mention=mention).exists()
    assert changed == (expected[role] == 302 and cast[role] is not None)
    if not changed:
        assert Mention.objects.get(pk=mention.pk).status == "new"


@pytest.mark.parametrize("role", ROLES)
def test_notes(client, cast, mention, role):
    response = _client(client, cast[role]).post(
        reverse("spokes:note", args=[mention.pk]), {"body": "internal"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == NOTE[role]
    assert mention.notes.exists() == (NOTE[role] == 302 and cast[role] is not None)


def test_foreign_mention_in_a_bulk_action_is_refused_without_leaking(
    client, agent, billing, foreign_mention
):
    client.force_login(agent)
    response = client.post(
        reverse("spokes:bulk", args=[billing.slug]),
        {"ids": [foreign_mention.pk], "action": "resolve"},
        follow=True,
    )
    assert Mention.objects.get(pk=foreign_mention.pk).status == "new"
    assert "No such mention" in response.content.decode()


def test_a_stray_global_permission_exposes_nothing(client, outsider, mention):
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(
        Permission.objects.get(codename="view_queue"), Permission.objects.get(codename="work_queue")
    )
    client.force_login(outsider)
    assert client.get(reverse("spokes:mention", args=[mention.pk])).status_code == 404
    assert client.get(reverse("spokes:queue", args=[mention.department.slug])).status_code == 404


def test_revoking_a_membership_removes_access_at_once(client, agent, billing, mention):
    from spokes.services import membership_revoke

    client.force_login(agent)
    assert client.get(reverse("spokes:mention", args=[mention.pk])).status_code == 200
    membership_revoke(actor=None, user=agent, department=billing)
    assert client.get(reverse("spokes:mention", args=[mention.pk])).status_code == 404


def test_a_deactivated_user_is_logged_out(client, agent, mention):
    client.force_login(agent)
    agent.is_active = False
    agent.save()
    response = client.get(reverse("spokes:mention", args=[mention.pk]))
    assert response.status_code == 302

"""Django's admin: its changes are audited, grants changed there (or anywhere) close the
sockets concerned, and what has a service of its own is read-only there."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import AuditEvent
from api.services import integration_key_create
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, db):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def test_an_admin_change_is_audited_with_its_origin(staff_client, agent):
    response = staff_client.post(
        "/admin/auth/group/add/", {"name": "Night shift"}, REMOTE_ADDR="192.0.2.8"
    )
    assert response.status_code == 302
    group = Group.objects.get(name="Night shift")
    event = AuditEvent.objects.get(action="admin.group.added")
    assert (event.target_id, event.ip_address, event.actor.username) == (
        str(group.pk),
        "192.0.2.8",
        "root",
    )
    staff_client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.filter(action="admin.group.deleted").exists()
    assert not Group.objects.filter(pk=group.pk).exists()


def test_grants_through_groups_and_permissions_close_the_sockets_concerned(
    agent, lead, closed, django_capture_on_commit_callbacks
):
    group = Group.objects.create(name="Approvers")
    decide = Permission.objects.get(codename="decide_reply")
    steps = [
        (lambda: agent.groups.add(group), {agent.pk}),
        (lambda: group.user_set.add(lead), {lead.pk}),
        (lambda: group.permissions.add(decide), {agent.pk, lead.pk}),
        (lambda: decide.group_set.remove(group), {agent.pk, lead.pk}),
        (lambda: agent.user_permissions.add(decide), {agent.pk}),
        (lambda: decide.user_set.clear(), {agent.pk}),
        (lambda: group.user_set.clear(), {agent.pk, lead.pk}),
    ]
    for step, expected in steps:
        closed.clear()
        with django_capture_on_commit_callbacks(execute=True):
            step()
        assert set(closed) == expected


def test_what_has_its_own_audited_page_is_read_only_in_the_admin(staff_client, billing):
    key, _ = integration_key_create(actor=None, name="Tool", departments=[billing], scopes=["read"])
    assert (
        staff_client.post(
            f"/admin/api/integrationkey/{key.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    key.refresh_from_db()
    from api.models import WebhookSubscription

    hook = WebhookSubscription.objects.create(url="https://hooks.example/x", secret="s" * 32)
    response = staff_client.post(
        f"/admin/api/webhooksubscription/{hook.pk}/change/", {"active": "", "description": "x"}
    )
    assert response.status_code == 403
    hook.refresh_from_db()
    assert hook.active

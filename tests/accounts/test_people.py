"""People pages: administrators add accounts, change roles, switch accounts off and give or
take departments, from the web UI; each change audited and effective at once."""

import pytest
from django.test import Client

from accounts.models import AuditEvent, User
from spokes.models import Membership
from tests.factories import UserFactory

STRONG = "Tidal-Lantern-42"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_adds_a_person_who_then_signs_in(admin_client, billing):
    form = {
        "username": "dana",
        "first_name": "Dana",
        "last_name": "<b>Scully</b>",
        "email": "dana@example.com",
        "org_role": "member",
        "password": "password",  # too common
    }
    refused = admin_client.post("/people/new/", form)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "password:" in page and 'value="dana"' in page and 'value="dana@example.com"' in page
    assert not User.objects.filter(username="dana").exists()

    done = admin_client.post("/people/new/", {**form, "password": STRONG})
    dana = User.objects.get(username="dana")
    assert done.status_code == 302 and done["Location"] == f"/people/{dana.pk}/"
    assert dana.check_password(STRONG) and dana.org_role == "member"
    event = AuditEvent.objects.get(action="user.created")
    assert (event.target_id, event.ip_address) == (str(dana.pk), "127.0.0.1")
    assert "password" not in str(event.data)
    signed_in = Client().post("/login/", {"username": "dana", "password": STRONG})
    assert signed_in.status_code == 302 and "_auth_user_id" in signed_in.client.session
    # the name is shown as text, never as markup
    listing = admin_client.get("/people/?q=scully").content.decode()
    assert "&lt;b&gt;Scully&lt;/b&gt;" in listing and "<b>Scully</b>" not in listing


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", ""),
        ("username", "two words"),
        ("username", "Agent"),  # taken, whatever the case
        ("email", "not-an-address"),
        ("org_role", "owner"),
        ("first_name", "x" * 151),
    ],
)
def test_a_refused_person_names_the_field(admin_client, agent, field, value):
    form = {"username": "erin", "email": "", "org_role": "member", "password": STRONG}
    response = admin_client.post("/people/new/", {**form, field: value})
    assert response.status_code == 400
    assert f"{field}:" in response.content.decode()
    assert User.objects.count() == 2  # the administrator and the agent


def test_departments_given_and_taken_change_what_the_person_sees_at_once(
    admin_client, billing, outsider, closed, django_capture_on_commit_callbacks
):
    outsider_client = _signed_in(outsider)
    assert outsider_client.get("/d/billing/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        added = admin_client.post(
            f"/people/{outsider.pk}/memberships/", {"department": "billing", "role": "agent"}
        )
    assert added.status_code == 302
    assert outsider_client.get("/d/billing/").status_code == 200
    assert Membership.objects.get(user=outsider, department=billing).role == "agent"

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/people/{outsider.pk}/memberships/", {"department": "billing", "role": "lead"}
        )
    assert Membership.objects.get(user=outsider, department=billing).role == "lead"

    with django_capture_on_commit_callbacks(execute=True):
        removed = admin_client.post(f"/people/{outsider.pk}/memberships/billing/revoke/")
    assert removed.status_code == 302
    assert outsider_client.get("/d/billing/").status_code == 404
    assert outsider.pk in closed
    actions = list(
        AuditEvent.objects.filter(action__startswith="membership.")
        .order_by("id")
        .values_list("action", "ip_address")
    )
    assert actions == [
        ("membership.set", "127.0.0.1"),
        ("membership.set", "127.0.0.1"),
        ("membership.revoked", "127.0.0.1"),
    ]


def test_a_bad_department_or_role_is_said_and_changes_nothing(admin_client, outsider):
    for form in ({"department": "nowhere", "role": "agent"}, {"department": "", "role": "x"}):
        response = admin_client.post(f"/people/{outsider.pk}/memberships/", form, follow=True)
        assert response.status_code == 200
        assert 'class="msg-error"' in response.content.decode()
    assert not Membership.objects.filter(user=outsider).exists()


def test_a_switched_off_account_loses_access_at_once(
    admin_client, agent, closed, django_capture_on_commit_callbacks
):
    agent_client = _signed_in(agent)
    assert agent_client.get("/d/billing/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/people/{agent.pk}/active/", {"active": "0"})
    assert response.status_code == 302
    assert agent_client.get("/d/billing/").status_code == 302  # to the login page
    assert agent.pk in closed
    assert AuditEvent.objects.filter(action="user.deactivated", target_id=str(agent.pk)).exists()
    admin_client.post(f"/people/{agent.pk}/active/", {"active": "1"})
    agent.refresh_from_db()
    assert agent.is_active
    assert AuditEvent.objects.filter(action="user.reactivated").count() == 1


def test_a_role_change_is_audited_and_closes_open_pages(
    admin_client, agent, closed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/people/{agent.pk}/role/", {"org_role": "comms"})
    agent.refresh_from_db()
    assert agent.org_role == "comms" and agent.pk in closed
    event = AuditEvent.objects.get(action="user.role_changed")
    assert event.data == {"username": "agent", "from": "member", "to": "comms"}
    bad = admin_client.post(f"/people/{agent.pk}/role/", {"org_role": "owner"}, follow=True)
    assert "Choose a role." in bad.content.decode()
    agent.refresh_from_db()
    assert agent.org_role == "comms"


def test_nobody_locks_themselves_out_nor_touches_a_superuser_without_being_one(
    admin_client, admin_user
):
    own = admin_client.post(f"/people/{admin_user.pk}/active/", {"active": "0"}, follow=True)
    assert "ask another administrator" in own.content.decode()
    admin_client.post(f"/people/{admin_user.pk}/role/", {"org_role": "member"})
    root = UserFactory(username="root", is_superuser=True)
    admin_client.post(f"/people/{root.pk}/active/", {"active": "0"})
    admin_user.refresh_from_db()
    root.refresh_from_db()
    assert admin_user.is_active and admin_user.org_role == "admin" and root.is_active
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_everyone_else_meets_pages_that_do_not_exist(client, lead, comms, agent):
    for user in (lead, comms):
        client.force_login(user)
        assert client.get("/people/").status_code == 404
        assert client.get(f"/people/{agent.pk}/").status_code == 404
        assert client.post(f"/people/{agent.pk}/active/", {"active": "0"}).status_code == 404
    agent.refresh_from_db()
    assert agent.is_active


def test_the_people_list_filters_and_pages_in_a_fixed_number_of_queries(
    admin_client, billing, support, django_assert_max_num_queries
):
    from tests.conftest import _member

    def page(query=""):
        with django_assert_max_num_queries(11):
            return admin_client.get(f"/people/{query}")

    for n in range(3):
        _member(f"a{n:02}", billing, "agent")
    small = page()
    assert small.status_code == 200
    for n in range(3, 70):
        _member(f"a{n:02}", billing if n % 2 else support, "lead" if n % 5 == 0 else "agent")
    first = page()
    text = first.content.decode()
    assert "a49" in text and "a50" not in text  # 50 a page, by username: a00-a49
    cursor = first.context["next_cursor"]
    second = page(f"?cursor={cursor}").content.decode()
    assert "a50" in second and "a69" in second and "a49" not in second
    in_support = page("?department=support&org_role=member&q=a").context["rows"]
    assert {p.username for p in in_support} == {f"a{n:02}" for n in range(3, 70) if n % 2 == 0}
    bad = page("?cursor=not-a-cursor")
    assert bad.status_code == 200 and "a00" in bad.content.decode()

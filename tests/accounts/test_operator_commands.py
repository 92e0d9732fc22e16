from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from api.models import IntegrationKey
from spokes.models import Department, Membership


def _run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_department(db):
    out = _run("create_department", "Flights Ops", "--timezone", "Europe/Amsterdam")
    department = Department.objects.get(slug="flights-ops")
    assert department.timezone == "Europe/Amsterdam"
    assert "flights-ops" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["  "], "name"),
        (["Billing", "--timezone", "Mars/Olympus"], "timezone"),
        (["!!!"], "slug"),
    ],
)
def test_create_department_rejects_bad_input(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run("create_department", *args)
    assert not Department.objects.exists()


def test_duplicate_department_slug_is_refused(billing):
    with pytest.raises(CommandError, match="already exists"):
        _run("create_department", "Billing")


def test_add_member_grants_the_roles_permissions(billing):
    _run("add_member", "zoe", "billing", "lead", "--create")
    membership = Membership.objects.get(user__username="zoe")
    assert membership.role == "lead"
    assert membership.user.has_perm("spokes.lead_queue", billing)
    _run("add_member", "zoe", "billing", "agent")
    membership.refresh_from_db()
    assert membership.role == "agent"
    assert not membership.user.has_perm("spokes.lead_queue", billing)
    assert membership.user.has_perm("spokes.work_queue", billing)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ghost", "billing", "agent"], "no user 'ghost'"),
        (["agent", "nowhere", "agent"], "no department"),
        (["agent", "billing", "king"], "Unknown role"),
    ],
)
def test_add_member_rejects_bad_input(agent, args, message):
    with pytest.raises(CommandError, match=message):
        _run("add_member", *args)


def test_create_api_key_prints_it_once_and_stores_only_a_hash(billing, support):
    out = _run(
        "create_api_key", "Listening tool", "--departments", "billing", "--scopes", "read,write"
    )
    plain = out.strip().splitlines()[-1]
    key = IntegrationKey.objects.get()
    assert plain.startswith(key.prefix + ".")
    assert plain not in key.hashed_key
    assert IntegrationKey.objects.get_from_key(plain) == key
    assert list(key.departments.values_list("slug", flat=True)) == ["billing"]
    assert key.scopes == ["read", "write"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["k", "--departments", "nowhere"], "unknown slug"),
        (["k", "--departments", "billing", "--scopes", "root"], "Scopes must be"),
        (["  ", "--departments", "billing"], "name"),
    ],
)
def test_create_api_key_rejects_bad_input(billing, args, message):
    with pytest.raises(CommandError, match=message):
        _run("create_api_key", *args)
    assert not IntegrationKey.objects.exists()

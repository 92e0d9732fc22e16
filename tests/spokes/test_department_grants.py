"""A page's department permissions (``department_ids_for`` with the request's memo) are
guardian's answer (``departments_for``), read with one statement for every permission."""

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from spokes.selectors import department_ids_for, departments_for, memoise_permissions
from tests.factories import DepartmentFactory, UserFactory

PERMS = ("view_queue", "work_queue", "lead_queue")


def _memoised(user):
    memoise_permissions(user)
    return {perm: department_ids_for(user, perm) for perm in PERMS}


def _guardian(user):
    return {
        perm: frozenset(departments_for(user, perm).values_list("pk", flat=True)) for perm in PERMS
    }


@pytest.fixture
def cast(db, agent, lead, other_agent, comms, admin_user, outsider, billing, support):
    stores = DepartmentFactory(slug="stores", name="Stores")
    night = Group.objects.create(name="night shift")
    assign_perm("spokes.view_queue", night, stores)
    assign_perm("spokes.work_queue", night, stores)
    assign_perm("spokes.lead_queue", night, billing)
    by_group = UserFactory(username="by_group")
    by_group.groups.add(night)
    other_agent.groups.add(night)  # a user grant and group grants together
    assign_perm("spokes.view_queue", agent, billing)  # the same grant twice
    gone = UserFactory(username="gone", is_active=False)
    assign_perm("spokes.view_queue", gone, billing)
    comms_in_group = UserFactory(username="comms2", org_role="comms")
    comms_in_group.groups.add(night)
    people = [agent, lead, other_agent, comms, admin_user, outsider, by_group, gone]
    return {"people": [*people, comms_in_group], "stores": stores, "billing": billing}


def test_every_role_gets_guardians_answer(cast):
    for user in cast["people"]:
        assert _memoised(user) == _guardian(user), user.username


def test_group_grants_count(cast):
    by_group = next(u for u in cast["people"] if u.username == "by_group")
    grants = _memoised(by_group)
    assert grants["view_queue"] == {cast["stores"].pk}
    assert grants["work_queue"] == {cast["stores"].pk}
    assert grants["lead_queue"] == {cast["billing"].pk}
    gone = next(u for u in cast["people"] if u.username == "gone")
    assert _memoised(gone) == dict.fromkeys(PERMS, frozenset())


def test_one_statement_for_all_of_a_pages_checks(cast, django_assert_num_queries):
    agent = cast["people"][0]
    memoise_permissions(agent)
    with django_assert_num_queries(1):
        for perm in (*PERMS, "view_queue", "work_queue"):
            department_ids_for(agent, perm)

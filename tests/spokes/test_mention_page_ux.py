"""The mention page offers only the actions that make sense now, and the service accepts each.

Given a mention in some status and a viewer, when the page renders, then its Actions card
holds exactly the buttons ``spokes.rules.mention_actions`` allows; every one of them, posted,
is accepted; and a viewer who may only read sees none.
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from guardian.shortcuts import assign_perm

from core.errors import DomainError
from spokes import rules, services
from spokes.models import Activity, Status
from tests.factories import MentionFactory

STATUS_BUTTONS = {"assign_me", "watch", "take_offline", "resolve", "spam", "reopen"}
_ACTION = re.compile(r'name="action" value="([a-z_]+)"')


def _actions_card(client, mention) -> str:
    html = client.get(reverse("spokes:mention", args=[mention.pk])).content.decode()
    start = html.index('aria-label="Actions"')
    return html[start : html.index("</aside>", start)]


def _buttons(client, mention) -> set[str]:
    return set(_ACTION.findall(_actions_card(client, mention)))


@pytest.mark.parametrize(
    ("status", "mine", "expected"),
    [
        (Status.NEW, False, {"assign_me", "watch", "take_offline", "resolve", "spam"}),
        (Status.ASSIGNED, True, {"watch", "take_offline", "resolve", "spam"}),
        (Status.WATCHING, True, {"take_offline", "resolve", "spam"}),
        (Status.AWAITING_APPROVAL, True, set()),
        (Status.REPLIED, True, {"take_offline", "resolve", "reopen"}),
        (Status.RESOLVED, True, {"reopen"}),
        (Status.SPAM, False, {"reopen"}),
    ],
)
def test_an_agent_sees_only_the_status_actions_its_status_allows(
    client, agent, billing, status, mine, expected
):
    mention = MentionFactory(department=billing, status=status, assignee=agent if mine else None)
    client.force_login(agent)
    buttons = _buttons(client, mention)
    assert buttons & STATUS_BUTTONS == expected
    assert {"priority", "tag"} <= buttons  # what any status allows
    assert not buttons & {"assign", "transfer"}  # a lead's


def test_a_mention_with_no_status_change_left_says_so(client, agent, billing):
    mention = MentionFactory(department=billing, status=Status.AWAITING_APPROVAL, assignee=agent)
    client.force_login(agent)
    assert "No status change while it is awaiting approval." in _actions_card(client, mention)


def test_assign_to_me_is_not_offered_on_a_mention_already_mine(client, agent, billing):
    mention = MentionFactory(department=billing, status=Status.ASSIGNED, assignee=agent)
    client.force_login(agent)
    card = _actions_card(client, mention)
    assert "Assign to me" not in card
    assert 'data-shortcut="a"' not in card


def test_an_agent_is_not_offered_a_colleagues_mention_but_a_lead_is(client, agent, lead, billing):
    mention = MentionFactory(department=billing, status=Status.ASSIGNED, assignee=agent)
    client.force_login(lead)
    assert {"assign_me", "assign", "transfer"} <= _buttons(client, mention)
    mention.assignee = lead
    mention.save(update_fields=["assignee"])
    client.force_login(agent)
    assert "assign_me" not in _buttons(client, mention)


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.SPAM, Status.AWAITING_APPROVAL])
def test_a_lead_is_not_offered_to_assign_or_transfer_a_closed_mention(
    client, lead, billing, status
):
    mention = MentionFactory(department=billing, status=status)
    client.force_login(lead)
    buttons = _buttons(client, mention)
    assert not buttons & {"assign", "transfer", "assign_me"}
    assert 'id="transfer-reason"' not in _actions_card(client, mention)


def test_the_resolve_shortcut_asks_first(client, agent, mention):
    client.force_login(agent)
    card = _actions_card(client, mention)
    assert re.search(
        r'value="resolve" data-shortcut="e" data-confirm="Resolve mention #\d+\?"', card
    )


@pytest.mark.parametrize("viewer", ["comms", "shared_with"])
def test_a_viewer_who_may_only_read_sees_no_action_buttons(
    request, client, billing, other_agent, viewer
):
    mention = MentionFactory(department=billing)
    if viewer == "shared_with":  # an incident team member from another department
        user = other_agent
        assign_perm("spokes.view_mention", user, mention)
    else:
        user = request.getfixturevalue(viewer)
    client.force_login(user)
    card = _actions_card(client, mention)
    assert _ACTION.findall(card) == []
    assert "<button" not in card
    assert "Read-only for you" in card
    assert rules.mention_actions(user, mention) == frozenset()


_FORM_DATA = {
    "assign": lambda: {"assignee": "agent"},
    "transfer": lambda: {"department": "support", "reason": "Their product."},
    "priority": lambda: {"priority": "3"},
    "tag": lambda: {"tags": "refund"},
}


@pytest.mark.parametrize("viewer", ["agent", "lead"])
@pytest.mark.parametrize(
    ("status", "mine"),
    [
        (Status.NEW, False),
        (Status.ASSIGNED, True),
        (Status.ASSIGNED, False),
        (Status.WATCHING, True),
        (Status.AWAITING_APPROVAL, True),
        (Status.REPLIED, True),
        (Status.TAKEN_OFFLINE, True),
        (Status.TRANSFERRED, False),
        (Status.RESOLVED, True),
        (Status.SPAM, False),
    ],
)
def test_every_rendered_action_is_accepted(
    request, client, agent, billing, support, viewer, status, mine
):
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    owner = user if mine else (agent if viewer == "lead" and status == Status.ASSIGNED else None)
    buttons = _buttons(client, _fresh(billing, status, owner))
    assert buttons, "a worker always has some action"
    for action in sorted(buttons):
        mention = _fresh(billing, status, owner)  # each action on its own copy of the mention
        response = client.post(
            reverse("spokes:action", args=[mention.pk]),
            {"action": action, **_FORM_DATA.get(action, dict)()},
        )
        errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        assert response.status_code == 302
        assert errors == [], f"{action} on a {status} mention was refused: {errors}"
        assert Activity.objects.filter(mention=mention).exists(), action


def _fresh(billing, status, owner):
    return MentionFactory(department=billing, status=status, assignee=owner)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", sorted(rules.STATUS_ACTIONS))
def test_the_rules_and_the_service_agree_on_every_status_change(agent, billing, status, action):
    mention = MentionFactory(department=billing, status=status)
    offered = action in rules.mention_actions(agent, mention)
    try:
        services.mention_change_status(actor=agent, mention_id=mention.pk, action=action)
    except DomainError:
        accepted = False
    else:
        accepted = True
    assert offered == accepted


def test_the_assignee_may_hand_their_mention_back(client, agent, billing):
    """An agent can take a mention but could not give it back (only a lead could unassign):
    the owner now sees "Hand back", and the mention is New and nobody's again."""
    mention = MentionFactory(department=billing, status=Status.ASSIGNED, assignee=agent)
    other = MentionFactory(department=billing, status=Status.NEW)
    client.force_login(agent)
    assert "hand_back" in _buttons(client, mention)
    assert "hand_back" not in _buttons(client, other)
    response = client.post(reverse("spokes:action", args=[mention.pk]), {"action": "hand_back"})
    assert response.status_code == 302
    mention.refresh_from_db()
    assert (mention.status, mention.assignee_id) == (Status.NEW, None)
    assert "hand_back" not in _buttons(client, mention)

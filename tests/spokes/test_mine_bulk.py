"""Bulk actions on "Mine": resolve, watch, mark spam, reopen, tag or hand back several of my
mentions at once, across my departments, each checked on its own; then "Mine" as filtered."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from spokes import services
from spokes.models import Activity, Mention, Status
from tests.factories import MentionFactory, UserFactory

MINE = reverse("spokes:mine")
BULK = "/mine/bulk/"  # spokes:mine_bulk


def _assigned(department, user, n=1, **kwargs):
    return MentionFactory.create_batch(
        n, department=department, assignee=user, status=Status.ASSIGNED, **kwargs
    )


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _post(client, ids, action, **extra):
    return client.post(BULK, {"ids": [str(i) for i in ids], "action": action, **extra})


def _state(mention):
    fresh = Mention.objects.get(pk=mention.pk)
    return fresh.status, fresh.assignee_id, fresh.updated_at


# --- doing -----------------------------------------------------------------------------------
def test_it_resolves_several_of_my_mentions_across_my_departments(client, agent, billing, support):
    services.membership_set(actor=None, user=agent, department=support, role="agent")
    first, second = _assigned(billing, agent, 2)
    theirs = _assigned(support, agent)[0]
    client.force_login(agent)

    response = _post(client, [first.pk, theirs.pk], "resolve")

    assert response.status_code == 302 and response["Location"] == MINE
    assert _messages(response) == [("success", "2 mention(s) updated.")]
    statuses = dict(Mention.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: Status.RESOLVED,
        theirs.pk: Status.RESOLVED,
        second.pk: Status.ASSIGNED,
    }
    rows = Activity.objects.filter(verb="status_changed").order_by("mention_id")
    assert [(r.mention_id, r.actor, r.data) for r in rows] == [
        (m.pk, agent, {"from": "assigned", "to": "resolved"}) for m in (first, theirs)
    ]


def test_hand_back_makes_them_new_and_unassigned(client, lead, billing):
    handed, kept = _assigned(billing, lead, 2)
    watched = _assigned(billing, lead)[0]
    services.mention_change_status(actor=lead, mention_id=watched.pk, action="watch")
    client.force_login(lead)

    response = _post(client, [handed.pk, watched.pk], "handback")

    assert _messages(response) == [("success", "2 mention(s) updated.")]
    assert _state(handed)[:2] == (Status.NEW, None)
    assert _state(watched)[:2] == (Status.WATCHING, None)  # still watched, by nobody
    assert _state(kept)[:2] == (Status.ASSIGNED, lead.pk)
    activity = Activity.objects.get(mention=handed, verb="assigned")
    assert (activity.actor, activity.data["from"], activity.data["to"]) == (lead, lead.pk, None)


def test_add_tag_tags_each_selected_mention(client, agent, billing):
    first, second = _assigned(billing, agent, 2)
    client.force_login(agent)
    response = _post(client, [first.pk, second.pk], "tag", tags="refund")
    assert _messages(response) == [("success", "2 mention(s) updated.")]
    for mention in (first, second):
        assert list(mention.tags.values_list("name", flat=True)) == ["refund"]


def test_it_goes_back_to_mine_as_it_was_filtered_and_never_off_site(client, agent, billing):
    first, second = _assigned(billing, agent, 2)
    client.force_login(agent)
    response = _post(client, [first.pk], "watch", next=f"{MINE}?status=all&sort=oldest")
    assert response["Location"] == f"{MINE}?status=all&sort=oldest"
    response = _post(client, [second.pk], "watch", next="https://evil.example/mine/")
    assert response["Location"] == MINE


# --- one by one ------------------------------------------------------------------------------
def test_a_mention_i_cannot_see_fails_alone_as_one_that_does_not_exist(
    client, agent, other_agent, billing, support
):
    first, second = _assigned(billing, agent, 2)
    hidden = _assigned(support, other_agent, text="SUPPORT-SECRET complaint")[0]
    before = _state(hidden)
    client.force_login(agent)

    response = _post(client, [first.pk, hidden.pk, second.pk, 999_999], "resolve")

    assert response["Location"] == MINE
    assert _messages(response) == [
        ("success", "2 mention(s) updated."),
        ("error", f"#{hidden.pk}: No such mention."),  # as the missing one: nothing told
        ("error", "#999999: No such mention."),
    ]
    assert _state(first)[0] == _state(second)[0] == Status.RESOLVED
    assert _state(hidden) == before
    assert not Activity.objects.filter(mention=hidden).exists()
    page = client.get(MINE).content.decode()  # the messages shown next
    assert f"#{hidden.pk}: No such mention." in page
    assert "SUPPORT-SECRET" not in page and "Support" not in page


def test_a_mention_of_a_department_i_no_longer_work_fails_alone_with_its_reason(
    client, billing, support
):
    """Central comms reads every queue and works only its own memberships' ones: a mention
    still assigned to it from a department it has left stays on its page, not its to work."""
    comms_agent = UserFactory(username="comms_agent", org_role="comms")
    for department in (billing, support):
        services.membership_set(actor=None, user=comms_agent, department=department, role="agent")
    left = _assigned(support, comms_agent)[0]
    kept = _assigned(billing, comms_agent)[0]
    services.membership_revoke(actor=None, user=comms_agent, department=support)
    client.force_login(comms_agent)
    assert f'value="{left.pk}"' in client.get(MINE).content.decode()  # still listed

    response = _post(client, [left.pk, kept.pk], "spam")

    assert _messages(response) == [
        ("success", "1 mention(s) updated."),
        ("error", f"#{left.pk}: You cannot work this department's mentions."),
    ]
    assert _state(left)[0] == Status.ASSIGNED
    assert _state(kept)[0] == Status.SPAM


def test_an_agent_hands_back_their_own_but_not_a_colleagues(client, agent, billing):
    """An agent may hand back what is theirs (``spokes.rules.may_assign``); a colleague's
    mention, forged into the request, is refused alone and left as it was."""
    mine = _assigned(billing, agent)[0]
    colleague = UserFactory(username="colleague")
    services.membership_set(actor=None, user=colleague, department=billing, role="agent")
    theirs = _assigned(billing, colleague)[0]
    before = _state(theirs)
    client.force_login(agent)
    response = _post(client, [mine.pk, theirs.pk], "handback")
    assert _messages(response) == [
        ("success", "1 mention(s) updated."),
        ("error", f"#{theirs.pk}: Only a department lead can assign others or reassign."),
    ]
    assert _state(mine)[0] == Status.NEW
    assert _state(theirs) == before


# --- refused as a whole ----------------------------------------------------------------------
@pytest.mark.parametrize("action", ["explode", "", "assign", "take_offline"])
def test_an_action_the_page_does_not_offer_is_an_error_message_not_a_500(
    client, agent, billing, action
):
    """The queue's "assign" (to whom?) and the mention page's "take_offline" are not here."""
    mention = _assigned(billing, agent)[0]
    before = _state(mention)
    client.force_login(agent)
    response = _post(client, [mention.pk], action, assignee="lead")
    assert response.status_code == 302 and response["Location"] == MINE
    assert _messages(response) == [("error", f"Action: Unknown bulk action '{action}'.")]
    assert _state(mention) == before


@pytest.mark.parametrize("ids", [[], ["", "abc", "²", "9" * 30]])
def test_an_empty_selection_is_an_error_message(client, agent, billing, ids):
    client.force_login(agent)
    response = client.post(BULK, {"ids": ids, "action": "resolve"})
    assert response.status_code == 302 and response["Location"] == MINE
    assert _messages(response) == [("error", "Selection: Select at least one mention.")]


def test_an_anonymous_post_is_sent_to_log_in_and_changes_nothing(client, agent, billing):
    mention = _assigned(billing, agent)[0]
    before = _state(mention)
    response = _post(client, [mention.pk], "resolve")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert _state(mention) == before


def test_a_get_is_not_allowed(client, agent, billing):
    client.force_login(agent)
    assert client.get(BULK).status_code == 405


# --- the page --------------------------------------------------------------------------------
def _boxes(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="ids" value="(\d+)" form="bulk-form"', html)]


def test_mine_shows_the_bulk_form_and_a_box_per_row_to_whoever_works_a_queue(
    client, agent, comms, billing
):
    mentions = _assigned(billing, agent, 2)
    client.force_login(agent)
    html = client.get(f"{MINE}?sort=oldest").content.decode()
    assert f'action="{BULK}" id="bulk-form"' in html
    assert f'name="next" value="{MINE}?sort=oldest"' in html
    assert 'id="select-all"' in html and 'id="bulk-apply"' in html and 'id="bulk-count"' in html
    assert sorted(_boxes(html)) == sorted(m.pk for m in mentions)
    offered = re.findall(r'<option value="(\w+)">', html.split('id="bulk-action"')[1])
    assert offered == ["resolve", "watch", "spam", "reopen", "tag", "handback"]
    assert "<kbd>x</kbd> select" in html

    client.force_login(comms)  # reads every queue, works none
    html = client.get(MINE).content.decode()
    assert 'id="bulk-form"' not in html and 'id="select-all"' not in html


def test_a_live_refresh_of_mine_keeps_the_boxes(client, agent, billing):
    """The page checks again the rows still selected after a refresh (static/js/app.js): the
    refreshed rows must carry their boxes, as a queue's do."""
    mention = _assigned(billing, agent)[0]
    client.force_login(agent)
    response = client.get(f"{MINE}?partial=1", HTTP_HX_REQUEST="true")
    assert _boxes(response.content.decode()) == [mention.pk]


# Session, user, the rows, every department permission at once (the header's and the bulk
# form's), the rows' tags, the header's departments, the unread notifications: as before the
# bulk form (measured).
MINE_QUERIES = 7


def test_the_bulk_form_costs_mine_no_query(client, agent, billing, django_assert_num_queries):
    _assigned(billing, agent, 3)
    client.force_login(agent)
    client.get(MINE)  # warm the session
    with django_assert_num_queries(MINE_QUERIES) as captured:
        html = client.get(MINE).content.decode()
    assert 'id="bulk-form"' in html
    sqls = [q["sql"].lower() for q in captured.captured_queries]
    assert sum(sql.startswith("select g.content_object_id") for sql in sqls) == 1, sqls

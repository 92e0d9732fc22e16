"""The "Mine" page's socket: every change to a mention that is or was assigned to the viewer
reaches it, and nothing from a department they cannot see.

``{"action": "subscribe", "kind": "mine"}`` joins the groups of the departments the viewer
works (where a mention can be assigned to them) and of the mentions already theirs elsewhere.
"""

import pytest
from asgiref.sync import sync_to_async
from guardian.shortcuts import assign_perm

from spokes import services
from tests.factories import MentionFactory
from tests.live import connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

MINE = {"action": "subscribe", "kind": "mine", "key": ""}


async def _on_mine(user):
    communicator, connected, _ = await connect(user)
    assert connected
    await communicator.send_json_to(MINE)
    assert await communicator.receive_json_from(timeout=3) == {
        "type": "subscribed",
        "kind": "mine",
        "key": "",
    }
    return communicator


async def _unsubscribe(communicator, kind: str, key: str) -> None:
    await communicator.send_json_to({"action": "unsubscribe", "kind": kind, "key": key})
    await communicator.send_json_to({"action": "ping"})  # answered once the above is done
    assert await communicator.receive_json_from(timeout=3) == {"type": "pong"}


async def _event(communicator) -> dict:
    event = await communicator.receive_json_from(timeout=3)
    assert event["type"] == "event", event
    return event


async def test_a_mention_newly_assigned_to_me_reaches_my_page(agent, lead, mention):
    socket = await _on_mine(agent)

    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=agent)

    event = await _event(socket)
    assert event["event"] == "mention.assigned"
    assert event["id"] == mention.pk and event["assignee_id"] == agent.pk
    await socket.disconnect()


async def test_a_mention_reassigned_away_from_me_reaches_my_page(agent, lead, mention):
    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=agent)
    socket = await _on_mine(agent)

    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=lead)

    event = await _event(socket)
    assert event["event"] == "mention.assigned"
    assert event["id"] == mention.pk and event["assignee_id"] == lead.pk
    await socket.disconnect()


async def test_my_mention_resolved_by_a_colleague_reaches_my_page(agent, lead, mention):
    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=agent)
    socket = await _on_mine(agent)

    await sync_to_async(services.mention_change_status)(
        actor=lead, mention_id=mention.pk, action="resolve"
    )

    event = await _event(socket)
    assert event["event"] == "mention.status_changed" and event["id"] == mention.pk
    await socket.disconnect()


async def test_an_agent_of_another_department_hears_nothing_of_this_one(
    agent, lead, other_agent, other_lead, mention, foreign_mention
):
    theirs = await _on_mine(other_agent)
    ours = await _on_mine(agent)

    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=agent)
    await sync_to_async(services.mention_change_status)(
        actor=lead, mention_id=mention.pk, action="resolve"
    )

    assert (await _event(ours))["event"] == "mention.assigned"
    assert (await _event(ours))["event"] == "mention.status_changed"
    assert await theirs.receive_nothing(timeout=0.3)
    # and the other way round: support's own changes reach support's agent only
    await sync_to_async(services.mention_assign)(
        actor=other_lead, mention_id=foreign_mention.pk, assignee=other_agent
    )
    assert (await _event(theirs))["id"] == foreign_mention.pk
    assert await ours.receive_nothing(timeout=0.3)
    await theirs.disconnect()
    await ours.disconnect()


async def test_central_comms_who_work_no_queue_hear_no_queue_on_their_page(
    comms, agent, lead, mention
):
    """Comms see every queue but nothing can be assigned to them there: their own list does
    not refetch at every change in the organisation."""
    socket = await _on_mine(comms)

    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=agent)

    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_mention_still_mine_in_a_department_i_left_is_followed_alone(
    agent, lead, billing, mention
):
    """Shared with its former assignee after they left billing: that mention's changes reach
    their page, the rest of billing's do not."""
    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=agent)
    await sync_to_async(services.membership_revoke)(actor=None, user=agent, department=billing)
    await sync_to_async(assign_perm)("spokes.view_mention", agent, mention)
    elsewhere = await sync_to_async(MentionFactory)(department=billing)
    socket = await _on_mine(agent)

    await sync_to_async(services.mention_assign)(actor=lead, mention_id=elsewhere.pk, assignee=lead)
    await sync_to_async(services.mention_change_status)(
        actor=lead, mention_id=mention.pk, action="resolve"
    )

    event = await _event(socket)
    assert event["event"] == "mention.status_changed" and event["id"] == mention.pk
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_unsubscribing_mine_keeps_the_department_queue_subscribed_on_the_same_socket(
    agent, lead, mention
):
    socket = await _on_mine(agent)
    await socket.send_json_to({"action": "subscribe", "kind": "department", "key": "billing"})
    assert (await socket.receive_json_from(timeout=3))["type"] == "subscribed"

    await _unsubscribe(socket, "mine", "")
    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=agent)

    assert (await _event(socket))["event"] == "mention.assigned"  # once, for the queue
    assert await socket.receive_nothing(timeout=0.3)
    await _unsubscribe(socket, "department", "billing")
    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=lead)
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_a_revoked_member_s_page_is_cut_off_and_hears_nothing_after(
    agent, lead, billing, mention
):
    socket = await _on_mine(agent)

    await sync_to_async(services.membership_revoke)(actor=None, user=agent, department=billing)

    output = await socket.receive_output(timeout=3)
    if output["type"] == "websocket.send":  # the revocation's own event may come first
        assert '"membership.revoked"' in output["text"], output
        output = await socket.receive_output(timeout=3)
    assert output == {"type": "websocket.close", "code": 4003}
    again = await _on_mine(agent)  # the browser reconnects: still a user, with no department
    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=lead)
    assert await again.receive_nothing(timeout=0.3)
    await again.disconnect()


async def test_a_new_department_reaches_an_open_page_of_mine(agent, admin_user, support):
    """Added to a second department during a crisis: the open page reconnects and hears it,
    without a reload."""
    socket = await _on_mine(agent)

    await sync_to_async(services.membership_set)(
        actor=None, user=agent, department=support, role="agent"
    )

    assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4003}
    again = await _on_mine(agent)  # the browser reconnects
    other = await sync_to_async(MentionFactory)(department=support)
    await sync_to_async(services.mention_assign)(
        actor=admin_user, mention_id=other.pk, assignee=agent
    )
    event = await _event(again)
    assert event["event"] == "mention.assigned" and event["id"] == other.pk
    await again.disconnect()


async def test_setting_the_same_role_again_leaves_open_pages_alone(agent, billing):
    socket = await _on_mine(agent)
    await sync_to_async(services.membership_set)(
        actor=None, user=agent, department=billing, role="agent"
    )
    output = await socket.receive_output(timeout=3)
    assert output["type"] == "websocket.send" and '"membership.changed"' in output["text"]
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()

"""Open websockets lose access at once: a revoked membership, a deactivated account, a new role.

The server closes the user's sockets (code 4003) on commit; the browser reconnects, and every
subscription then goes through the permission checks again."""

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth.models import update_last_login

from spokes import services
from tests.live import connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

DEPARTMENT = {"action": "subscribe", "kind": "department", "key": "billing"}


async def _subscribed(user):
    communicator, connected, _ = await connect(user)
    assert connected
    await communicator.send_json_to(DEPARTMENT)
    assert (await communicator.receive_json_from(timeout=3))["type"] == "subscribed"
    return communicator


async def _closed_with(communicator) -> int:
    """The close code; at most the one event announcing the change may come first."""
    output = await communicator.receive_output(timeout=3)
    if output["type"] == "websocket.send":
        assert '"membership.revoked"' in output["text"], output
        output = await communicator.receive_output(timeout=3)
    assert output["type"] == "websocket.close", output
    return output["code"]


async def test_a_revoked_member_is_cut_off_at_once_and_cannot_subscribe_again(
    agent, lead, billing, mention
):
    gone, kept = await _subscribed(agent), await _subscribed(lead)

    await sync_to_async(services.membership_revoke)(actor=None, user=agent, department=billing)

    assert await _closed_with(gone) == 4003
    # the colleague's socket stays, and hears about the change
    assert (await kept.receive_json_from(timeout=3))["event"] == "membership.revoked"
    again, connected, _ = await connect(agent)
    assert connected  # still a user of the helpdesk, with no department
    await again.send_json_to(DEPARTMENT)
    assert await again.receive_json_from(timeout=3) == {
        "type": "error",
        "error": "not_found",
        "kind": "department",
    }
    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=lead)
    assert (await kept.receive_json_from(timeout=3))["event"] == "mention.assigned"
    assert await again.receive_nothing(timeout=0.3)
    await again.disconnect()
    await kept.disconnect()


async def test_a_deactivated_user_is_cut_off_at_once_and_cannot_reconnect(agent):
    communicator = await _subscribed(agent)

    agent.is_active = False
    await sync_to_async(agent.save)()

    assert await _closed_with(communicator) == 4003
    again, connected, code = await connect(agent)
    assert not connected or code == 4401
    await again.disconnect()


async def test_a_demoted_comms_user_loses_the_hub_socket(comms):
    communicator, connected, _ = await connect(comms)
    assert connected
    await communicator.send_json_to({"action": "subscribe", "kind": "hub", "key": ""})
    assert (await communicator.receive_json_from(timeout=3))["type"] == "subscribed"

    comms.org_role = "member"
    await sync_to_async(comms.save)()

    assert await _closed_with(communicator) == 4003
    await communicator.disconnect()


async def test_a_login_elsewhere_or_a_name_change_leaves_the_socket_open(agent, lead, mention):
    communicator = await _subscribed(agent)

    await sync_to_async(update_last_login)(None, agent)
    agent.first_name = "Renamed"
    await sync_to_async(agent.save)()

    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=lead)
    assert (await communicator.receive_json_from(timeout=3))["event"] == "mention.assigned"
    await communicator.disconnect()

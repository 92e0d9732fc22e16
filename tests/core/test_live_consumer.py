"""The websocket: session auth, origin check, subscriptions only after a permission check."""

import pytest
from asgiref.sync import sync_to_async

from spokes import services
from tests.live import connect as _connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_anonymous_sockets_are_closed(db):
    communicator, connected, code = await _connect(None)
    assert not connected or code == 4401
    await communicator.disconnect()


async def test_a_foreign_origin_is_refused(agent):
    communicator, connected, _ = await _connect(agent, origin=b"http://evil.example")
    assert not connected
    await communicator.disconnect()


async def test_agent_gets_events_of_their_department_live(agent, lead, mention):
    communicator, connected, _ = await _connect(agent)
    assert connected
    await communicator.send_json_to({"action": "subscribe", "kind": "department", "key": "billing"})
    assert await communicator.receive_json_from() == {
        "type": "subscribed",
        "kind": "department",
        "key": "billing",
    }
    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=lead)
    event = await communicator.receive_json_from(timeout=3)
    assert event["event"] == "mention.assigned"
    assert event["id"] == mention.pk and event["assignee_id"] == lead.pk
    await communicator.disconnect()


async def test_another_departments_queue_or_mention_cannot_be_subscribed(
    other_agent, mention, billing
):
    communicator, connected, _ = await _connect(other_agent)
    assert connected
    for kind, key in (("department", "billing"), ("mention", mention.pk), ("hub", "")):
        await communicator.send_json_to({"action": "subscribe", "kind": kind, "key": key})
        assert await communicator.receive_json_from() == {
            "type": "error",
            "error": "not_found",
            "kind": kind,
        }
    await communicator.disconnect()


async def test_an_at_mention_in_a_note_reaches_the_colleague(agent, lead, mention):
    communicator, connected, _ = await _connect(lead)
    assert connected
    await sync_to_async(services.mention_add_note)(
        actor=agent, mention_id=mention.pk, body="@lead can you approve a refund here?"
    )
    event = await communicator.receive_json_from(timeout=3)
    assert event["event"] == "notification.created"
    assert "mentioned you" in event["text"]
    await communicator.disconnect()

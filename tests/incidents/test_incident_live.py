"""The websocket side of incidents: who may subscribe, what arrives when, who is here."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction

from incidents import services
from tests.live import connect as _connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _subscribe(communicator, kind, key):
    await communicator.send_json_to({"action": "subscribe", "kind": kind, "key": key})
    return await communicator.receive_json_from(timeout=3)


async def _next_event(communicator, name, timeout=3):
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message.get("event") == name:
            return message


async def test_an_anonymous_socket_cannot_subscribe_to_an_incident(incident):
    communicator, connected, code = await _connect(None)
    assert not connected or code == 4401
    await communicator.disconnect()


async def test_a_department_member_receives_the_incidents_events(incident, agent, comms):
    communicator, connected, _ = await _connect(agent)
    assert connected
    assert await _subscribe(communicator, "incident", incident.pk) == {
        "type": "subscribed",
        "kind": "incident",
        "key": incident.pk,
    }
    await sync_to_async(services.incident_add_fact)(
        actor=comms, incident_id=incident.pk, text="Bank confirms"
    )
    event = await _next_event(communicator, "incident.fact_added")
    assert event["id"] == incident.pk and event["panels"] == ["facts"]
    await communicator.disconnect()


async def test_a_forged_subscription_to_someone_elses_incident_is_refused_and_silent(
    incident, other_agent, comms
):
    communicator, connected, _ = await _connect(other_agent)
    assert connected
    for key in (incident.pk, "abc", 10**9):
        assert await _subscribe(communicator, "incident", key) == {
            "type": "error",
            "error": "not_found",
            "kind": "incident",
        }
    await sync_to_async(services.incident_add_fact)(
        actor=comms, incident_id=incident.pk, text="secret"
    )
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_team_member_from_another_department_may_subscribe(incident, other_agent, comms):
    await sync_to_async(services.incident_add_member)(
        actor=comms, incident_id=incident.pk, user=other_agent, role="Ops"
    )
    communicator, _, _ = await _connect(other_agent)
    assert (await _subscribe(communicator, "incident", incident.pk))["type"] == "subscribed"
    await communicator.disconnect()


async def test_a_member_taken_off_the_team_loses_the_open_incident_socket(
    incident, other_agent, comms
):
    await sync_to_async(services.incident_add_member)(
        actor=comms, incident_id=incident.pk, user=other_agent, role="Ops"
    )
    communicator, _, _ = await _connect(other_agent)
    assert (await _subscribe(communicator, "incident", incident.pk))["type"] == "subscribed"

    await sync_to_async(services.incident_remove_member)(
        actor=comms, incident_id=incident.pk, user=other_agent
    )

    while (output := await communicator.receive_output(timeout=3))["type"] == "websocket.send":
        pass  # presence and the team panel's event may come first
    assert output == {"type": "websocket.close", "code": 4003}
    again, _, _ = await _connect(other_agent)
    assert (await _subscribe(again, "incident", incident.pk))["type"] == "error"
    await again.disconnect()


async def test_events_leave_only_after_commit_and_never_for_a_rollback(incident, agent, comms):
    communicator, _, _ = await _connect(agent)
    await _subscribe(communicator, "incident", incident.pk)
    await communicator.receive_json_from(timeout=3)  # own presence

    def change_then_roll_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            services.incident_add_fact(actor=comms, incident_id=incident.pk, text="wrong")
            raise RuntimeError("abort")

    def change_and_look_before_commit():
        with transaction.atomic():
            services.incident_add_fact(actor=comms, incident_id=incident.pk, text="right")
            assert async_to_sync(communicator.receive_nothing)(timeout=0.3)

    await sync_to_async(change_then_roll_back)()
    assert await communicator.receive_nothing(timeout=0.3)
    await sync_to_async(change_and_look_before_commit)()
    event = await _next_event(communicator, "incident.fact_added")
    assert event["fact_id"]
    await communicator.disconnect()


async def test_presence_shows_who_joins_and_leaves(incident, agent, lead):
    first, _, _ = await _connect(agent)
    await _subscribe(first, "incident", incident.pk)
    alone = await _next_event(first, "presence.changed")
    assert [v["user_id"] for v in alone["viewers"]] == [agent.pk]
    assert alone["kind"] == "incident" and alone["key"] == str(incident.pk)

    second, _, _ = await _connect(lead)
    await _subscribe(second, "incident", incident.pk)
    together = await _next_event(first, "presence.changed")
    assert {v["user_id"] for v in together["viewers"]} == {agent.pk, lead.pk}

    await second.disconnect()
    left = await _next_event(first, "presence.changed")
    assert [v["user_id"] for v in left["viewers"]] == [agent.pk]
    await first.disconnect()


async def test_replying_on_a_mention_is_shown_to_the_others_on_it(agent, lead, mention):
    first, _, _ = await _connect(agent)
    await _subscribe(first, "mention", mention.pk)
    second, _, _ = await _connect(lead)
    await _subscribe(second, "mention", mention.pk)
    await second.send_json_to({"action": "typing", "kind": "mention", "key": mention.pk})
    while True:
        event = await _next_event(first, "presence.changed")
        typing = {v["user_id"] for v in event["viewers"] if v["typing"]}
        if typing:
            break
    assert typing == {lead.pk} and event["typing_seconds"] > 0
    await first.disconnect()
    await second.disconnect()


async def test_typing_where_one_has_not_subscribed_is_refused(agent, foreign_mention):
    communicator, _, _ = await _connect(agent)
    await communicator.send_json_to(
        {"action": "typing", "kind": "mention", "key": foreign_mention.pk}
    )
    assert await communicator.receive_json_from() == {
        "type": "error",
        "error": "not_subscribed",
        "kind": "mention",
    }
    await communicator.disconnect()


async def _presence_events(communicator, seconds):
    """Every presence announcement ``communicator`` received within ``seconds`` (waiting for
    a message that never comes would stop the consumer: the communicator cancels it)."""
    import asyncio

    await asyncio.sleep(seconds)
    seen = []
    while not communicator.output_queue.empty():
        message = await communicator.receive_json_from()
        if message.get("event") == "presence.changed":
            seen.append(message)
    return seen


async def test_a_crowd_arriving_is_announced_in_a_few_merged_messages(incident, agent):
    """Nine people joining: not nine announcements to each socket, but the first at once and
    then at most one a second, the last with everyone in it."""
    import math
    import time

    from core import events
    from tests.factories import UserFactory

    first, _, _ = await _connect(agent)
    await _subscribe(first, "incident", incident.pk)
    assert (await _next_event(first, "presence.changed"))["count"] == 1

    people = [
        await sync_to_async(UserFactory)(username=f"crowd{n}", org_role="comms") for n in range(9)
    ]
    started = time.monotonic()
    crowd = []
    for person in people:
        tab, _, _ = await _connect(person)
        await _subscribe(tab, "incident", incident.pk)
        crowd.append(tab)
    announced = await _presence_events(first, 2.5)
    seconds = time.monotonic() - started
    counts = [a["count"] for a in announced]
    # the first change at once, then one per PRESENCE_ANNOUNCE_EVERY at most (a slow machine
    # that takes longer to connect them may see a few more, never one per join)
    assert 1 <= len(announced) <= math.ceil(seconds / events.PRESENCE_ANNOUNCE_EVERY) + 1, (
        counts,
        seconds,
    )
    assert len(announced) < len(people), counts
    assert counts[-1] == 10 and len(announced[-1]["viewers"]) == 10
    for tab in crowd:
        await tab.disconnect()
    await first.disconnect()


async def test_the_process_heartbeat_restores_lost_entries(incident, agent, lead, monkeypatch):
    """An entry lost from the shared cache (a racing write, an evicted key) is written back by
    the process's heartbeat, and the others are told."""
    from django.core.cache import cache

    from core import events

    monkeypatch.setattr(events, "PRESENCE_HEARTBEAT", 0.2)
    monkeypatch.setattr(events, "PRESENCE_ANNOUNCE_EVERY", 0.1)
    first, _, _ = await _connect(agent)
    await _subscribe(first, "incident", incident.pk)
    await _next_event(first, "presence.changed")
    second, _, _ = await _connect(lead)
    await _subscribe(second, "incident", incident.pk)
    while (await _next_event(first, "presence.changed"))["count"] < 2:
        pass

    await sync_to_async(cache.delete)(f"presence:incident.{incident.pk}")
    restored = await _next_event(first, "presence.changed")
    assert {v["user_id"] for v in restored["viewers"]} == {agent.pk, lead.pk}
    await second.disconnect()
    await first.disconnect()

"""The live socket's subscriptions across roles: the websocket side of the authorisation matrix.

Every role subscribes to every kind (department, mention, incident, hub) for billing's object,
support's object and one that does not exist. A refused subscription answers exactly like a
missing one ("not_found"), joins no group, and the socket receives none of that group's events.
"""

import pytest
from asgiref.sync import sync_to_async

from tests.live import connect as _connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

YES, NO = "subscribed", "not_found"
# kind -> role -> (billing's, support's); a missing object is always NO
EXPECTED = {
    "department": {
        "agent": (YES, NO), "lead": (YES, NO), "other_agent": (NO, YES),
        "comms": (YES, YES), "admin": (YES, YES), "outsider": (NO, NO),
    },
    "mention": {
        "agent": (YES, NO), "lead": (YES, NO), "other_agent": (NO, YES),
        "comms": (YES, YES), "admin": (YES, YES), "outsider": (NO, NO),
    },
    "incident": {
        "agent": (YES, NO), "lead": (YES, NO), "other_agent": (NO, YES),
        "comms": (YES, YES), "admin": (YES, YES), "outsider": (NO, NO),
    },
    "hub": {  # one hub: the same answer whatever the key
        "agent": (NO, NO), "lead": (NO, NO), "other_agent": (NO, NO),
        "comms": (YES, YES), "admin": (YES, YES), "outsider": (NO, NO),
    },
}  # fmt: skip
ROLES = ["agent", "lead", "other_agent", "comms", "admin", "outsider"]
# keys a client might send instead of a proper one: never a crash, always "not_found"
ODD_KEYS = [None, "", [], {}, ["billing"], {"slug": "billing"}, True, -1, 1.5, 10**30, "1 OR 1=1"]


@pytest.fixture
def targets(billing, support, comms, mention, foreign_mention):
    from incidents import services

    def declare(department):
        return services.incident_declare(
            actor=comms, title=f"{department.name} outage", departments=[department]
        ).pk

    return {
        "department": ("billing", "support", "nowhere"),
        "mention": (mention.pk, foreign_mention.pk, 999_999),
        "incident": (declare(billing), declare(support), 999_999),
        "hub": ("", "approvals", None),  # one hub: no missing one
    }


@pytest.fixture
def cast(agent, lead, other_agent, comms, admin_user, outsider):
    return {
        "agent": agent,
        "lead": lead,
        "other_agent": other_agent,
        "comms": comms,
        "admin": admin_user,
        "outsider": outsider,
    }


async def _subscribe(communicator, kind, key) -> str:
    await communicator.send_json_to({"action": "subscribe", "kind": kind, "key": key})
    answer = await communicator.receive_json_from(timeout=3)
    while answer["type"] == "event":  # presence on the pages subscribed so far
        answer = await communicator.receive_json_from(timeout=3)
    if answer["type"] == "subscribed":
        assert answer == {"type": "subscribed", "kind": kind, "key": key}
        return YES
    assert answer == {"type": "error", "error": "not_found", "kind": kind}
    return NO


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_subscribes_to_exactly_what_it_may_see(cast, targets, role):
    communicator, connected, _ = await _connect(cast[role])
    assert connected
    got, wanted = {}, {}
    for kind, (billing_key, support_key, missing_key) in targets.items():
        got[kind] = (
            await _subscribe(communicator, kind, billing_key),
            await _subscribe(communicator, kind, support_key),
        )
        wanted[kind] = EXPECTED[kind][role]
        if missing_key is not None:
            assert await _subscribe(communicator, kind, missing_key) == NO, kind
    await communicator.disconnect()
    assert got == wanted


async def test_anonymous_sockets_are_closed_before_any_subscription(db):
    communicator, connected, code = await _connect(None)
    assert not connected or code == 4401
    await communicator.disconnect()


async def test_odd_keys_and_kinds_are_refused_without_breaking_the_socket(cast, targets):
    communicator, connected, _ = await _connect(cast["agent"])
    assert connected
    for kind in ("department", "mention", "incident", "hub"):
        for key in ODD_KEYS:
            assert await _subscribe(communicator, kind, key) == NO, (kind, key)
    for kind in ("user", "Department", "", None, ["department"]):
        assert await _subscribe(communicator, kind, "billing") == NO
    await communicator.send_json_to({"action": "ping"})
    assert await communicator.receive_json_from(timeout=3) == {"type": "pong"}
    await communicator.disconnect()


async def test_a_refused_socket_receives_none_of_the_other_departments_events(
    cast, targets, lead, mention
):
    from spokes import services

    outsider_socket, connected, _ = await _connect(cast["other_agent"])
    assert connected
    for kind, index in (("department", 0), ("mention", 0), ("incident", 0)):
        assert await _subscribe(outsider_socket, kind, targets[kind][index]) == NO
    insider_socket, connected, _ = await _connect(cast["agent"])
    assert connected
    assert await _subscribe(insider_socket, "department", "billing") == YES

    await sync_to_async(services.mention_assign)(actor=lead, mention_id=mention.pk, assignee=lead)

    event = await insider_socket.receive_json_from(timeout=3)
    assert event["event"] == "mention.assigned" and event["id"] == mention.pk
    # the refused socket got nothing: not the event, not even presence of the mention page
    assert await outsider_socket.receive_nothing(timeout=0.3)
    await insider_socket.disconnect()
    await outsider_socket.disconnect()


async def test_typing_is_refused_where_the_socket_did_not_subscribe(cast, targets):
    communicator, connected, _ = await _connect(cast["other_agent"])
    assert connected
    await communicator.send_json_to(
        {"action": "typing", "kind": "mention", "key": targets["mention"][0]}
    )
    assert await communicator.receive_json_from(timeout=3) == {
        "type": "error",
        "error": "not_subscribed",
        "kind": "mention",
    }
    await communicator.disconnect()


# Frames a broken or hostile client might send: JSON that is not an object, text that is not
# JSON, a binary frame, numbers Python's JSON reader turns into infinity and NaN, and a NUL
# (which PostgreSQL refuses in a query).
ODD_FRAMES = [
    "[1, 2]",
    '"subscribe"',
    "42",
    "null",
    "{not json",
    b"\x00\x01binary",
    '{"action": "subscribe", "kind": "mention", "key": 1e309}',
    '{"action": "subscribe", "kind": "incident", "key": -1e309}',
    '{"action": "subscribe", "kind": "mention", "key": NaN}',
    '{"action": "subscribe", "kind": "department", "key": "bill\\u0000ing"}',
    '{"action": "unsubscribe", "kind": "department", "key": "bill\\u0000ing"}',
    '{"action": "typing", "kind": "mention", "key": 1e309}',
    '{"action": ["ping"]}',
]


async def test_odd_frames_are_answered_without_breaking_the_socket(cast, targets):
    communicator, connected, _ = await _connect(cast["agent"])
    assert connected
    for frame in ODD_FRAMES:
        if isinstance(frame, bytes):
            await communicator.send_to(bytes_data=frame)
        else:
            await communicator.send_to(text_data=frame)
        if b'"unsubscribe"' not in (
            frame if isinstance(frame, bytes) else frame.encode()
        ):  # an unsubscription is never answered
            answer = await communicator.receive_json_from(timeout=3)
            assert answer["type"] == "error", (frame, answer)
        await communicator.send_json_to({"action": "ping"})
        assert await communicator.receive_json_from(timeout=3) == {"type": "pong"}, frame
    assert await _subscribe(communicator, "department", "billing") == YES
    await communicator.disconnect()

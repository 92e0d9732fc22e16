"""'So many more' live events are merged per group within a short window; others go at once."""

import asyncio
import threading
import time

import pytest

from core import events


class RecordingLayer:
    def __init__(self):
        self.sent = []

    async def group_send(self, group, message):
        self.sent.append((group, message["event"], dict(message["payload"])))


@pytest.fixture
def layer(monkeypatch):
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    recording = RecordingLayer()
    monkeypatch.setattr(events, "_server_loop", loop)
    monkeypatch.setattr(events, "get_channel_layer", lambda: recording)
    yield recording
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def _event(event, **payload):
    return {"type": "live.event", "event": event, "payload": payload}


def test_counts_are_merged_per_group_and_other_events_are_not_held(layer, settings):
    settings.LIVE_COALESCE_SECONDS = 0.2
    for _ in range(3):
        events._send(["dept.1"], _event("mention.received", department_id=1, count=2))
    events._send(["dept.2"], _event("mention.received", department_id=2, count=1))
    events._send(["dept.1"], _event("mention.assigned", id=5))
    assert layer.sent == [("dept.1", "mention.assigned", {"id": 5})]  # at once
    time.sleep(0.5)
    assert sorted(layer.sent[1:]) == [
        ("dept.1", "mention.received", {"department_id": 1, "count": 6}),
        ("dept.2", "mention.received", {"department_id": 2, "count": 1}),
    ]
    events._send(["dept.1"], _event("mention.received", department_id=1, count=1))
    time.sleep(0.4)  # a new window: its own event
    assert layer.sent[-1] == ("dept.1", "mention.received", {"department_id": 1, "count": 1})
    assert len(layer.sent) == 4


def test_with_no_window_every_event_goes_at_once(layer, settings):
    settings.LIVE_COALESCE_SECONDS = 0
    for _ in range(2):
        events._send(["dept.1"], _event("mention.received", department_id=1, count=1))
    assert [payload["count"] for _, _, payload in layer.sent] == [1, 1]

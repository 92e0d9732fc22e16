"""Presence announcements: what one ``presence.changed`` message carries."""

from core import events


def test_an_announcement_names_at_most_thirty_with_those_replying_first():
    entries = {
        f"ch{i}": {"user_id": i, "name": f"Person {i:02d}", "initials": "PP", "seen": 0}
        for i in range(45)
    }
    entries["ch44"]["typing_until"] = 10**12  # person 44 is replying
    message = events.presence_message("incident", 7, events.presence_viewers(entries))
    payload = message["payload"]
    assert payload["count"] == 45
    assert len(payload["viewers"]) == events.PRESENCE_SHOWN == 30
    assert payload["viewers"][0] == {
        "user_id": 44,
        "name": "Person 44",
        "initials": "PP",
        "typing": True,
    }
    assert [v["name"] for v in payload["viewers"][1:3]] == ["Person 00", "Person 01"]

import pytest


@pytest.fixture
def closed(monkeypatch):
    """User ids whose open websockets were told to close (``core.events.access_changed``)."""
    import core.events

    users = []
    real = core.events._send

    def capture(groups, message):
        if message["type"] == "access.changed":
            users.extend(int(g.rsplit(".", 1)[-1]) for g in groups)
            return None
        return real(groups, message)

    monkeypatch.setattr(core.events, "_send", capture)
    return users

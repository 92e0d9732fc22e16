"""Administrators set how replies leave per source: connector, URL (SSRF-guarded), a signing
secret shown once; a paused channel holds its replies (no attempt used up) instead of
rerouting them, and sends them when enabled again."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from accounts.models import AuditEvent
from core.outbox import sweep_pending_work
from core.signing import verify
from replies import services
from replies.models import DeliveryChannel, Reply, ReplyState
from tests.replies.test_reply_delivery import Receiver


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _queued_reply(agent, mention) -> Reply:
    draft = services.reply_draft(actor=agent, mention_id=mention.pk, text="On it!")
    return services.reply_submit(actor=agent, reply_id=draft.pk)


def test_an_administrator_sets_a_webhook_channel_and_sees_its_secret_once(
    admin_user, agent, mention, policy, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the delivery tool of this test is on loopback
    client = _client(admin_user)
    response = client.post(
        "/replies/channels/",
        {"source": "twitter", "connector": "webhook", "url": receiver.url, "active": "1"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    channel = DeliveryChannel.objects.get(source="twitter")
    assert (channel.connector, channel.url, channel.active) == ("webhook", receiver.url, True)
    assert channel.secret.startswith("dlsec_") and channel.secret in response.content.decode()
    assert channel.secret not in client.get("/replies/channels/").content.decode()
    event = AuditEvent.objects.get(action="delivery_channel.set")
    assert event.actor == admin_user and event.data["url"] == receiver.url
    assert channel.secret not in json.dumps(event.data)

    reply = _queued_reply(agent, mention)
    assert services.reply_deliver(reply_id=reply.pk) == "sent"
    [(headers, body)] = receiver.hits
    assert verify(channel.secret, body, headers)


def test_the_secret_changes_only_when_asked(admin_user, settings, receiver):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    _, first = services.delivery_channel_set(
        actor=admin_user, source="twitter", connector="webhook", url=receiver.url
    )
    _, again = services.delivery_channel_set(
        actor=admin_user, source="twitter", connector="webhook", url=receiver.url, active=False
    )
    assert first and again is None
    assert DeliveryChannel.objects.get(source="twitter").secret == first
    _, rotated = services.delivery_channel_set(
        actor=admin_user, source="twitter", connector="webhook", url=receiver.url,
        new_secret=True,
    )  # fmt: skip
    assert rotated and rotated != first
    assert DeliveryChannel.objects.get(source="twitter").secret == rotated


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"connector": "webhook", "url": "http://127.0.0.1:9/hook"}, "url", "non-public"),
        ({"connector": "webhook", "url": "http://169.254.169.254/"}, "url", "non-public"),
        ({"connector": "webhook", "url": "ftp://example.com/x"}, "url", "http and https"),
        ({"connector": "webhook", "url": ""}, "url", "http(s) URL"),
        ({"connector": "fax", "url": ""}, "connector", "Unknown connector"),
        ({"source": "myspace", "connector": "log"}, "source", "Unknown source"),
    ],
)
def test_bad_settings_are_refused_naming_the_field_and_change_nothing(
    admin_user, form, field, message
):
    response = _client(admin_user).post("/replies/channels/", {"source": "twitter", **form})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DeliveryChannel.objects.exists()
    assert not AuditEvent.objects.filter(action="delivery_channel.set").exists()


def test_a_paused_channel_holds_its_replies_and_sends_them_when_enabled(
    admin_user, agent, mention, policy, receiver, settings, published,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    settings.WEBHOOK_ALLOW_PRIVATE = True
    services.delivery_channel_set(
        actor=admin_user, source="twitter", connector="webhook", url=receiver.url, active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = _queued_reply(agent, mention)  # its delivery task runs and finds it paused
    # Found paused again by a retry at its last attempt, and by the sweeper: it still waits.
    assert services.reply_deliver(reply_id=reply.pk, final_attempt=True) == "paused"
    assert sweep_pending_work(older_than=timedelta(0))["delivery"] == 0
    reply.refresh_from_db()
    assert reply.state == ReplyState.QUEUED and reply.attempts == 0 and receiver.hits == []
    assert "Twitter delivery channel is paused" in reply.last_error
    assert list(mention.activities.filter(verb="reply_waiting").values_list("data", flat=True)) == [
        {"reply_id": reply.pk, "reason": reply.last_error}
    ]  # said once, however often it was found waiting
    assert [e for e, _, _ in published].count("reply.waiting") == 1
    page = _client(agent).get(f"/m/{mention.pk}/")
    assert "delivery channel is paused" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_channel_set(
            actor=admin_user, source="twitter", connector="webhook", url=receiver.url
        )
    reply.refresh_from_db()
    assert reply.state == ReplyState.SENT and reply.attempts == 1 and reply.last_error == ""
    assert len(receiver.hits) == 1
    event = AuditEvent.objects.filter(action="delivery_channel.set").latest("id")
    assert event.data["active"] is True and event.data["resumed_replies"] == 1


def test_pausing_a_channel_holds_only_its_own_source(
    admin_user, agent, mention, policy, settings, django_capture_on_commit_callbacks
):
    services.delivery_channel_set(
        actor=admin_user, source="facebook", connector="log", active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        reply = _queued_reply(agent, mention)  # a Twitter mention: no channel, the log
    reply.refresh_from_db()
    assert reply.state == ReplyState.SENT


def test_the_page_lists_every_source_and_what_happens_without_a_channel(admin_user):
    page = _client(admin_user).get("/replies/channels/").content.decode()
    assert "replies are emailed to the sender" in page  # email without a channel
    assert "replies are written to the server log" in page
    assert 'href="/replies/channels/"' in _client(admin_user).get("/api/keys/").content.decode()
    current = '<a href="/api/keys/" aria-current="page">Integrations</a>'
    for path in ("/replies/channels/", "/api/keys/", "/api/webhooks/"):
        assert current in _client(admin_user).get(path).content.decode(), path
    assert current not in _client(admin_user).get("/audit/").content.decode()


def test_only_administrators_set_channels(agent, comms):
    for user in (agent, comms):
        with pytest.raises(Exception, match="Only administrators"):
            services.delivery_channel_set(actor=user, source="twitter", connector="log")
    assert not DeliveryChannel.objects.exists()

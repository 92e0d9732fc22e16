"""Delivery through a signed webhook: retries on failure, exactly once in the end."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from core.signing import verify
from replies import services
from replies.connectors import DeliveryError
from replies.models import DeliveryChannel, Reply, ReplyState
from replies.tasks import MAX_RETRIES, deliver_reply
from spokes.models import Mention
from tests.api.webhook_server import Garbler
from tests.api.webhook_server import Receiver as WebhookReceiver
from tests.factories import AuthorFactory, MentionFactory
from tests.reliability.mail_backends import REFUSAL

SECRET = "shared-secret-for-tests"


class Receiver:
    """A delivery tool on loopback that fails the first ``failures`` requests."""

    def __init__(self, failures=0):
        self.failures = failures
        self.hits = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.hits.append((dict(self.headers), body))
                if len(receiver.hits) <= receiver.failures:
                    self.send_response(503)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"external_id": f"post-{len(receiver.hits)}"}).encode())

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/deliver"

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The delivery tools of these tests listen on loopback, which the SSRF guard refuses."""
    settings.WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def queued(agent, mention, policy, receiver):
    DeliveryChannel.objects.create(
        source="twitter", connector="webhook", url=receiver.url, secret=SECRET
    )
    reply = services.reply_draft(actor=agent, mention_id=mention.pk, text="On it!")
    return services.reply_submit(actor=agent, reply_id=reply.pk)  # on_commit not run: queued


def test_the_payload_is_signed_and_verifies_with_the_shared_secret(queued, receiver):
    assert services.reply_deliver(reply_id=queued.pk) == "sent"
    [(headers, body)] = receiver.hits
    assert verify(SECRET, body, headers)
    assert not verify("wrong-secret", body, headers)
    payload = json.loads(body)
    assert payload["mention"]["external_id"] == queued.mention.external_id
    assert headers["Idempotency-Key"] == str(queued.idempotency_key)


def test_a_failing_connector_is_retried_then_delivers_exactly_once(queued, receiver):
    receiver.failures = 2
    for _ in range(2):
        with pytest.raises(DeliveryError):
            services.reply_deliver(reply_id=queued.pk)
    assert services.reply_deliver(reply_id=queued.pk) == "sent"
    assert services.reply_deliver(reply_id=queued.pk) == "skipped"
    reply = Reply.objects.get(pk=queued.pk)
    assert (reply.state, reply.attempts, reply.external_id) == (ReplyState.SENT, 3, "post-3")
    assert len(receiver.hits) == 3
    assert reply.attempt_log.filter(ok=True).count() == 1
    assert reply.mention.first_response_at is not None


def test_the_celery_task_retries_with_backoff_until_it_succeeds(queued, receiver):
    receiver.failures = 1
    deliver_reply.apply(args=[queued.pk])
    assert Reply.objects.get(pk=queued.pk).state == ReplyState.SENT
    assert len(receiver.hits) == 2


def test_a_task_run_twice_sends_once(queued, receiver):
    deliver_reply.apply(args=[queued.pk])
    deliver_reply.apply(args=[queued.pk])
    assert len(receiver.hits) == 1


def test_after_the_last_retry_the_failure_is_visible_and_retryable(agent, queued, receiver):
    receiver.failures = 100
    assert services.reply_deliver(reply_id=queued.pk, final_attempt=True) == "failed"
    reply = Reply.objects.get(pk=queued.pk)
    assert reply.state == ReplyState.FAILED and "HTTP 503" in reply.last_error
    receiver.failures = 0
    services.reply_retry(actor=agent, reply_id=reply.pk)
    assert services.reply_deliver(reply_id=reply.pk) == "sent"


def test_a_direct_message_takes_the_mention_offline(agent, mention, policy, receiver):
    reply = services.reply_draft(actor=agent, mention_id=mention.pk, text="DM us", kind="direct")
    services.reply_submit(actor=agent, reply_id=reply.pk)
    services.reply_deliver(reply_id=reply.pk)
    mention.refresh_from_db()
    assert mention.status == "taken_offline"
    assert mention.first_response_at is None  # only a public reply is a first response


def test_a_garbled_answer_from_the_delivery_tool_is_a_counted_failed_attempt(
    agent, mention, policy
):
    with Garbler() as tool:
        DeliveryChannel.objects.create(source="twitter", connector="webhook", url=tool.url)
        reply = services.reply_submit(
            actor=agent,
            reply_id=services.reply_draft(actor=agent, mention_id=mention.pk, text="On it").pk,
        )
        with pytest.raises(DeliveryError, match="answered badly"):
            services.reply_deliver(reply_id=reply.pk)
        assert services.reply_deliver(reply_id=reply.pk, final_attempt=True) == "failed"
    reply.refresh_from_db()
    assert reply.state == ReplyState.FAILED and reply.attempts == 2 == tool.hits
    assert [a.ok for a in reply.attempt_log.all()] == [False, False]
    assert "BadStatusLine" in reply.last_error


@pytest.fixture
def email_mention(billing):
    author = AuthorFactory(source="email", handle="customer@example.com")
    return MentionFactory(
        department=billing, source="email", author=author, external_id="<m-1@mail.example>"
    )


def _queued_reply(agent, mention):
    draft = services.reply_draft(actor=agent, mention_id=mention.pk, text="We are on it.")
    return services.reply_submit(actor=agent, reply_id=draft.pk)


def test_an_email_reply_goes_to_the_sender_in_the_same_thread(
    agent, email_mention, policy, mailoutbox
):
    reply = _queued_reply(agent, email_mention)
    assert services.reply_deliver(reply_id=reply.pk) == "sent"
    [email] = mailoutbox
    assert email.to == ["customer@example.com"] and "We are on it." in email.body
    assert email.extra_headers["In-Reply-To"] == "<m-1@mail.example>"
    reply.refresh_from_db()
    assert (
        reply.external_id
        == email.extra_headers["Message-ID"]
        == f"<reply-{reply.pk}.{reply.idempotency_key.hex}@localhost>"
    )


def test_an_email_mention_whose_id_holds_a_line_break_is_answered_without_it(
    agent, email_mention, policy, mailoutbox
):
    Mention.objects.filter(pk=email_mention.pk).update(
        external_id="<m-1@mail.example>\nBcc: someone@elsewhere.example"
    )
    reply = _queued_reply(agent, email_mention)
    assert services.reply_deliver(reply_id=reply.pk) == "sent"
    [email] = mailoutbox
    assert "In-Reply-To" not in email.extra_headers
    assert email.recipients() == ["customer@example.com"]
    assert "elsewhere" not in email.message().as_string()


def test_an_error_no_connector_foresaw_is_a_counted_failed_attempt(
    agent, email_mention, policy, settings
):
    settings.EMAIL_BACKEND = "tests.reliability.mail_backends.BrokenBackend"
    reply = _queued_reply(agent, email_mention)
    with pytest.raises(DeliveryError, match="backend bug"):
        services.reply_deliver(reply_id=reply.pk)
    reply.refresh_from_db()
    assert reply.state == ReplyState.QUEUED and reply.attempts == 1  # committed: counted
    assert deliver_reply.apply(args=[reply.pk]).get() == "failed"  # retries, then gives up
    reply.refresh_from_db()
    assert reply.state == ReplyState.FAILED and "RuntimeError" in reply.last_error


def test_a_reply_to_no_address_fails_at_once_for_people_to_see(agent, billing, policy, mailoutbox):
    author = AuthorFactory(source="email", handle="not an address")
    mention = MentionFactory(department=billing, source="email", author=author)
    reply = _queued_reply(agent, mention)
    assert deliver_reply.apply(args=[reply.pk]).get() == "failed"  # no retries: none can help
    reply.refresh_from_db()
    assert reply.state == ReplyState.FAILED and reply.attempts == 1
    assert "'not an address' is not an email address" in reply.last_error
    assert mention.activities.filter(verb="reply_failed").count() == 1
    assert mailoutbox == []


@pytest.mark.parametrize(("code", "attempts"), [(550, 1), (450, 1 + MAX_RETRIES)])
def test_a_recipient_the_mail_server_refuses_for_good_fails_at_once(
    agent, email_mention, policy, settings, code, attempts
):
    settings.EMAIL_BACKEND = "tests.reliability.mail_backends.RefusingBackend"
    REFUSAL["code"] = code
    try:
        reply = _queued_reply(agent, email_mention)
        assert deliver_reply.apply(args=[reply.pk]).get() == "failed"
    finally:
        REFUSAL["code"] = 550
    reply.refresh_from_db()
    assert reply.state == ReplyState.FAILED and reply.attempts == attempts  # 4xx: retried
    assert "refused the recipient" in reply.last_error


def test_a_channel_pointing_inwards_is_refused_and_never_reached(
    agent, mention, policy, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    DeliveryChannel.objects.create(source="twitter", connector="webhook", url=receiver.url)
    reply = _queued_reply(agent, mention)
    with pytest.raises(DeliveryError, match="non-public address"):
        services.reply_deliver(reply_id=reply.pk)
    assert receiver.hits == []
    reply.refresh_from_db()
    assert reply.state == ReplyState.QUEUED and reply.attempts == 1


def test_a_redirect_from_the_delivery_tool_is_not_followed(agent, mention, policy, receiver):
    with WebhookReceiver(statuses=[307], location=receiver.url) as redirector:
        DeliveryChannel.objects.create(source="twitter", connector="webhook", url=redirector.url)
        reply = _queued_reply(agent, mention)
        with pytest.raises(DeliveryError, match="HTTP 307"):
            services.reply_deliver(reply_id=reply.pk)
    assert len(redirector.requests) == 1 and receiver.hits == []

"""SSRF guard: webhooks never reach loopback, private or link-local addresses in any notation."""

import socket

import pytest

from api import webhooks
from api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from api.services import webhook_subscription_create
from api.tasks import deliver_webhook
from core import outbound
from core.errors import DomainError
from tests.api.webhook_server import Receiver

REFUSED_HOSTS = [
    "127.0.0.1",
    "localhost",
    "127.1",
    "2130706433",  # decimal 127.0.0.1
    "0177.0.0.1",  # octal
    "0x7f.0.0.1",  # hex
    "0.0.0.0",  # noqa: S104 - the point is to refuse it
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # cloud metadata
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[fe80::1]",
    "[fc00::1]",
    "canary.internal.test",  # a DNS name resolving to loopback (see the fixture)
]


@pytest.fixture
def canary(monkeypatch):
    """A listener on loopback that must never be hit, and a DNS name pointing at it."""
    real = socket.getaddrinfo

    def fake_getaddrinfo(host, *args, **kwargs):
        if host == "canary.internal.test":
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with Receiver() as receiver:
        yield receiver


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_non_public_addresses_are_refused_when_subscribing(canary, db, host):
    with pytest.raises(DomainError) as exc:
        webhook_subscription_create(
            actor=None, url=f"http://{host}:{canary.port}/hook", events=["mention.created"]
        )
    assert exc.value.field == "url"
    assert not WebhookSubscription.objects.exists()
    assert canary.requests == []


@pytest.mark.parametrize("host", REFUSED_HOSTS)
def test_non_public_addresses_are_refused_at_delivery_time(canary, billing, host):
    """Also when a subscription's host starts resolving inward later (DNS rebinding)."""
    subscription = WebhookSubscription.objects.create(
        url=f"http://{host}:{canary.port}/hook", events=["mention.created"], secret="s"
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, event="mention.created")
    deliver_webhook.delay(str(delivery.pk))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
    assert "non-public" in delivery.last_error
    assert canary.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user:pw@93.184.216.34/",
        "http:///nohost",
        "",
    ],
)
def test_other_schemes_credentials_and_hostless_urls_are_refused(url):
    with pytest.raises(outbound.UnsafeURL):
        outbound.check_url(url)


def test_a_public_address_passes_and_is_the_one_connected_to():
    parts, port, address = outbound.check_url("https://93.184.216.34:8443/hooks?x=1")
    assert (parts.hostname, port, address) == ("93.184.216.34", 8443, "93.184.216.34")


def test_redirects_are_not_followed(settings, canary, billing):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the redirecting receiver itself is on loopback
    with Receiver(statuses=[302], location=canary.url.replace("/hook", "/stolen")) as redirector:
        subscription, _ = webhook_subscription_create(
            actor=None, url=redirector.url, events=["mention.status_changed"], department=billing
        )
        [delivery] = webhooks.enqueue("mention.status_changed", {"id": 1}, billing.pk)
        outbound.post(redirector.url, b"{}", {})
    assert canary.requests == []
    assert len(redirector.requests) == 1

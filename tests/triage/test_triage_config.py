"""Triage keeps the hub's configuration between batches, and reads it again once it changed."""

from datetime import UTC, datetime, time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub import services, snapshot
from hub.models import SlaPolicy
from spokes.models import Mention
from spokes.triage_service import triage_batch
from tests.factories import MentionFactory

CONFIG_TABLES = ("hub_routingrule", "hub_escalationrule", "hub_businesshours", "hub_slapolicy")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def kept(settings):
    settings.TRIAGE_CONFIG_SECONDS = 60
    # a cache of this process's own: other test processes renew the generation as they go
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "triage-config-tests",
        }
    }
    cache.delete(snapshot.GENERATION)
    snapshot._held.clear()
    yield
    snapshot._held.clear()


def _triage(text, **fields):
    mention = MentionFactory(department=None, text=text, **fields)
    with CaptureQueriesContext(connection) as queries:
        assert triage_batch([mention.pk]) == 1
    mention.refresh_from_db()
    read = {t for t in CONFIG_TABLES for q in queries.captured_queries if t in q["sql"]}
    return mention, read


def test_a_second_batch_reads_none_of_the_configuration(billing, support):
    support.is_default = True
    support.save()
    first, read = _triage("hello")
    assert read == set(CONFIG_TABLES)
    second, read = _triage("hello again")
    assert read == set()
    assert first.department == second.department == support


def test_a_routing_rule_made_between_batches_routes_the_next(comms, billing, support):
    support.is_default = True
    support.save()
    assert _triage("my invoice is wrong")[0].department == support
    services.routing_rule_save(
        actor=comms, name="Invoices", department=billing, keywords=["invoice"]
    )
    mention, read = _triage("my invoice is wrong again")
    assert mention.department == billing
    assert "hub_routingrule" in read


def test_rules_reordered_in_bulk_apply_to_the_next_batch(comms, billing, support):
    support.is_default = True
    support.save()
    services.routing_rule_save(
        actor=comms, name="To billing", department=billing, keywords=["late"]
    )
    second = services.routing_rule_save(
        actor=comms, name="To support", department=support, keywords=["late"]
    )
    assert _triage("late again")[0].department == billing
    services.routing_rule_move(actor=comms, rule_id=second.pk, direction="up")  # bulk_update
    assert _triage("late once more")[0].department == support


def test_the_default_department_changed_by_update_applies_to_the_next_batch(
    comms, billing, support
):
    support.is_default = True
    support.save()
    assert _triage("hello")[0].department == support
    services.routing_default_set(actor=comms, department=billing)  # a queryset update
    assert _triage("hello again")[0].department == billing


def test_business_hours_set_in_bulk_apply_to_the_next_batch(comms, billing):
    billing.is_default = True
    billing.save()
    SlaPolicy.objects.create(
        department=billing, priority=2, first_response_minutes=120, resolution_minutes=600
    )
    around_the_clock, _ = _triage("hello", posted_at=MONDAY_9, received_at=MONDAY_9)
    services.business_hours_set(
        actor=comms, department=billing, intervals=[(0, time(14, 0), time(18, 0))]
    )
    office_hours, read = _triage("hello again", posted_at=MONDAY_9, received_at=MONDAY_9)
    assert "hub_businesshours" in read
    assert around_the_clock.sla_due_at == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    assert office_hours.sla_due_at == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # from 14:00


def test_with_the_cache_down_every_batch_reads_the_configuration(billing, monkeypatch):
    billing.is_default = True
    billing.save()

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("cache down")

    monkeypatch.setattr(snapshot, "cache", Down())
    _triage("hello")
    mention, read = _triage("hello again")
    assert read == set(CONFIG_TABLES)
    assert mention.department == billing


def test_a_reading_older_than_the_limit_is_read_again(billing, monkeypatch):
    billing.is_default = True
    billing.save()
    _triage("hello")
    now = snapshot.time.monotonic()
    monkeypatch.setattr(snapshot.time, "monotonic", lambda: now + 61)
    assert _triage("hello again")[1] == set(CONFIG_TABLES)
    assert Mention.objects.filter(department=billing).count() == 2

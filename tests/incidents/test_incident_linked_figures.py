"""An incident's linked-mention figures under a crisis: counted once for everyone viewing it.

Triage links mentions several times a second and every viewer's mentions panel asks again each
time; the figures (volume, authors, negative share, reach, the hourly series) are the same for
everyone, so they are counted at most every ``INCIDENT_STATS_SECONDS``, and at once after a
person links or unlinks mentions. The list under them is read in the links' order.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import shared
from incidents import selectors, services
from incidents.models import IncidentMention
from tests.factories import MentionFactory


@pytest.fixture
def fresh_for_two_seconds(settings, monkeypatch):
    settings.INCIDENT_STATS_SECONDS = 2
    clock = [1_000_000.0]
    monkeypatch.setattr(shared, "_clock", lambda: clock[0])
    return clock


def _auto_link(incident, mentions):
    """What an escalation rule does from triage: links without a person."""
    IncidentMention.objects.bulk_create(
        [IncidentMention(incident=incident, mention=m) for m in mentions]
    )


def _counted(queries) -> bool:
    return any(
        "incidents_incidentmention" in q["sql"] and "COUNT(" in q["sql"].upper() for q in queries
    )


def test_figures_are_counted_again_only_once_they_are_older_than_the_setting(
    incident, billing, fresh_for_two_seconds
):
    clock = fresh_for_two_seconds
    _auto_link(incident, [MentionFactory(department=billing)])
    assert selectors.mention_stats(incident)["volume"] == 1
    _auto_link(incident, [MentionFactory(department=billing) for _ in range(3)])
    clock[0] += 1.9
    with CaptureQueriesContext(connection) as queries:
        assert selectors.mention_stats(incident)["volume"] == 1  # shared, still fresh
    assert queries.captured_queries == []
    clock[0] += 0.2
    stats = selectors.mention_stats(incident)
    assert stats["volume"] == 4 and "stale" not in stats


def test_a_person_linking_or_unlinking_is_counted_at_once(
    incident, lead, billing, fresh_for_two_seconds, django_capture_on_commit_callbacks
):
    first, second = MentionFactory(department=billing), MentionFactory(department=billing)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_link_mention(actor=lead, incident_id=incident.pk, mention_id=first.pk)
    assert selectors.mention_stats(incident)["volume"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_link_mention(actor=lead, incident_id=incident.pk, mention_id=second.pk)
    assert selectors.mention_stats(incident)["volume"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_unlink_mention(actor=lead, incident_id=incident.pk, mention_id=first.pk)
    assert selectors.mention_stats(incident)["volume"] == 1


def test_many_viewers_share_one_count(
    incident, comms, lead, billing, client, fresh_for_two_seconds
):
    _auto_link(incident, [MentionFactory(department=billing) for _ in range(5)])
    url = f"/incidents/{incident.pk}/panel/mentions/"
    client.force_login(comms)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    client.force_login(lead)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url, HTTP_HX_REQUEST="true")
    assert _counted(first.captured_queries) and not _counted(second.captured_queries)
    assert '<dd id="linked-volume">5</dd>' in response.content.decode()


def test_while_one_request_counts_the_others_show_the_last_figures_and_ask_again(
    incident, comms, billing, client, fresh_for_two_seconds
):
    clock = fresh_for_two_seconds
    _auto_link(incident, [MentionFactory(department=billing)])
    selectors.mention_stats(incident)
    _auto_link(incident, [MentionFactory(department=billing)])
    clock[0] += 5
    from django.core.cache import cache

    assert cache.add(f"incident-stats:{incident.pk}:making", 1)  # another request counts
    client.force_login(comms)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(f"/incidents/{incident.pk}/panel/mentions/").content.decode()
    assert not _counted(queries.captured_queries)
    assert '<dd id="linked-volume">1</dd>' in html
    assert 'hx-trigger="live-refresh, load delay:2s"' in html  # asks again by itself
    cache.delete(f"incident-stats:{incident.pk}:making")  # that request is done
    html = client.get(f"/incidents/{incident.pk}/panel/mentions/").content.decode()
    assert '<dd id="linked-volume">2</dd>' in html
    assert 'hx-trigger="live-refresh"' in html


def test_the_list_shows_the_latest_linked_the_viewer_may_open(
    incident, lead, billing, support, client
):
    ours = [MentionFactory(department=billing) for _ in range(55)]
    theirs = [MentionFactory(department=support) for _ in range(3)]
    _auto_link(incident, ours[:30] + theirs + ours[30:])
    latest = selectors.latest_linked(incident, lead)
    assert [m.pk for m in latest] == [m.pk for m in reversed(ours)][:50]
    client.force_login(lead)
    html = client.get(f"/incidents/{incident.pk}/panel/mentions/").content.decode()
    assert f"#{ours[-1].pk}<" in html and f"#{ours[4].pk}<" not in html
    assert all(f"#{m.pk}<" not in html for m in theirs)


def test_the_shared_hourly_series_is_cut_at_utc_hours_whoever_counts_it(incident, billing):
    """The figures are shared by every viewer, whatever their zone: a reader in a half-hour
    zone counting them must not leave hours cut at :30 for everyone else."""
    from datetime import UTC, datetime

    from django.utils import timezone

    _auto_link(
        incident,
        [
            MentionFactory(department=billing, posted_at=datetime(2026, 3, 2, 9, 10, tzinfo=UTC)),
            MentionFactory(department=billing, posted_at=datetime(2026, 3, 2, 9, 50, tzinfo=UTC)),
        ],
    )
    with timezone.override("Asia/Kolkata"):  # UTC+05:30
        series = selectors.count_linked(incident)["series"]
    assert [(row["hour"], row["volume"]) for row in series] == [
        (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), 2)
    ]

"""Retention: ``prune_mentions`` deletes old closed mentions only, and only with --yes."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import AuditEvent
from spokes.models import Activity, Mention, Status
from tests.factories import MentionFactory


@pytest.fixture
def aged(billing):
    long_ago = timezone.now() - timedelta(days=400)
    old_resolved = MentionFactory(department=billing, status=Status.RESOLVED, resolved_at=long_ago)
    old_spam = MentionFactory(department=billing, status=Status.SPAM)
    old_open = MentionFactory(department=billing, status=Status.NEW)
    recent_resolved = MentionFactory(
        department=billing, status=Status.RESOLVED, resolved_at=timezone.now()
    )
    Mention.objects.filter(pk__in=[old_spam.pk, old_open.pk]).update(updated_at=long_ago)
    Activity.objects.create(mention=old_resolved, actor=None, verb="resolved", data={})
    return {
        "old_resolved": old_resolved,
        "old_spam": old_spam,
        "old_open": old_open,
        "recent_resolved": recent_resolved,
    }


def run(*args) -> str:
    out = StringIO()
    call_command("prune_mentions", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_reports_and_deletes_nothing(aged):
    assert "2 mention(s)" in run("--older-than", "365")
    assert Mention.objects.count() == 4
    assert not AuditEvent.objects.filter(action="retention.mentions_pruned").exists()


def test_with_yes_only_old_resolved_and_spam_mentions_go_with_their_history(aged):
    assert "Deleted 2 mention(s)" in run("--older-than", "365", "--yes")
    assert set(Mention.objects.values_list("pk", flat=True)) == {
        aged["old_open"].pk,
        aged["recent_resolved"].pk,
    }
    assert not Activity.objects.filter(mention_id=aged["old_resolved"].pk).exists()
    event = AuditEvent.objects.get(action="retention.mentions_pruned")
    assert event.data["count"] == 2 and event.data["older_than_days"] == 365


def test_a_cut_off_below_one_day_is_refused(aged):
    with pytest.raises(CommandError):
        run("--older-than", "0", "--yes")
    assert Mention.objects.count() == 4

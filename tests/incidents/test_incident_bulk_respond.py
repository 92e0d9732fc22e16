import threading
from datetime import timedelta

import pytest
from celery._state import task_join_will_block
from django.db import connection

from core import outbox
from core.errors import Conflict, DomainError, PermissionDenied
from incidents import services, tasks
from incidents.models import BulkResponse, IncidentMention, PlannedReply
from replies import services as reply_services
from replies.models import Reply, ReplyState
from spokes.models import Mention
from tests.factories import AuthorFactory, MentionFactory, UserFactory
from tests.incidents.conftest import events_named


@pytest.fixture
def linked(incident, comms, billing):
    mentions = [
        MentionFactory(
            department=billing, author=AuthorFactory(display_name="Ann"), sentiment=-0.7
        ),
        MentionFactory(
            department=billing, author=AuthorFactory(display_name="", handle="bob"), sentiment=0.4
        ),
    ]
    for mention in mentions:
        services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=mention.pk)
    services.incident_set_holding_statement(
        actor=comms,
        incident_id=incident.pk,
        text="Hi {customer_name}, we know about {incident_title}. {dm_link} ^{agent_initials}",
    )
    return mentions


def test_the_holding_statement_goes_to_every_linked_mention_exactly_once(
    incident, comms, linked, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
        again = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    assert (first.queued, first.skipped) == (2, 0)
    assert (again.queued, again.skipped) == (0, 2)
    bodies = dict(PlannedReply.objects.values_list("mention_id", "body"))
    initials = comms.display_initials
    assert (
        bodies[linked[0].pk]
        == f"Hi Ann, we know about Card payments failing. {{dm_link}} ^{initials}"
    )
    assert bodies[linked[1].pk].startswith("Hi @bob,")
    keys = set(PlannedReply.objects.values_list("idempotency_key", flat=True))
    assert keys == {f"incident-holding:{incident.pk}:v1:mention:{m.pk}" for m in linked}
    assert [p["queued"] for p, _ in events_named(published, "incident.bulk_response_queued")] == [
        2,
        0,
    ]


def test_a_new_holding_version_may_go_out_again_and_a_filter_narrows_it(incident, comms, linked):
    services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    services.incident_set_holding_statement(actor=comms, incident_id=incident.pk, text="Fixed.")
    bulk = services.incident_bulk_respond(
        actor=comms, incident_id=incident.pk, params={"sentiment": "negative"}
    )
    assert bulk.queued == 1 and bulk.planned.get().mention == linked[0]


def test_an_update_goes_out_only_once_approved(incident, comms, lead, linked):
    update = services.incident_draft_update(
        actor=lead, incident_id=incident.pk, body="Fixed, {customer_name}"
    )
    with pytest.raises(Conflict):
        services.incident_bulk_respond(actor=comms, incident_id=incident.pk, update_id=update.pk)
    services.incident_approve_update(actor=comms, incident_id=incident.pk, update_id=update.pk)
    bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk, update_id=update.pk)
    assert bulk.queued == 2
    assert (
        PlannedReply.objects.filter(
            idempotency_key__startswith=f"incident-update:{update.pk}:"
        ).count()
        == 2
    )


def test_only_central_comms_approves_a_bulk_response(incident, lead, linked):
    with pytest.raises(PermissionDenied):
        services.incident_bulk_respond(actor=lead, incident_id=incident.pk)
    assert not BulkResponse.objects.exists() and not PlannedReply.objects.exists()


def test_without_a_holding_statement_there_is_nothing_to_send(incident, comms):
    with pytest.raises(DomainError) as exc:
        services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    assert exc.value.field == "holding_statement"


def test_each_mention_gets_one_queued_reply_keyed_by_its_plan(
    incident, comms, linked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
        services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    replies = Reply.objects.filter(mention__in=linked)
    # queued, then delivered by their own tasks (eager here; no channel: the log connector)
    assert replies.count() == 2 and {r.state for r in replies} == {ReplyState.SENT}
    planned = dict(PlannedReply.objects.values_list("idempotency_key", "reply_id"))
    assert planned == {r.origin_key: r.pk for r in replies}
    assert set(PlannedReply.objects.values_list("status", flat=True)) == {"handed_over"}
    assert "Hi Ann" in replies.get(mention=linked[0]).text


def _link_many(incident, comms, billing, n):
    mentions = [MentionFactory(department=billing) for _ in range(n)]
    IncidentMention.objects.bulk_create(
        [IncidentMention(incident=incident, mention=m, linked_by=comms) for m in mentions]
    )
    return mentions


def test_the_request_plans_and_a_task_hands_over_in_chunks(
    incident, comms, linked, billing, published, monkeypatch, django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):  # fmt: skip
    mentions = [*linked, *_link_many(incident, comms, billing, 38)]
    monkeypatch.setattr(services, "HAND_OVER_CHUNK", 15)
    with (
        django_capture_on_commit_callbacks(execute=False) as callbacks,
        django_assert_max_num_queries(20),  # the same for 4 mentions or 4,000
    ):
        bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    assert bulk.queued == 40 and not Reply.objects.exists()  # nothing handed over yet
    assert PlannedReply.objects.filter(status="planned").count() == 40
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()  # the commit: the live events go out, the hand-over task runs (eager)
    assert Reply.objects.filter(mention__in=mentions).count() == 40
    progress = [p for p, _ in events_named(published, "incident.bulk_response_progress")]
    assert [p["handed_over"] for p in progress] == [15, 15, 10]
    assert [p["planned_left"] for p in progress] == [25, 10, 0]
    assert progress[-1]["handed_over_total"] == 40 and progress[-1]["failed_total"] == 0
    assert tasks.hand_over_bulk.delay(bulk.pk).get() == 0  # run again: nothing twice


def test_replies_the_approval_no_longer_covers_fail_and_a_new_approval_sends_them(
    incident, comms, linked, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    comms.org_role = "staff"  # the approver left central comms before the hand-over ran
    comms.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.hand_over_bulk.delay(bulk.pk).get() == 0
    failed = PlannedReply.objects.filter(status="failed")
    assert failed.count() == 2 and not Reply.objects.exists()
    assert {p.error for p in failed} == {"Only central communications decides on replies."}
    progress = events_named(published, "incident.bulk_response_progress")[-1][0]
    assert progress["failed_total"] == 2

    other = UserFactory(username="comms2", org_role="comms")
    with django_capture_on_commit_callbacks(execute=True):
        again = services.incident_bulk_respond(actor=other, incident_id=incident.pk)
    assert (again.queued, again.skipped) == (2, 0)  # planned anew under this approval
    assert Reply.objects.filter(mention__in=linked, decided_by=other).count() == 2


@pytest.fixture
def poison_text(monkeypatch):
    """The reply pipeline has a bug one mention's text meets."""
    real = reply_services.finalise_text

    def finalise_text(*, mention, **kwargs):
        if "POISON" in mention.text:
            raise ValueError("composer bug")
        return real(mention=mention, **kwargs)

    monkeypatch.setattr(reply_services, "finalise_text", finalise_text)


def test_a_reply_that_breaks_the_hand_over_holds_back_no_other(
    incident, comms, billing, linked, poison_text, caplog
):
    bad = MentionFactory(department=billing, text="POISON")
    IncidentMention.objects.create(incident=incident, mention=bad, linked_by=comms)
    bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    assert tasks.hand_over_bulk.delay(bulk.pk).get() == 2
    rows = {p.mention_id: p for p in PlannedReply.objects.all()}
    assert {rows[m.pk].status for m in linked} == {"handed_over"}
    assert rows[bad.pk].status == "failed" and "ValueError" in rows[bad.pk].error
    assert not Reply.objects.filter(mention=bad).exists()
    assert "composer bug" in caplog.text


def test_a_fault_on_every_path_leaves_the_plan_for_the_retries_and_the_sweeper(
    incident, comms, linked, monkeypatch
):
    bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)

    def broken(**kwargs):
        raise ValueError("pipeline down")

    monkeypatch.setattr(reply_services, "finalise_text", broken)
    with pytest.raises(ValueError, match="pipeline down"):
        services.bulk_hand_over(bulk.pk)
    assert set(PlannedReply.objects.values_list("status", flat=True)) == {"planned"}
    monkeypatch.undo()
    assert outbox.sweep_pending_work(older_than=timedelta(0))["bulk"] == 1  # runs it (eager)
    assert set(PlannedReply.objects.values_list("status", flat=True)) == {"handed_over"}
    assert outbox.sweep_pending_work(older_than=timedelta(0))["bulk"] == 0


def test_the_updates_panel_shows_each_bulk_response_and_its_failures(
    incident, comms, linked, client
):
    bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    PlannedReply.objects.filter(mention=linked[1]).update(
        status="failed", error="Not sent: <b>reason</b>"
    )
    PlannedReply.objects.filter(mention=linked[0]).update(status="handed_over")
    client.force_login(comms)
    page = client.get(f"/incidents/{incident.pk}/panel/updates/").content.decode()
    assert f'id="bulk-{bulk.pk}"' in page
    assert "1 of 2 queued for delivery" in page and "1 failed" in page
    assert f"/m/{linked[1].pk}/" in page
    assert "Not sent: &lt;b&gt;reason&lt;/b&gt;" in page


def test_a_failed_reply_to_another_departments_mention_stays_unnamed(
    incident, comms, lead, linked, support, client, published, django_capture_on_commit_callbacks
):
    foreign = MentionFactory(department=support)
    IncidentMention.objects.create(incident=incident, mention=foreign, linked_by=comms)
    bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    PlannedReply.objects.filter(mention__in=[linked[0], foreign]).update(
        status="failed", error="Not sent."
    )
    client.force_login(lead)  # billing's lead: manages the incident, sees nothing of support
    page = client.get(f"/incidents/{incident.pk}/panel/updates/").content.decode()
    assert f'id="bulk-{bulk.pk}"' in page and "2 failed" in page
    assert f"/m/{linked[0].pk}/" in page and f"/m/{foreign.pk}/" not in page
    client.force_login(comms)
    page = client.get(f"/incidents/{incident.pk}/panel/updates/").content.decode()
    assert f"/m/{foreign.pk}/" in page

    PlannedReply.objects.filter(mention=linked[1]).update(status="planned")
    comms.org_role = "staff"
    comms.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.bulk_hand_over(bulk.pk)
    progress = events_named(published, "incident.bulk_response_progress")[-1][0]
    assert progress["failed"] == 1 and progress["failed_total"] == 3
    assert str(linked[1].pk) not in str({k: v for k, v in progress.items() if k != "id"})


@pytest.mark.django_db(transaction=True)
def test_two_tasks_share_a_large_plan_and_hand_each_reply_over_once(
    incident, comms, billing, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL only (SQLite serialises writers)")
    monkeypatch.setattr(services, "HAND_OVER_CHUNK", 20)
    sent = []  # the tasks the approval sends, run below as two worker processes would
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args: sent.append(args))
    # Deliveries are not this test's business; run eagerly in two threads at once they would
    # also trip Celery's process-wide "within a task" flag for the tests after this one.
    monkeypatch.setattr(reply_services, "enqueue_on_commit", lambda task, *args: None)
    mentions = _link_many(incident, comms, billing, 130)
    services.incident_set_holding_statement(
        actor=comms, incident_id=incident.pk, text="We know, {customer_name}."
    )
    bulk = services.incident_bulk_respond(actor=comms, incident_id=incident.pk)
    assert sent == [(bulk.pk,)] * services.HAND_OVER_TASKS
    counts, errors = [], []

    def run():
        try:
            counts.append(services.bulk_hand_over(bulk.pk))
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(services.HAND_OVER_TASKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors and sum(counts) == 130
    assert all(counts), counts  # both took part
    replies = Reply.objects.filter(mention__in=mentions)
    assert replies.count() == 130 and replies.values("mention").distinct().count() == 130
    assert set(PlannedReply.objects.values_list("status", flat=True)) == {"handed_over"}
    assert not task_join_will_block()  # the tests after this one may still wait on results


def test_the_page_sends_the_statement_to_the_open_mentions_only_when_asked(
    incident, comms, linked, client
):
    Mention.objects.filter(pk=linked[1].pk).update(status="resolved")
    client.force_login(comms)
    page = client.get(f"/incidents/{incident.pk}/panel/updates/").content.decode()
    assert 'name="status"' in page and 'value="open"' in page
    assert 'name="confirm"' in page
    # one click without the box ticked sends nothing, and says why
    refused = client.post(
        f"/incidents/{incident.pk}/do/bulk-respond/", {"status": "open"}, follow=True
    )
    assert "Tick the box" in refused.content.decode()
    assert not BulkResponse.objects.exists()
    done = client.post(
        f"/incidents/{incident.pk}/do/bulk-respond/",
        {"status": "open", "confirm": "yes"},
        follow=True,
    )
    assert "1 reply approved and queued." in done.content.decode()
    bulk = BulkResponse.objects.get()
    assert (bulk.queued, bulk.filters) == (1, {"status": "open"})
    assert [p.mention_id for p in bulk.planned.all()] == [linked[0].pk]

"""Batch triage: precedence of the department, SLA from the hub's policy, idempotence, cost."""

from datetime import UTC, datetime, time, timedelta

from hub.models import BusinessHours, EscalationRule, RoutingRule, SlaPolicy
from spokes.models import Activity, EscalationFiring, Mention, SpikeCounter
from spokes.triage_service import triage_batch
from tests.factories import AuthorFactory, MentionFactory

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_triage_routes_by_explicit_department_then_thread_then_rules_then_default(
    billing, support, published, django_capture_on_commit_callbacks
):
    support.is_default = True
    support.save()
    RoutingRule.objects.create(name="Invoices", department=billing, keywords=["invoice"])
    root = MentionFactory(department=None, text="my invoice is wrong")
    reply = MentionFactory(department=None, text="anyone there?", thread_root=root, parent=root)
    explicit = MentionFactory(department=support, text="invoice question")
    unrouted = MentionFactory(department=None, text="hello")
    with django_capture_on_commit_callbacks(execute=True):
        assert triage_batch([root.pk, reply.pk, explicit.pk, unrouted.pk]) == 4
    by_pk = Mention.objects.in_bulk()
    assert by_pk[root.pk].department == billing
    assert by_pk[reply.pk].department == billing  # joins its root, routed in the same batch
    assert by_pk[explicit.pk].department == support
    assert by_pk[unrouted.pk].department == support
    routed_by = dict(Activity.objects.filter(verb="triaged").values_list("mention_id", "data"))
    assert routed_by[root.pk]["routed_by"] == "Invoices"
    assert routed_by[reply.pk]["routed_by"] == "thread"
    assert routed_by[unrouted.pk]["routed_by"] == "default"
    events = {(e, p["department_id"]): p["ids"] for e, p, _ in published if e == "mention.triaged"}
    assert sorted(events[("mention.triaged", billing.pk)]) == sorted([root.pk, reply.pk])


def test_triage_is_idempotent(billing, published, django_capture_on_commit_callbacks):
    mentions = [MentionFactory(department=billing, text=f"refund please {i}") for i in range(5)]
    ids = [m.pk for m in mentions]
    with django_capture_on_commit_callbacks(execute=True):
        assert triage_batch(ids) == 5
    first = {m.pk: (m.priority, m.sla_due_at, m.triaged_at) for m in Mention.objects.all()}
    counters = list(SpikeCounter.objects.values_list("scope", "hour", "mentions"))
    with django_capture_on_commit_callbacks(execute=True):
        assert triage_batch(ids) == 0
    assert {m.pk: (m.priority, m.sla_due_at, m.triaged_at) for m in Mention.objects.all()} == first
    assert Activity.objects.filter(verb="triaged").count() == 5
    assert list(SpikeCounter.objects.values_list("scope", "hour", "mentions")) == counters
    assert sum(1 for e, *_ in published if e == "mention.triaged") == 1


def test_the_sla_counts_only_the_departments_business_hours(billing):
    SlaPolicy.objects.create(
        department=billing, priority=2, first_response_minutes=120, resolution_minutes=600
    )
    BusinessHours.objects.create(department=billing, weekday=0, opens=time(9), closes=time(17))
    BusinessHours.objects.create(department=billing, weekday=1, opens=time(9), closes=time(17))
    late = MentionFactory(
        department=billing,
        text="question about my account",
        received_at=MONDAY_9 + timedelta(hours=7),
    )
    triage_batch([late.pk])
    late.refresh_from_db()
    assert late.priority == 2
    # one hour left on Monday, the second from Tuesday 09:00
    assert late.sla_due_at == MONDAY_9 + timedelta(days=1, hours=1)


def test_an_author_who_is_already_waiting_gets_a_higher_priority(billing):
    author = AuthorFactory()
    MentionFactory(department=billing, author=author, text="hello?")
    again = MentionFactory(department=None, author=author, text="I am disappointed, no answer yet")
    fresh = MentionFactory(department=None, text="I am disappointed, no answer yet")
    triage_batch([again.pk, fresh.pk])
    again.refresh_from_db()
    fresh.refresh_from_db()
    assert again.priority == fresh.priority + 1


def test_only_another_open_mention_makes_an_author_a_repeat(billing):
    text = "I am disappointed, no answer yet"
    waiting, resolved, twice, busy, fresh = (AuthorFactory() for _ in range(5))
    MentionFactory(department=billing, author=waiting, status="assigned")
    MentionFactory(department=billing, author=resolved, status="resolved")
    for _ in range(3):
        MentionFactory(department=billing, author=busy)
    batch = {
        "waiting": MentionFactory(department=None, author=waiting, text=text),
        "resolved": MentionFactory(department=None, author=resolved, text=text),
        "twice_first": MentionFactory(department=None, author=twice, text=text),
        "twice_second": MentionFactory(department=None, author=twice, text=text),
        "busy": MentionFactory(department=None, author=busy, text=text),
        "fresh": MentionFactory(department=None, author=fresh, text=text),
    }
    assert triage_batch([m.pk for m in batch.values()]) == 6
    priority = {name: Mention.objects.get(pk=m.pk).priority for name, m in batch.items()}
    base = priority["fresh"]
    assert priority == {
        "waiting": base + 1,
        "resolved": base,  # its other mention is closed
        "twice_first": base,  # the batch's own mentions are not "another" before them
        "twice_second": base + 1,
        "busy": base + 1,
        "fresh": base,
    }


def test_neutral_threats_are_flagged_and_urgent(billing):
    threat = MentionFactory(department=billing, text="Refund me now or I sue", reach=10)
    triage_batch([threat.pk])
    threat.refresh_from_db()
    assert threat.sentiment == 0.0
    assert threat.flags == ["legal"] and threat.priority == 4 and threat.contact_point == "problem"


def test_escalation_rules_without_sla_condition_apply_on_arrival(
    billing, support, lead, comms, published, django_capture_on_commit_callbacks, mailoutbox
):
    comms.email = "comms@example.com"
    comms.save()
    rule = EscalationRule.objects.create(
        name="Big accounts", min_reach=50_000, notify_comms=True, notify_lead=True,
        raise_priority_to=4, move_to_department=support,
    )  # fmt: skip
    loud = MentionFactory(department=billing, text="meh", reach=90_000)
    quiet = MentionFactory(department=billing, text="meh", reach=90)
    with django_capture_on_commit_callbacks(execute=True):
        triage_batch([loud.pk, quiet.pk])
    loud.refresh_from_db()
    quiet.refresh_from_db()
    assert loud.priority == 4 and loud.department == support
    assert quiet.department == billing
    assert list(EscalationFiring.objects.values_list("rule_id", "mention_id")) == [
        (rule.pk, loud.pk)
    ]
    told = {p["text"] for e, p, _ in published if e == "notification.created"}
    assert any("Big accounts" in t for t in told)
    assert lead.notifications.count() == 1 and comms.notifications.count() == 1
    assert [m.to for m in mailoutbox] == [["comms@example.com"]]


def test_a_batch_of_a_thousand_costs_a_bounded_number_of_queries(
    billing, support, django_assert_max_num_queries
):
    support.is_default = True
    support.save()
    billing.routing_keywords = ["invoice", "refund"]
    billing.save()
    authors = [AuthorFactory() for _ in range(50)]
    mentions = Mention.objects.bulk_create(
        [
            Mention(
                source="twitter",
                external_id=f"bulk-{i}",
                author=authors[i % 50],
                reach=100 + i,
                text=("my invoice is wrong" if i % 2 else "the app crashed #fail") + f" {i}",
                posted_at=MONDAY_9,
                received_at=MONDAY_9,
            )
            for i in range(1000)
        ]
    )
    with django_assert_max_num_queries(40):
        assert triage_batch([m.pk for m in mentions]) == 1000
    assert not Mention.objects.filter(triaged_at__isnull=True).exists()


def test_a_rule_on_the_author_s_handle_routes_a_batch_in_bounded_queries(
    billing, support, django_assert_max_num_queries
):
    billing.routing_keywords = ["invoice"]
    billing.save()
    watched = AuthorFactory(handle="AirportAMS")
    RoutingRule.objects.create(name="Airport", department=support, author_handles=["@airportams"])
    authors = [watched, *(AuthorFactory() for _ in range(20))]
    mentions = [
        MentionFactory(department=None, author=authors[i % 21], text=f"my invoice {i}")
        for i in range(105)
    ]
    with django_assert_max_num_queries(40):
        assert triage_batch([m.pk for m in mentions]) == 105
    routed = dict(Mention.objects.values_list("id", "department_id"))
    assert {routed[m.pk] for m in mentions if m.author == watched} == {support.pk}
    assert {routed[m.pk] for m in mentions if m.author != watched} == {billing.pk}
    reasons = {a.data["routed_by"] for a in Activity.objects.filter(mention__author=watched)}
    assert reasons == {"Airport"}


def test_each_department_in_a_batch_keeps_its_own_hours_rules_and_the_reads_stay_flat(
    billing, support, django_assert_max_num_queries
):
    """Schedules and escalation rules are read for all of a batch's departments at once; each
    mention still gets its own department's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import DepartmentFactory

    extra = [DepartmentFactory(slug=f"extra-{n}", name=f"Extra {n}") for n in range(3)]
    SlaPolicy.objects.create(
        department=None, priority=2, first_response_minutes=120, resolution_minutes=600
    )
    BusinessHours.objects.create(department=billing, weekday=0, opens=time(9), closes=time(10))
    EscalationRule.objects.create(
        name="Support only", department=support, min_reach=5, raise_priority_to=4
    )

    def triage_across(departments):
        mentions = [
            MentionFactory(
                department=d, text="question about my account", received_at=MONDAY_9, reach=10
            )
            for d in departments
            for _ in range(2)
        ]
        with CaptureQueriesContext(connection) as reads:
            triage_batch([m.pk for m in mentions])
        return mentions, len(reads)

    _, two_departments = triage_across([billing, support])
    mentions, five_departments = triage_across([billing, support, *extra])

    # only the outbound webhooks' lookup of subscribers, once per department's event, grows
    assert five_departments == two_departments + len(extra)
    by_department = {}
    for m in Mention.objects.filter(pk__in=[m.pk for m in mentions]):
        by_department.setdefault(m.department_id, set()).add((m.priority, m.sla_due_at))
    # billing: open 9-10 on Mondays, so 2 business hours end at 09:00 the next Monday + 1 h
    assert by_department[billing.pk] == {(2, MONDAY_9 + timedelta(days=7, hours=1))}
    # support: no hours (always open), and its own rule raised the priority
    assert {p for p, _ in by_department[support.pk]} == {4}
    assert by_department[extra[0].pk] == {(2, MONDAY_9 + timedelta(hours=2))}

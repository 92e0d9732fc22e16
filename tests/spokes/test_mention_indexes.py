"""The mention table's partial indexes: each query that needs one can use it.

The queue, SLA, assignee, thread and full-text indexes hold only rows with the column set
(spokes' migration 0006), so that a new mention, which has none of them, is written to four
indexes instead of sixteen. PostgreSQL uses a partial index only for a query whose
conditions imply the index's; these tests ask the planner whether it can use the index meant
for each query the product runs.
"""

import pytest
from django.db import connection
from django.utils import timezone

from spokes.filters import text_search
from spokes.models import Mention
from spokes.selectors import mentions_visible, queue_base
from tests.factories import MentionFactory


def _plan(queryset, index: str) -> str:
    """The query's plan with ``index`` the table's only index besides the constraints' and
    sequential scans priced out: on a near-empty table the planner takes any index that
    serves, so the others are dropped, in the test's transaction, which rolls back."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = 'spokes_mention'::regclass AND i.relname <> %s
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""",
            [index],
        )
        for (other,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{other}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("partial indexes are planned by PostgreSQL")


@pytest.mark.parametrize(
    ("name", "index"),
    [
        ("queue newest", "mention_queue_recent"),
        ("queue by status", "mention_queue_status"),
        ("queue by priority", "mention_queue_priority"),
        ("queue search", "mention_text_search"),
        ("administrator's search", "mention_text_search"),
        ("search in visible departments", "mention_text_search"),
        ("SLA due", "mention_sla_due"),
        ("assigned to me", "mention_assignee_status"),
        ("thread", "mention_thread_order"),
        ("thread, replies after one", "mention_thread_order"),
        ("replies", "mention_parent"),
        ("insights period", "mention_insights_period"),
    ],
)
def test_each_query_can_use_its_partial_index(
    postgres_only, name, index, billing, support, agent, admin_user
):
    now = timezone.now()
    queries = {
        "queue newest": queue_base(billing).order_by("-received_at", "-id"),
        "queue by status": queue_base(billing).filter(status="new").order_by("-received_at"),
        "queue by priority": queue_base(billing).order_by("-priority", "-received_at", "-id"),
        "queue search": text_search(queue_base(billing), "refund"),
        "administrator's search": text_search(mentions_visible(admin_user), "refund"),
        "search in visible departments": text_search(
            Mention.objects.filter(department__in=[billing.pk, support.pk]), "refund"
        ),
        "SLA due": Mention.objects.filter(sla_due_at__lte=now),
        "assigned to me": Mention.objects.filter(assignee=agent, status="assigned"),
        "thread": Mention.objects.filter(thread_root_id=1),
        "thread, replies after one": Mention.objects.filter(
            thread_root_id=1, posted_at__gt=now
        ).order_by("posted_at", "id")[:21],
        "replies": Mention.objects.filter(parent_id=1),
        "insights period": Mention.objects.filter(
            department_id__in=[billing.pk], received_at__gte=now
        ).values_list("priority", "source"),
    }
    plan = _plan(queries[name], index)
    assert index in plan, plan


def test_search_finds_routed_mentions_only(client, admin_user, billing):
    """An administrator's search names no department: it covers mentions in a queue, as the
    full-text index does; a mention triage has not routed yet is not searched."""
    routed = MentionFactory(department=billing, text="Where is my refund for the broken kettle")
    MentionFactory(department=None, text="Refund please for the broken kettle")
    client.force_login(admin_user)
    response = client.get("/api/v1/mentions/", {"q": "broken kettle"})
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [routed.pk]


def test_searched_words_have_statistics_of_their_own(postgres_only, billing):
    """The planner ignores a partial index's statistics: the text-search expression has its
    own (migration 0006), so that a rare word is estimated rare and read from the index, not
    found by filtering every row of the queue."""
    MentionFactory.create_batch(30, department=billing, text="Refund my broken kettle please")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE spokes_mention")
        cursor.execute(
            """SELECT most_common_elems::text::text[] FROM pg_stats_ext_exprs
               WHERE tablename = 'spokes_mention' AND statistics_name = %s""",
            ["mention_text_search_stats"],
        )
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert {"refund", "kettl"} <= set(rows[0][0])


def test_analyze_skips_the_full_text_index_whose_statistics_the_planner_ignores(
    postgres_only, billing
):
    """Parsing every sampled row's text for the partial index's statistics made ANALYZE
    about a third slower (migration 0011); the expression's own statistics stay."""
    MentionFactory.create_batch(5, department=billing, text="Refund my broken kettle please")
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT a.attstattarget FROM pg_attribute a
               WHERE a.attrelid = 'mention_text_search'::regclass AND a.attnum = 1"""
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("ANALYZE spokes_mention")
        cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'mention_text_search'")
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT count(*) FROM pg_stats_ext_exprs WHERE statistics_name = %s",
            ["mention_text_search_stats"],
        )
        assert cursor.fetchone()[0] == 1

"""Queue-page benchmark: 1,000,000 mentions on PostgreSQL, the production stack, real HTTP.

Run it with ``make bench-queue`` (PostgreSQL and Redis come from scripts/with-services.sh).
Progress goes to stderr; the last line of stdout is one JSON object with the figures.
See bench/README.md for what is measured and the latest results.
"""
# ruff: noqa: E402 - the path must be fixed before anything imports the standard ``queue``.

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file shares its name with the standard library's ``queue``: with its directory first on
# sys.path, ``import queue`` in concurrent.futures, urllib3 or Celery would load this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import json
import os
import secrets
import signal
import tempfile
import time
import urllib.parse

from bench.common import (
    HttpSession,
    explain,
    link_by_id,
    log,
    process_cpu_ms,
    summary,
    timed,
)
from scripts.prodstack import ProdStack, production_env

MENTIONS = int(os.environ.get("BENCH_MENTIONS", "1000000"))
AUTHORS = max(1000, MENTIONS // 5)
DEPARTMENTS = [
    "Support", "Billing", "Flights", "Baggage", "Stores", "Loyalty", "Refunds", "Web", "App",
    "Shipping", "Returns", "Payments", "Accounts", "Catering", "Lounges", "Cargo", "Careers",
    "Press", "Partners", "Accessibility",
]  # fmt: skip
STAFF_PER_DEPARTMENT = 3
TAGS = ["vip", "legal", "press", "repeat", "outage", "refund", "praise", "escalated"]
QUEUE_TARGET_MS, SEARCH_TARGET_MS = 50, 200  # p95
WARMUP = int(os.environ.get("BENCH_WARMUP", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
DEEP_PAGES = int(os.environ.get("BENCH_DEEP_PAGES", "50"))
# Searched: a frequent word (~8% of a department's mentions), one from the long tail (~3%),
# two words together (~0.25%) and a rare one (~0.1%): the planner treats each differently.
SEARCHES = ["refund", "twice", "lost baggage", "chargeback"]

# Words in falling order of frequency (drawn as 1 + floor(n * random()^2), so a Zipf-like
# skew); stop words lead, as in real posts, and to_tsvector drops them.
WORDS = """
        the my i to and a is for of you it on in this with not no was still again why your me
        at have just been are can what flight order refund help service customer app delayed
        waiting hours support bag payment card account email booking ticket delivery store days
        staff phone charged cancelled website seat money update week thanks problem broken login
        password team response reply issue please great terrible love worst best crew gate
        airport luggage baggage lost damaged late package parcel tracking courier invoice bill
        subscription plan upgrade voucher discount points loyalty miles status lounge food meal
        drink coffee manager complaint agent chat call queue hold minutes today yesterday
        tomorrow night morning weekend holiday trip family kids wheelchair assistance boarding
        checkin passport visa connection missed rebooked compensation hotel taxi receipt price
        expensive cheap sale offer promo code coupon error crash bug screen version android
        iphone notification message link page checkout basket cart stock size colour return
        exchange warranty repair replacement quality shoes jacket laptop battery charger address
        postcode driver van doorstep neighbour signature rude friendly helpful amazing awful
        disappointed angry frustrated happy satisfied unacceptable ridiculous joke shame fix sort
        answer nobody anyone someone finally always never twice third
        """
VOCABULARY = list(dict.fromkeys(WORDS.split()))
# About 2% of mentions carry one of these, so each is a rare search hit (~0.1%).
RARE_PHRASES = [
    "lawsuit", "chargeback", "food poisoning", "data breach", "ombudsman", "trading standards",
    "small claims court", "fraudulent transaction", "allergic reaction", "injury",
    "stranded overnight", "unauthorised payment", "gdpr request", "press enquiry", "journalist",
    "regulator", "class action", "solicitor", "emergency landing", "recall notice",
]  # fmt: skip


# --- data ----------------------------------------------------------------------------------
def create_people():
    """20 departments, three staff each, and the agent who runs the benchmark."""
    from django.contrib.auth import get_user_model

    from spokes import services

    user_model = get_user_model()
    departments = [services.department_create(actor=None, name=name) for name in DEPARTMENTS]
    staff = []
    for department in departments:
        for n in range(STAFF_PER_DEPARTMENT):
            user = user_model(
                username=f"{department.slug}-{n}", first_name="Staff", last_name=str(n)
            )
            user.set_unusable_password()
            user.save()
            services.membership_set(actor=None, user=user, department=department, role="agent")
            staff.append((department, n, user))
    password = secrets.token_urlsafe(16)
    agent = user_model.objects.create_user(username="bench-agent", password=password)
    # The busiest department (the first: departments are drawn with a skew), as the worst case.
    services.membership_set(actor=None, user=agent, department=departments[0], role="agent")
    return departments, staff, agent, password


def generate_mentions(cursor, departments, staff) -> None:
    """Authors, mentions and tags in a few INSERT ... SELECT statements (no rows through Python).

    The table's secondary indexes, unique and foreign-key constraints are dropped first and
    restored from their exact definitions afterwards (building an index or checking a foreign
    key once in bulk is far faster than doing it row by row); the primary key stays.
    """
    cursor.execute("SELECT setseed(0.42)")  # the same data on every run
    cursor.execute(
        """CREATE TEMP TABLE dept_pick AS
           SELECT * FROM unnest(%s::bigint[]) WITH ORDINALITY AS d(id, idx)""",
        [[d.pk for d in departments]],
    )
    cursor.execute(
        """CREATE TEMP TABLE staff_pick AS
           SELECT d.idx AS dept_idx, s.k, s.user_id
           FROM unnest(%s::bigint[], %s::int[], %s::bigint[]) AS s(dept_id, k, user_id)
           JOIN dept_pick d ON d.id = s.dept_id""",
        [[d.pk for d, _, _ in staff], [n for _, n, _ in staff], [u.pk for _, _, u in staff]],
    )

    started = time.monotonic()
    cursor.execute(
        """INSERT INTO spokes_author (source, handle, display_name, followers, profile_url)
           SELECT (ARRAY['twitter','facebook','instagram','tiktok','forum','review','email',
                         'sms','other'])[1 + mod(g, 9)],
                  'fan' || g, 'Fan ' || g,
                  floor(exp(random() * 13))::int,
                  'https://social.example/fan' || g
           FROM generate_series(1, %s) AS g""",
        [AUTHORS],
    )
    cursor.execute(
        """CREATE TEMP TABLE author_pick AS
           SELECT row_number() OVER (ORDER BY id) AS idx, id, source, followers
           FROM spokes_author"""
    )
    cursor.execute("CREATE UNIQUE INDEX ON author_pick (idx)")
    log(f"{AUTHORS:,} authors in {time.monotonic() - started:.1f}s")

    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid)
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = 'spokes_mention'::regclass
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"""
    )
    indexes = cursor.fetchall()
    cursor.execute(  # unique constraints first ('u' > 'f'): a foreign key may rely on one
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE conrelid = 'spokes_mention'::regclass AND contype IN ('u', 'f')
           ORDER BY contype DESC"""
    )
    constraints = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE spokes_mention DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    cursor.execute("SET work_mem = '256MB'")  # the ORDER BY below sorts in memory

    started = time.monotonic()
    cursor.execute(
        """
        WITH gen AS MATERIALIZED (
            SELECT g,
                   1 + floor(%(departments)s * power(random(), 1.5))::int AS dept_idx,
                   1 + floor(%(authors)s * power(random(), 3))::int AS author_idx,
                   floor(random() * %(staff)s)::int AS staff_k,
                   -- 90 days, plus a burst (an incident) of 2.5%% of the volume 10 days ago
                   CASE WHEN mod(g, 40) = 0
                        THEN interval '10 days' + random() * interval '6 hours'
                        ELSE random() * interval '90 days' END AS age,
                   random() AS r_open, random() AS r_kind, random() AS r_prio,
                   random() AS r_misc
            FROM generate_series(1, %(mentions)s) AS g
        ), typed AS (
            SELECT gen.*,
                   now() - age AS received_at,
                   CASE WHEN r_prio < 0.2 THEN 1 WHEN r_prio < 0.8 THEN 2
                        WHEN r_prio < 0.95 THEN 3 ELSE 4 END AS priority,
                   -- most of today's mentions are open, a few old ones linger
                   CASE WHEN r_open < CASE WHEN age < interval '1 day' THEN 0.9
                                           WHEN age < interval '3 days' THEN 0.5
                                           ELSE 0.04 END
                        THEN (ARRAY['new','new','new','assigned','assigned','assigned',
                                    'watching','awaiting_approval','taken_offline',
                                    'transferred'])[1 + floor(r_kind * 10)::int]
                        ELSE (ARRAY['resolved','resolved','resolved','resolved','resolved',
                                    'resolved','replied','replied','spam',
                                    'spam'])[1 + floor(r_kind * 10)::int]
                   END AS status,
                   (SELECT string_agg(
                               (%(vocabulary)s::text[])[
                                   1 + floor(%(words)s * power(random(), 2))::int], ' ')
                    FROM generate_series(1, 6 + mod(gen.g * 7, 15)))
                   || CASE WHEN r_misc < 0.02
                           THEN ' ' || (%(rare)s::text[])[
                                   1 + floor(random() * %(rare_count)s)::int]
                           ELSE '' END AS text
            FROM gen
        )
        INSERT INTO spokes_mention (
            source, external_id, author_id, reach, text, url, language, posted_at,
            received_at, department_id, status, priority, assignee_id, contact_point,
            sentiment, flags, sla_due_at, first_response_at, resolved_at, triaged_at,
            updated_at)
        SELECT a.source, 'bench-' || t.g, a.id, a.followers, t.text,
               'https://social.example/' || a.source || '/' || t.g, 'en',
               t.received_at - t.r_misc * interval '15 minutes',
               t.received_at, d.id, t.status, t.priority,
               CASE WHEN t.status IN ('assigned', 'awaiting_approval', 'taken_offline',
                                      'replied', 'resolved') THEN s.user_id END,
               (ARRAY['', 'presale', 'postsale', 'ready_to_receive', 'problem',
                      'problem'])[1 + floor(t.r_misc * 6)::int],
               round(least(1, greatest(-1, (random() - 0.6) * 2.2))::numeric, 3)::float,
               CASE WHEN t.r_misc < 0.01 THEN '["threat"]'
                    WHEN t.r_misc < 0.03 THEN '["high_reach"]' ELSE '[]' END::jsonb,
               t.received_at + (ARRAY[interval '72 hours', interval '24 hours',
                                      interval '4 hours', interval '1 hour'])[t.priority],
               CASE WHEN t.status IN ('replied', 'resolved', 'taken_offline')
                    THEN t.received_at + t.r_misc * interval '3 hours' END,
               CASE WHEN t.status = 'resolved'
                    THEN least(now(), t.received_at + t.r_kind * interval '2 days') END,
               t.received_at + interval '1 second',
               t.received_at + interval '1 second'
        FROM typed t
        JOIN author_pick a ON a.idx = t.author_idx
        JOIN dept_pick d ON d.idx = t.dept_idx
        LEFT JOIN staff_pick s ON s.dept_idx = t.dept_idx AND s.k = t.staff_k
        ORDER BY t.received_at  -- rows land in arrival order, as they would in production
        """,
        {
            "departments": len(departments),
            "authors": AUTHORS,
            "staff": STAFF_PER_DEPARTMENT,
            "mentions": MENTIONS,
            "vocabulary": VOCABULARY,
            "words": len(VOCABULARY),
            "rare": RARE_PHRASES,
            "rare_count": len(RARE_PHRASES),
        },
    )
    log(f"{MENTIONS:,} mentions in {time.monotonic() - started:.1f}s")

    started = time.monotonic()
    cursor.execute("INSERT INTO spokes_tag (name) SELECT unnest(%s::text[])", [TAGS])
    cursor.execute(
        """INSERT INTO spokes_mention_tags (mention_id, tag_id)
           SELECT m.id, t.id
           FROM spokes_mention m
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS idx FROM spokes_tag) t
             ON t.idx = mod(m.id, %s)
           WHERE random() < 0.08""",
        [len(TAGS)],
    )
    log(f"tags in {time.monotonic() - started:.1f}s")

    cursor.execute("RESET work_mem")
    started = time.monotonic()
    for name, definition in indexes:
        step = time.monotonic()
        cursor.execute(definition)
        log(f"  index {name} rebuilt in {time.monotonic() - step:.1f}s")
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE spokes_mention ADD CONSTRAINT "{name}" {definition}')
    log(f"indexes and constraints rebuilt in {time.monotonic() - started:.1f}s")


def describe_data(cursor, department) -> dict:
    cursor.execute(
        "SELECT count(*), count(DISTINCT author_id) FROM spokes_mention WHERE department_id = %s",
        [department.pk],
    )
    rows, authors = cursor.fetchone()
    cursor.execute(
        """SELECT status, count(*) FROM spokes_mention WHERE department_id = %s
           GROUP BY status ORDER BY 2 DESC""",
        [department.pk],
    )
    statuses = dict(cursor.fetchall())
    cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('spokes_mention'))")
    size = cursor.fetchone()[0]
    log(f"department {department.slug}: {rows:,} mentions, {authors:,} authors, {statuses}")
    log(f"spokes_mention with indexes: {size}")
    return {"department_mentions": rows, "table_size": size}


# --- HTTP ----------------------------------------------------------------------------------
def measure_http(stack, username, password, slug, db_sessions) -> dict:
    """Timed sequential GETs; also the stack's CPU time and new database sessions per request."""
    session = HttpSession(stack.urls)
    session.login(username, password)
    pids = list(stack.pids.values())
    queue = f"/d/{slug}/"
    marker = 'id="queue-rows"'

    log(f"following {DEEP_PAGES} 'Next page' links")
    path = queue
    for _ in range(DEEP_PAGES):
        page = session.get(path)
        href = link_by_id(page.body, "next-page")
        if page.status != 200 or not href:
            raise RuntimeError(f"no next page at {path} (HTTP {page.status})")
        path = queue + href if href.startswith("?") else href
    deep = path
    searches = [f"{queue}?{urllib.parse.urlencode({'q': q, 'status': 'all'})}" for q in SEARCHES]

    for name, paths in (("first", [queue]), ("deep", [deep]), ("search", searches)):
        timed(session, (paths * WARMUP)[:WARMUP], expect=marker)
        log(f"warmed up {name}")

    # The three kinds take turns (and the search words too), so that other work on the machine
    # weighs on all of them alike.
    kinds = {"queue_first": [queue], "queue_deep": [deep], "search": searches}
    results = {name: [] for name in kinds}
    cpu = dict.fromkeys(kinds, 0.0)
    sessions_before, sent_before = db_sessions(), session.count
    for n in range(REQUESTS):
        for name, paths in kinds.items():
            cpu_before = process_cpu_ms(pids)
            results[name] += timed(session, [paths[n % len(paths)]], expect=marker)
            cpu[name] += process_cpu_ms(pids) - cpu_before
    for name in kinds:
        cpu[name] = round(cpu[name] / REQUESTS, 1)
        log(f"{name}: {summary(results[name])}, server CPU {cpu[name]} ms/request")
    sent = session.count - sent_before
    time.sleep(1.1)  # PostgreSQL publishes session counts at most once a second
    connects = round((db_sessions() - sessions_before) / sent, 2)
    log(f"new database connections per request: {connects}")

    by_word = {}
    for n, word in enumerate(SEARCHES):
        samples = results["search"][n :: len(SEARCHES)]
        hits = session.get(searches[n]).body.count("data-mention-id=")
        by_word[word] = summary(samples)["p95"]
        log(f"search {word!r} ({hits} rows on page 1): {summary(samples)}")
    session.close()
    return {
        **results,
        "deep_path": deep,
        "search_paths": searches,
        "search_by_word": by_word,
        "server_cpu": cpu,
        "db_connects_per_request": connects,
    }


# --- queries -------------------------------------------------------------------------------
def inspect_queries(agent, paths: dict[str, str]) -> dict:
    """Count the SQL of each page (rendered in-process) and EXPLAIN ANALYZE the mention ones."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(agent)
    report = {}
    with connection.cursor() as cursor:
        for name, path in paths.items():
            assert client.get(path).status_code == 200  # warm caches (content types, ...)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200
            plans = [
                explain(cursor, q["sql"], repeat=3)
                for q in captured.captured_queries
                if "spokes_mention" in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
            ]
            log(f"{name}: {len(captured)} queries")
            if name == "queue_first":
                for query in captured.captured_queries:
                    log(f"  {query['sql'][:150]}")
            log("  on mentions:")
            for plan in plans:
                jit = " JIT" if plan.jit else ""
                log(f"  {plan.execution_ms:.2f} ms {plan.indexes} seq={plan.seq_scans}{jit}")
                log("    " + plan.sql[:300])
                for line in plan.text.splitlines():
                    log("    | " + line)
            report[name] = {
                "queries": len(captured),
                "mention_sql_ms": round(sum(p.execution_ms for p in plans), 2),
                "indexes": sorted({i for p in plans for i in p.indexes}),
                "seq_scans": sorted({s for p in plans for s in p.seq_scans}),
                "jit": any(p.jit for p in plans),
            }
    return report


def db_sessions() -> int:
    """Sessions ever opened on the database (PostgreSQL 14+)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # let the stack's __exit__ run
    bench_started = time.monotonic()
    data_dir = tempfile.TemporaryDirectory(prefix="firebreak-bench.")
    os.environ.update(production_env(data_dir=data_dir.name))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    log("migrate")
    call_command("migrate", "--no-input", verbosity=0)
    started = time.monotonic()
    departments, staff, agent, password = create_people()
    with connection.cursor() as cursor:
        generate_mentions(cursor, departments, staff)
        step = time.monotonic()
        # Autovacuum would get there in production; it also fills the visibility map.
        cursor.execute("VACUUM ANALYZE")
        log(f"VACUUM ANALYZE in {time.monotonic() - step:.1f}s")
        generation_s = time.monotonic() - started
        log(f"data ready in {generation_s:.1f}s")
        data = describe_data(cursor, departments[0])
    connection.close()

    load_before = os.getloadavg()[0]
    with ProdStack(web=2, workers=0, data_dir=data_dir.name) as stack:
        http = measure_http(stack, agent.username, password, departments[0].slug, db_sessions)
    load_after = os.getloadavg()[0]
    queue = f"/d/{departments[0].slug}/"
    pages = {"queue_first": queue, "queue_deep": http["deep_path"]}
    pages.update(
        (f"search {q!r}", path) for q, path in zip(SEARCHES, http["search_paths"], strict=True)
    )
    queries = inspect_queries(agent, pages)
    data_dir.cleanup()

    first, deep, search = (summary(http[k]) for k in ("queue_first", "queue_deep", "search"))
    result = {
        "mentions": MENTIONS,
        "queue_first_p50_ms": first["p50"],
        "queue_first_p95_ms": first["p95"],
        "queue_deep_p50_ms": deep["p50"],
        "queue_deep_p95_ms": deep["p95"],
        "search_p50_ms": search["p50"],
        "search_p95_ms": search["p95"],
        "search_p95_ms_by_word": http["search_by_word"],
        "queries_per_page": queries["queue_first"]["queries"],
        "targets_met": {
            "queue_first": first["p95"] < QUEUE_TARGET_MS,
            "queue_deep": deep["p95"] < QUEUE_TARGET_MS,
            "search": search["p95"] < SEARCH_TARGET_MS,
        },
        "mention_sql_ms": {k: v["mention_sql_ms"] for k, v in queries.items()},
        "seq_scans_on_mentions": sorted(
            k for k, v in queries.items() if "spokes_mention" in v["seq_scans"]
        ),
        "jit_in_plans": sorted(k for k, v in queries.items() if v["jit"]),
        "server_cpu_ms_per_request": http["server_cpu"],
        "db_connects_per_request": http["db_connects_per_request"],
        "department_mentions": data["department_mentions"],
        "requests_each": REQUESTS,
        "loadavg_1m": [round(load_before, 2), round(load_after, 2)],
        "generation_s": round(generation_s, 1),
        "total_s": round(time.monotonic() - bench_started, 1),
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Insights benchmark: 1,000,000 mentions on PostgreSQL, the production stack, real HTTP.

Run it with ``make bench-insights`` (PostgreSQL and Redis come from scripts/with-services.sh).
The mentions, authors and tags are bench/queue.py's data set (same generator, same seed);
on top come compensation offers and sent replies. The dashboard is timed for a department
lead (their busiest department, last 30 days) and for central comms (all departments, last
30 days). Progress goes to stderr; the last line of stdout is one JSON object.
"""
# ruff: noqa: E402 - the path must be fixed before anything imports the ``insights`` app.

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file shares its name with the ``insights`` app: with its directory first on sys.path,
# ``import insights`` would load this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import json
import os
import secrets
import signal
import tempfile
import time

from bench.common import HttpSession, explain, log, summary, timed
from scripts.prodstack import ProdStack, production_env

MENTIONS = int(os.environ.get("BENCH_MENTIONS", "1000000"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "10"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
# The index the dashboard's live queries need on spokes_mention (proposed for spokes'
# migrations): a range on (department_id, received_at) read by an index-only scan.
PROPOSED_INDEX = (
    "CREATE INDEX IF NOT EXISTS mention_insights_period ON spokes_mention "
    "(department_id, received_at) INCLUDE (source, priority, first_response_at, resolved_at, "
    "sla_due_at, author_id, reach) WHERE department_id IS NOT NULL"
)
MARKER = 'id="table-sla"'


def create_viewers(departments):
    """A lead of the busiest department and a central-comms user, with passwords."""
    from django.contrib.auth import get_user_model

    from spokes import services

    user_model = get_user_model()
    password = secrets.token_urlsafe(16)
    lead = user_model.objects.create_user(username="bench-lead", password=password)
    services.membership_set(actor=None, user=lead, department=departments[0], role="lead")
    comms = user_model.objects.create_user(
        username="bench-comms", password=password, org_role="comms"
    )
    return lead, comms, password


def generate_offers_and_replies(cursor, departments) -> dict:
    """Offers on 2% of mentions and a sent public reply on every answered mention's first
    response, written by the department's staff (INSERT ... SELECT, nothing through Python)."""
    started = time.monotonic()
    cursor.execute(
        """INSERT INTO hub_compensationpolicy (name, kind, unit, description, is_active,
                                               updated_at)
           VALUES ('Voucher', 'voucher', 'money', '', true, now()),
                  ('Refund', 'refund', 'money', '', true, now()),
                  ('Free day', 'free_day', 'day', '', true, now())
           RETURNING id"""
    )
    policies = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        """INSERT INTO hub_compensationoffer
               (mention_id, author_id, department_id, policy_id, severity, amount, unit, value,
                currency, note, status, needs_approval, limit_at_offer, offered_by_id,
                created_at, updated_at)
           SELECT m.id, m.author_id, m.department_id,
                  (%(policies)s::bigint[])[1 + mod(m.id, 3)], 'minor', v.value, 'money', v.value,
                  'EUR', '',
                  (ARRAY['offered','accepted','fulfilled','fulfilled','declined','proposed'])[
                      1 + mod(m.id / 7, 6)],
                  v.value > 50, 50, m.assignee_id, m.received_at + interval '1 hour',
                  m.received_at + interval '1 hour'
           FROM spokes_mention m
           CROSS JOIN LATERAL (SELECT (5 + mod(m.id * 13, 120))::numeric AS value) v
           WHERE mod(m.id, 50) = 0 AND m.assignee_id IS NOT NULL""",
        {"policies": policies},
    )
    offers = cursor.rowcount
    cursor.execute(
        """INSERT INTO replies_reply
               (mention_id, author_id, kind, text, signature, template_text, state,
                approval_reasons, is_priority, submitted_at, decision_comment,
                idempotency_key, connector, external_id, attempts, last_error, queued_at,
                sent_at, created_at, updated_at)
           SELECT m.id, m.assignee_id, 'public', 'Thanks, sorted.', '', '', 'sent',
                  CASE WHEN mod(m.id, 10) = 0 THEN '["over_limit"]' ELSE '[]' END::jsonb,
                  false, m.first_response_at - interval '1 minute', '', gen_random_uuid(), 'log',
                  'out-' || m.id, 1, '', m.first_response_at, m.first_response_at,
                  m.first_response_at - interval '2 minutes', m.first_response_at
           FROM spokes_mention m
           WHERE m.first_response_at IS NOT NULL AND m.assignee_id IS NOT NULL"""
    )
    replies = cursor.rowcount
    log(f"{offers:,} offers and {replies:,} replies in {time.monotonic() - started:.1f}s")
    return {"offers": offers, "replies": replies}


def inspect_queries(user, path: str) -> dict:
    """Render the page in-process: count its SQL and EXPLAIN ANALYZE the slow ones."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    report = {"queries": len(captured), "slowest": []}
    with connection.cursor() as cursor:
        plans = [
            explain(cursor, q["sql"])
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
    plans.sort(key=lambda p: -p.execution_ms)
    log(f"{path}: {len(captured)} queries; slowest:")
    for plan in plans[:6]:
        log(f"  {plan.execution_ms:.1f} ms {plan.indexes} seq={plan.seq_scans}: {plan.sql[:160]}")
        report["slowest"].append(round(plan.execution_ms, 1))
    report["sql_ms"] = round(sum(p.execution_ms for p in plans), 1)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import io
        import pstats

        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.runcall(client.get, path)
        log(f"in-process render of {path}: {(time.perf_counter() - started) * 1000:.0f} ms")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        log(out.getvalue())
    return report


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # let the stack's __exit__ run
    os.environ.setdefault("BENCH_MENTIONS", str(MENTIONS))
    bench_started = time.monotonic()
    data_dir = tempfile.TemporaryDirectory(prefix="firebreak-bench.")
    os.environ.update(production_env(data_dir=data_dir.name))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max

    from bench.queue import create_people, describe_data, generate_mentions
    from insights.models import Snapshot
    from insights.rollups import rollups_refresh
    from insights.snapshots import snapshots_refresh

    log("migrate")
    call_command("migrate", "--no-input", verbosity=0)
    started = time.monotonic()
    departments, staff, _agent, _ = create_people()
    lead, comms, password = create_viewers(departments)
    with connection.cursor() as cursor:
        generate_mentions(cursor, departments, staff)
        extra = generate_offers_and_replies(cursor, departments)
        step = time.monotonic()
        cursor.execute(PROPOSED_INDEX)
        log(f"proposed index mention_insights_period built in {time.monotonic() - step:.1f}s")
        cursor.execute("VACUUM ANALYZE")
        data = describe_data(cursor, departments[0])
    step = time.monotonic()
    rollups_refresh(days=91)
    rollup_s = time.monotonic() - step
    log(f"roll-ups for 91 days in {rollup_s:.1f}s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE insights_dailyvolume, insights_hourlyvolume")
    # What Celery beat does every few minutes: the preset dashboards, precomputed.
    step = time.monotonic()
    snapshots = snapshots_refresh()
    snapshot_s = time.monotonic() - step
    took = dict(
        Snapshot.objects.values("scope_key")
        .annotate(ms=Max("took_ms"))
        .values_list("scope_key", "ms")
    )
    log(f"{snapshots} snapshots in {snapshot_s:.1f}s; slowest per scope (ms): {took}")
    generation_s = time.monotonic() - started
    log(f"data ready in {generation_s:.1f}s")
    connection.close()

    dept_path = f"/insights/?department={departments[0].slug}&days=30"
    all_path = "/insights/?days=30"
    # In-process first: the query count, the plans, and any error with its traceback.
    queries = {"dept": inspect_queries(lead, dept_path), "all": inspect_queries(comms, all_path)}
    connection.close()
    with ProdStack(web=2, workers=0, data_dir=data_dir.name) as stack:
        samples = {}
        try:
            for name, user, path in (("dept", lead, dept_path), ("all", comms, all_path)):
                session = HttpSession(stack.urls)
                session.login(user.username, password)
                timed(session, [path] * WARMUP, expect=MARKER)
                samples[name] = timed(session, [path] * REQUESTS, expect=MARKER)
                log(f"{name} {path}: {summary(samples[name])}")
                session.close()
        except Exception:
            for logfile in sorted(stack.log_dir.glob("*.log")):
                log(f"--- {logfile.name}\n{logfile.read_text(errors='replace')[-3000:]}")
            raise
    data_dir.cleanup()

    dept, every = summary(samples["dept"]), summary(samples["all"])
    details = {
        "dept": dept,
        "all": every,
        "queries_per_page": {k: v["queries"] for k, v in queries.items()},
        "sql_ms": {k: v["sql_ms"] for k, v in queries.items()},
        "department_mentions": data["department_mentions"],
        **extra,
        "rollup_91_days_s": round(rollup_s, 1),
        "snapshots_refresh_s": round(snapshot_s, 1),
        "requests_each": REQUESTS,
        "generation_s": round(generation_s, 1),
        "total_s": round(time.monotonic() - bench_started, 1),
    }
    log("details: " + json.dumps(details))
    result = {"mentions": MENTIONS, "dept_p95_ms": dept["p95"], "all_p95_ms": every["p95"]}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

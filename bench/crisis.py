"""Crisis drill: an ordinary week, then a burst of complaints; how fast does comms hear of it?

Run it with ``make bench-crisis`` (PostgreSQL and Redis from scripts/with-services.sh). On the
production stack (2 uvicorn processes, 2 Celery workers, channels-redis):

1. a simulated week of ordinary traffic (posted over the last 7 days, compressed into a few
   minutes of ingestion: a daily rhythm, quieter weekends and noise) goes in through the
   ingestion API, hour by hour, with an API key made by ``manage.py create_api_key``;
   any spike alert raised then is a false alert;
2. a websocket client logged in as central comms subscribes to the hub; a burst of complaints
   about one topic (checkout) arrives in small batches, as a listening tool would push them;
3. the alert's latency is the time from the arrival of the ingest whose triage crossed the
   threshold (``trigger_received_at`` in the alert, stamped before that ingest commits, so
   the figure is an upper bound) to the alert reaching the websocket client.

Progress goes to stderr; the last line of stdout is one JSON object.
"""
# ruff: noqa: E402

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard ``queue`` if this script's directory led sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import io
import json
import math
import os
import random
import signal
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta

from bench.common import HttpSession, log
from scripts.prodstack import ProdStack, production_env

SEED = int(os.environ.get("BENCH_SEED", "2026"))
PEAK_PER_HOUR = float(os.environ.get("BENCH_PEAK", "120"))  # all departments, weekday 14:00
BURST_BATCH = int(os.environ.get("BENCH_BURST_BATCH", "8"))
BURST_INTERVAL = float(os.environ.get("BENCH_BURST_INTERVAL", "0.25"))
BURST_MAX = int(os.environ.get("BENCH_BURST_MAX", "400"))
PASSWORD = "crisis-drill-password-42"  # noqa: S105 - a throw-away database

DEPARTMENTS = {
    "billing": ("Billing", ["invoice", "refund", "payment", "charged"]),
    "delivery": ("Delivery", ["parcel", "courier", "tracking", "delivery"]),
    "web": ("Web shop", ["website", "checkout", "basket"]),
    "stores": ("Stores", ["store", "shop", "staff"]),
    "support": ("Support", []),
}
ORDINARY = [
    "Can I get a copy of my invoice for last month?",
    "Still waiting for my refund, any news?",
    "Payment went through, thanks!",
    "Why was I charged twice this month?",
    "Where is my parcel? Tracking has not moved since Monday",
    "The courier was lovely today, thank you",
    "Delivery came early, great service",
    "Is the store in Leeds open on Sunday?",
    "Staff at the Camden shop were so helpful",
    "The shop was a mess today, disappointing",
    "Love the new website design",
    "Is there a discount code for students?",
    "How do I change my address on the website?",
    "Your basket page is slow today",
    "Checkout worked fine, order placed",
    "Thanks for the quick answer yesterday!",
    "Who do I talk to about a partnership?",
    "Just placed my first order, excited",
    "Any plans for a loyalty scheme?",
    "The app is ok but could be faster",
]
BURST = [
    "Checkout is broken, cannot pay for anything. Useless!",
    "Anyone else unable to checkout? Card rejected every time, so frustrating",
    "Checkout keeps failing with an error, this is ridiculous",
    "Tried to checkout five times, still broken. Terrible.",
    "Your checkout is down and nobody says anything. Awful service",
]


# --- traffic ---------------------------------------------------------------------------------
def rate(moment: datetime) -> float:
    hour = moment.hour + moment.minute / 60
    daily = 0.12 + 0.88 * math.exp(-((hour - 14) ** 2) / 20)
    weekly = 0.6 if moment.weekday() >= 5 else 1.0
    return PEAK_PER_HOUR * daily * weekly


def poisson(rng: random.Random, mean: float) -> int:
    noisy = mean * rng.uniform(0.85, 1.15)
    return max(0, round(rng.gauss(noisy, math.sqrt(max(noisy, 1e-9)))))


def item(rng, *, external_id, text, posted, handle, followers):
    return {
        "source": rng.choice(["twitter", "facebook", "instagram", "forum"]),
        "external_id": external_id,
        "author": {"handle": handle, "followers": followers},
        "text": text,
        "posted_at": posted.isoformat(),
        "language": "en",
    }


def ordinary_hour(rng, start: datetime, end: datetime, counter: list) -> list[dict]:
    span = (end - start).total_seconds()
    count = poisson(rng, rate(start) * span / 3600)
    items = []
    for _ in range(count):
        counter[0] += 1
        posted = start + timedelta(seconds=rng.uniform(0, span))
        items.append(
            item(
                rng,
                external_id=f"week-{counter[0]}",
                text=rng.choice(ORDINARY),
                posted=posted,
                handle=f"customer{rng.randrange(20000)}",
                followers=int(rng.paretovariate(1.2) * 80),
            )
        )
    return items


# --- the stack and the clients ----------------------------------------------------------------
def prepare() -> tuple[str, str]:
    """Departments, a central comms user and an integration key (printed once by the
    management command): returns (username, api key)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from spokes.models import Department

    for slug, (name, keywords) in DEPARTMENTS.items():
        department, _ = Department.objects.get_or_create(slug=slug, defaults={"name": name})
        department.routing_keywords = keywords
        department.is_default = slug == "support"
        department.save()
    user, _ = get_user_model().objects.get_or_create(username="comms")
    user.org_role = "comms"
    user.set_password(PASSWORD)
    user.save()
    out = io.StringIO()
    call_command(
        "create_api_key", "Crisis drill", "--departments", "all", "--scopes", "read,write",
        stdout=out,
    )  # fmt: skip
    key = out.getvalue().strip().splitlines()[-1].strip()
    return user.username, key


def post(url: str, key: str, items: list[dict]) -> tuple[float, float, dict]:
    request = urllib.request.Request(  # noqa: S310 - our own http:// stack
        f"{url}/api/v1/mentions/",
        data=json.dumps(items).encode(),
        headers={"Authorization": f"Api-Key {key}", "Content-Type": "application/json"},
        method="POST",
    )
    sent = time.time()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        body = json.loads(response.read())
        if response.status not in (200, 207):
            raise RuntimeError(f"ingest: HTTP {response.status}")
    return sent, time.time(), body


class HubListener(threading.Thread):
    """A browser-like websocket client of central comms, subscribed to the hub group."""

    def __init__(self, url: str, session_cookie: str):
        super().__init__(daemon=True)
        self.url = url.replace("http://", "ws://") + "/ws/live/"
        self.origin = url
        self.cookie = session_cookie
        self.alerts: list[tuple[float, dict]] = []
        self.subscribed = threading.Event()
        self.stop = threading.Event()

    def run(self):
        from websockets.sync.client import connect

        with connect(
            self.url,
            additional_headers={"Cookie": f"sessionid={self.cookie}", "Origin": self.origin},
        ) as socket:
            socket.send(json.dumps({"action": "subscribe", "kind": "hub", "key": ""}))
            while not self.stop.is_set():
                try:
                    raw = socket.recv(timeout=0.5)
                except TimeoutError:
                    continue
                arrived = time.time()
                message = json.loads(raw)
                if message.get("type") == "subscribed":
                    self.subscribed.set()
                elif message.get("event") == "alert.spike":
                    self.alerts.append((arrived, message))


def wait_triaged(timeout: float = 300.0) -> float:
    from spokes.models import Mention

    deadline = time.monotonic() + timeout
    while Mention.objects.filter(triaged_at__isnull=True).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("triage did not catch up")
        time.sleep(0.05)
    return time.time()


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    data_dir = tempfile.TemporaryDirectory(prefix="firebreak-crisis.")
    os.environ.update(production_env(data_dir=data_dir.name))
    os.environ["API_RATE_LIMIT"] = "100000/min"  # the drill is one fast listening tool

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from spokes.models import Mention, SpikeAlert

    call_command("migrate", "--no-input", verbosity=0)
    username, key = prepare()
    connection.close()
    rng = random.Random(SEED)
    with ProdStack(web=2, workers=2, concurrency=2, data_dir=data_dir.name) as stack:
        url = stack.urls[0]
        browser = HttpSession(stack.urls)
        browser.login(username, PASSWORD)
        listener = HubListener(stack.urls[1], browser.cookies["sessionid"])
        listener.start()
        if not listener.subscribed.wait(10):
            raise RuntimeError("the comms websocket did not subscribe to the hub")

        # 1. the ordinary week, hour by hour, oldest first
        now = datetime.now(UTC)
        current_hour = now.replace(minute=0, second=0, microsecond=0)
        hour = current_hour - timedelta(days=7)
        counter = [0]
        week_started = time.time()
        sent = 0
        while hour <= current_hour:
            end = min(hour + timedelta(hours=1), now)
            batch = ordinary_hour(rng, hour, end, counter)
            for start in range(0, len(batch), 1000):
                post(url, key, batch[start : start + 1000])
            sent += len(batch)
            hour += timedelta(hours=1)
            if hour.hour == 0:
                wait_triaged()  # keep the history a day ahead of the evaluation
        week_done = wait_triaged()
        triaged = Mention.objects.count()
        triage_per_s = triaged / max(week_done - week_started, 1e-6)
        time.sleep(1.0)  # let any alert event arrive
        false_alerts = SpikeAlert.objects.count()
        for alert in SpikeAlert.objects.order_by("id"):
            log(
                f"false alert: {alert.label} ({alert.metric}) {alert.observed} vs "
                f"{alert.baseline}±{alert.baseline_std} z {alert.z_score} at {alert.window_end}"
            )
        log(f"ordinary week: {triaged} mentions in {week_done - week_started:.1f}s "
            f"({triage_per_s:.0f}/s end to end), {false_alerts} alert(s)")  # fmt: skip
        connection.close()

        # 2. the burst
        alerts_before = len(listener.alerts)
        burst_started = time.time()
        n = 0
        while n < BURST_MAX and len(listener.alerts) == alerts_before:
            batch = []
            for _ in range(BURST_BATCH):
                n += 1
                batch.append(
                    item(
                        rng,
                        external_id=f"burst-{n}",
                        text=rng.choice(BURST),
                        posted=datetime.now(UTC),
                        handle=f"angry{rng.randrange(5000)}",
                        followers=int(rng.paretovariate(1.2) * 80),
                    )
                )
            post(url, key, batch)
            time.sleep(BURST_INTERVAL)
        deadline = time.time() + 10
        while len(listener.alerts) == alerts_before and time.time() < deadline:
            time.sleep(0.05)

        # 3. one bulk batch of 1,000 (backfill from a month ago: no baseline, no verdict)
        wait_triaged()
        old = datetime.now(UTC) - timedelta(days=30)
        backfill = ordinary_hour(rng, old, old + timedelta(hours=1), counter)
        while len(backfill) < 1000:
            backfill += ordinary_hour(rng, old, old + timedelta(hours=1), counter)
        _, answered, _ = post(url, key, backfill[:1000])
        batch_ms = (wait_triaged() - answered) * 1000
        log(f"a batch of 1,000 triaged {batch_ms:.0f} ms after its ingest answered")
        listener.stop.set()
        listener.join(5)
        browser.close()

    missed = 0 if len(listener.alerts) > alerts_before else 1
    latency_ms = None
    if not missed:
        arrived, alert = listener.alerts[alerts_before]
        trigger = datetime.fromisoformat(alert["trigger_received_at"]).timestamp()
        latency_ms = round((arrived - trigger) * 1000, 1)
        log(
            f"alert {alert['label']!r}: {alert['mention_count']} mentions, "
            f"{alert['unique_authors']} authors, reach {alert['total_reach']}, z {alert['z']}, "
            f"after {n} burst mentions in {arrived - burst_started:.1f}s"
        )
    data_dir.cleanup()
    result = {
        "alert_latency_ms": latency_ms,
        "false_alerts": false_alerts,
        "missed": missed,
        "triage_per_s": round(triage_per_s, 1),
        "batch_1000_triage_ms": round(batch_ms),
        "week_mentions": sent,
        "burst_mentions_sent": n,
    }
    print(json.dumps(result), flush=True)
    return 0 if not missed and not false_alerts and latency_ms < 2000 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Garbage-collector settings for long-lived server processes (ASGI web, Celery workers)."""

import gc


def tune_for_server() -> None:
    """Call once start-up is done.

    * What start-up loaded (Django, apps, templates) lives as long as the process: frozen, the
      collector no longer walks it on every pass. At 1,000 websockets those passes stalled
      every socket of the process (bench-fanout p99).
    * A queue page or a triage batch makes tens of thousands of short-lived objects (rows,
      template nodes, model instances); with the default threshold (700) the young generation
      is collected many times per request and the older ones often enough to show in tail
      latency. Collecting less often keeps the work bounded; cycles are still collected.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)

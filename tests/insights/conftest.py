"""A small fixed data set with known answers.

billing (the ``lead``'s department), received in the last few hours:
* five answered mentions, first responses after 10, 20, 30, 40 and 100 minutes, each due
  35 minutes after arrival: median 30 min, p90 76 min (linear interpolation), 3 met, 2 late;
* one unanswered mention already overdue (breached) and one not yet due (left out);
  SLA compliance 3 / (3 + 3) = 50 %;
* authors: ``loud`` wrote 4 of the 7 mentions, three others one each (4 unique authors; the
  top 1 % is one author: 4/7 = 57.1 %; the top 10 wrote all); reach 1000 + 200 + 50 + 10.

support (``other_lead``'s): two mentions answered after 5 minutes.
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AuthorFactory, MentionFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop + live_server

FIRST_RESPONSE_MINUTES = [10, 20, 30, 40, 100]


@pytest.fixture(autouse=True)
def _customer_base(settings):
    settings.INSIGHTS_CUSTOMER_BASE = 1000


@pytest.fixture
def dataset(billing, support):
    now = timezone.now()
    loud = AuthorFactory(handle="loud", followers=1000)
    others = [AuthorFactory(handle=h, followers=f) for h, f in (("b", 200), ("c", 50), ("d", 10))]
    authors = [loud, loud, loud, others[0], others[1]]
    reach = {loud.pk: 1000, others[0].pk: 200, others[1].pk: 50, others[2].pk: 10}
    created = []
    for n, (minutes, author) in enumerate(zip(FIRST_RESPONSE_MINUTES, authors, strict=True)):
        received = now - timedelta(hours=3, minutes=n)
        created.append(
            MentionFactory(
                department=billing,
                author=author,
                reach=reach[author.pk],
                received_at=received,
                posted_at=received,
                sla_due_at=received + timedelta(minutes=35),
                first_response_at=received + timedelta(minutes=minutes),
                sentiment=-0.6,
                flags=["legal"] if n == 0 else [],
                text="Refund refund my ticket please",
            )
        )
    overdue = now - timedelta(hours=2)
    created.append(
        MentionFactory(
            department=billing, author=loud, reach=1000, received_at=overdue, posted_at=overdue,
            sla_due_at=overdue + timedelta(minutes=35), sentiment=0.5, text="Still waiting",
        )
    )  # fmt: skip
    fresh = now - timedelta(minutes=5)
    created.append(
        MentionFactory(
            department=billing, author=others[2], reach=10, received_at=fresh, posted_at=fresh,
            sla_due_at=fresh + timedelta(minutes=35), sentiment=0.0, text="Lovely crew today",
        )
    )  # fmt: skip
    for _ in range(2):
        received = now - timedelta(hours=1)
        created.append(
            MentionFactory(
                department=support, received_at=received, posted_at=received,
                sla_due_at=received + timedelta(minutes=35),
                first_response_at=received + timedelta(minutes=5), text="Support question",
            )
        )  # fmt: skip
    from insights.rollups import rollups_refresh

    rollups_refresh(days=7)
    return created


# --- browser tests (headless Chromium against live_server) ---------------------------------


@pytest.fixture
def browser_errors(page, published):
    """Console errors, uncaught exceptions and CSP violations on the page. The live socket is
    answered in the page (live_server has no websocket) and live events are captured."""
    import re

    errors = []
    page.set_default_timeout(5_000)
    page.route_web_socket(re.compile(r"/ws/live/$"), lambda ws: None)
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors

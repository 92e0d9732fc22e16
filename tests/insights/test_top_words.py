"""The dashboard's "Top words" count what mentions are about, not what every post is made of.

The list it filtered with missed contractions ("i'm"), most function words ("should",
"because"), and the pieces of handles and links ("acme", "https"), which then led the table.
"""

import pytest
from django.http import QueryDict
from django.utils import timezone

from insights import metrics
from insights.periods import period_from
from insights.selectors import scope_get
from insights.words import words
from tests.factories import MentionFactory

POSTS = [
    "@AcmeSupport I'm still waiting for my refund, it's been because of you https://t.co/Ab1",
    "Hey @acmesupport, should I expect the refund? Thanks! www.example.com/order",
    "RT @someone: the refund never came, we've asked twice. mail me at ana@example.com",
    "Where’s my refund?? Doesn’t anybody read these",
]


@pytest.fixture
def posts(billing):
    now = timezone.now()
    for text in POSTS:
        MentionFactory(department=billing, text=text, received_at=now)


def _top_words(user, department="billing") -> dict:
    ctx = metrics.Context(
        scope=scope_get(user=user, department_slug=department),
        period=period_from(QueryDict("days=7")),
        now=timezone.now(),
    )
    tables = {t.key: t for t in metrics.topics(ctx)}
    return dict(tables["topics_terms"].rows)


@pytest.mark.django_db
def test_the_topic_leads_and_stop_words_handles_and_links_are_left_out(posts, lead):
    top = _top_words(lead)
    assert next(iter(top)) == "refund" and top["refund"] == 4
    left_out = {
        "the", "my", "is", "i'm", "it's", "been", "because", "should", "we've", "doesn't",
        "where's", "these", "hey", "thanks", "rt",  # stop words and filler
        "acmesupport", "someone",  # handles
        "https", "t.co", "www", "example", "com", "order", "ana",  # links, addresses
    }  # fmt: skip
    assert left_out.isdisjoint(top)
    assert {"waiting", "expect", "asked", "twice", "anybody", "read"} <= set(top)


def test_words_keep_other_alphabets_hyphens_and_possessives_as_their_word():
    found = words("Rückerstattung? The follow-up on the refund's status, naïve")
    assert found == {"rückerstattung", "follow-up", "refund", "status", "naïve"}

"""Triage on arrival: sentiment, risk flags, contact point and priority.

VADER reads social text well, but phrases like "refund me now or I sue" score neutral, so
keyword rules raise flags and priority whatever the score.
"""

import re
from functools import lru_cache

from spokes.models import ContactPoint, Priority

RISK_KEYWORDS = {
    "legal": (
        "lawyer",
        "attorney",
        "sue",
        "suing",
        "lawsuit",
        "court",
        "legal action",
        "solicitor",
    ),
    "safety": ("unsafe", "dangerous", "injured", "injury", "fire", "smoke", "accident", "hurt"),
    "outage": ("outage", "down", "not working", "broken", "offline", "crash", "stuck"),
    "health": ("sick", "allergic", "allergy", "hospital", "food poisoning", "ill"),
    "discrimination": ("racist", "discriminat", "sexist", "harass", "homophob"),
}
CONTACT_POINT_KEYWORDS = {
    ContactPoint.PRESALE: ("price", "how much", "available", "do you have", "before i buy", "deal"),
    ContactPoint.READY_TO_RECEIVE: ("delivery", "tracking", "where is my", "arrive", "shipped"),
    ContactPoint.POSTSALE: ("refund", "return", "invoice", "charged", "receipt", "warranty"),
}


@lru_cache(maxsize=1)
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _contains(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}", text) is not None


def sentiment(text: str) -> float:
    return round(_analyzer().polarity_scores(text)["compound"], 3)


def risk_flags(text: str) -> list[str]:
    lowered = text.lower()
    return [
        flag for flag, words in RISK_KEYWORDS.items() if any(_contains(lowered, w) for w in words)
    ]


def contact_point(text: str, flags: list[str], score: float) -> str:
    lowered = text.lower()
    if flags or score <= -0.5:
        return ContactPoint.PROBLEM
    for point, words in CONTACT_POINT_KEYWORDS.items():
        if any(_contains(lowered, w) for w in words):
            return point
    return ContactPoint.POSTSALE if score < 0 else ContactPoint.PRESALE


def priority(*, reach: int, score: float, flags: list[str]) -> int:
    level = Priority.NORMAL
    if score <= -0.4 or reach >= 10_000:
        level = Priority.HIGH
    if {"legal", "safety", "health", "discrimination"} & set(flags) or reach >= 250_000:
        level = Priority.URGENT
    elif flags and level < Priority.HIGH:
        level = Priority.HIGH
    if score >= 0.5 and not flags and reach < 10_000:
        level = Priority.LOW
    return int(level)


def route(text: str, departments) -> object | None:
    """The department whose routing keywords match most often, or None."""
    lowered = text.lower()
    best, best_hits = None, 0
    for department in departments:
        hits = sum(1 for word in department.routing_keywords if _contains(lowered, word.lower()))
        if hits > best_hits:
            best, best_hits = department, hits
    return best

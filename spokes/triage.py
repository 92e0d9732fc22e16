"""Triage rules for one mention: sentiment, risk flags, contact point, priority, topics.

Pure functions of the text and a few numbers, so they can be tested on a labelled set.
VADER reads social text well, but threats phrased neutrally ("refund me now or I sue" scores
0.0), so keyword rules raise flags and priority whatever the score. Keywords match on word
boundaries, case-insensitively; a trailing ``*`` matches word prefixes (``crash*``).
"""

import re
from functools import lru_cache

from hub.routing import KeywordPattern, keyword_bank, keyword_pattern
from spokes.models import ContactPoint, Priority

# Risk flags: each raises priority and marks the mention, whatever its sentiment.
RISK_KEYWORDS = {
    "legal": (
        "lawyer*",
        "attorney*",
        "sue",
        "suing",
        "sued",
        "lawsuit*",
        "court",
        "legal action",
        "solicitor*",
        "ombudsman",
        "small claims",
        "trading standards",
        "class action",
        "report you to",
    ),
    "safety": (
        "unsafe",
        "dangerous",
        "danger",
        "injur*",
        "on fire",
        "caught fire",
        "smoke",
        "sparks",
        "accident",
        "hurt",
        "exploded",
        "electric shock",
        "choking",
        "emergency landing",
    ),
    "outage": (
        "outage*",
        "is down",
        "are down",
        "went down",
        "down again",
        "not working",
        "doesn't work",
        "does not work",
        "stopped working",
        "is offline",
        "went offline",
        "gone offline",
        "crash*",
        "error 500",
        "can't log in",
        "cannot log in",
        "can't login",
        "won't load",
        "not loading",
    ),
    "health": (
        "sick",
        "vomit*",
        "allergic",
        "allergy",
        "allergies",
        "hospital*",
        "food poisoning",
        "poisoned",
        "ill",
        "illness",
        "medical",
        "ambulance",
        "anaphyla*",
    ),
    "discrimination": (
        "racis*",
        "discriminat*",
        "sexis*",
        "harass*",
        "homophob*",
        "transphob*",
        "disabled passenger",
        "because of my wheelchair",
        "because i'm black",
    ),
}
SEVERE_FLAGS = frozenset({"legal", "safety", "health", "discrimination"})

# Money at stake: not a flag, but it raises priority.
MONEY_KEYWORDS = (
    "refund*",
    "chargeback",
    "charged twice",
    "double charged",
    "overcharged",
    "money back",
    "compensation",
    "stolen",
    "fraud*",
)

# Contact point, checked in this order after the problem rule.
CONTACT_POINT_KEYWORDS = (
    (
        ContactPoint.READY_TO_RECEIVE,
        (
            "where is my",
            "where's my",
            "tracking",
            "not arrived",
            "hasn't arrived",
            "has not arrived",
            "still not here",
            "still waiting for my order",
            "when will my",
            "dispatch*",
            "shipped",
            "out for delivery",
            "delivery date",
            "collection point",
            "boarding pass",
            "check in online",
            "check-in",
            "my booking",
            "pick up my order",
            "estimated delivery",
        ),
    ),
    (
        ContactPoint.POSTSALE,
        (
            "refund*",
            "return",
            "returns",
            "returning",
            "invoice*",
            "charged",
            "receipt",
            "warranty",
            "bought",
            "purchased",
            "my order",
            "i ordered",
            "subscription",
            "cancel my",
            "exchange",
            "repair",
            "replacement",
            "since the update",
        ),
    ),
    (
        ContactPoint.PRESALE,
        (
            "how much",
            "price*",
            "pricing",
            "cost",
            "do you sell",
            "do you have",
            "do you ship",
            "do you deliver",
            "in stock",
            "available in",
            "availability",
            "before i buy",
            "thinking of buying",
            "planning to buy",
            "should i buy",
            "any discount*",
            "student discount",
            "promo code",
            "is there a deal",
            "which plan",
            "which model",
            "recommend",
            "open on",
            "opening hours",
        ),
    ),
)

HASHTAG = re.compile(r"(?<![\w#])#(\w{2,60})")
MAX_HASHTAGS = 3

# Tiny stop-word language guess: enough to tell the common European languages apart.
_STOPWORDS = {
    "en": {"the", "and", "is", "my", "you", "not", "for", "with", "this", "was", "your", "have"},
    "de": {"und", "ist", "nicht", "ich", "mein", "meine", "der", "die", "das", "mit", "ein"},
    "fr": {"le", "la", "les", "et", "est", "pas", "je", "mon", "ma", "avec", "une", "vous"},
    "es": {"el", "la", "los", "y", "es", "no", "mi", "con", "una", "que", "por", "para"},
    "nl": {"de", "het", "en", "is", "niet", "ik", "mijn", "met", "een", "voor", "jullie"},
    "it": {"il", "lo", "la", "e", "non", "mio", "mia", "con", "una", "che", "per", "sono"},
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@lru_cache(maxsize=1)
def _analyzer():
    from spokes.sentiment import Analyzer

    return Analyzer()


@lru_cache(maxsize=4096)
def pattern(phrase: str) -> KeywordPattern:
    return keyword_pattern(phrase)


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentiment(text: str) -> float:
    """VADER's compound score, -1 (very negative) to 1, summed over sentences.

    Scored whole, VADER lets a negation reach across a full stop ("it never arrived. Worst
    courier ever." reads positive); sentence by sentence it does not.
    """
    analyzer = _analyzer()
    sentences = [s for s in SENTENCE_END.split(text) if s.strip()]
    if len(sentences) <= 1:
        return round(analyzer.polarity_scores(text)["compound"], 3)
    total = sum(analyzer.polarity_scores(s)["compound"] for s in sentences)
    return round(max(-1.0, min(1.0, total)), 3)


@lru_cache(maxsize=1)
def _rule_keywords():
    """One bank of every phrase the rules below look for (``hub.routing.KeywordBank``: a
    text's words are looked at once for all of them), and each rule's phrases in it."""
    groups = {("flag", flag): words for flag, words in RISK_KEYWORDS.items()}
    groups["money"] = MONEY_KEYWORDS
    groups.update({("contact", point): words for point, words in CONTACT_POINT_KEYWORDS})
    phrases, indices = [], {}
    for rule, words in groups.items():
        indices[rule] = frozenset(range(len(phrases), len(phrases) + len(words)))
        phrases.extend(words)
    return keyword_bank(tuple(phrases)), indices


def _holds(text: str, rule) -> bool:
    """Whether the text holds one of the rule's phrases."""
    bank, indices = _rule_keywords()
    return not indices[rule].isdisjoint(bank.found(text))


def risk_flags(text: str) -> list[str]:
    bank, indices = _rule_keywords()
    found = bank.found(text)
    return [flag for flag in RISK_KEYWORDS if not indices[("flag", flag)].isdisjoint(found)]


def mentions_money(text: str) -> bool:
    return _holds(text, "money")


def contact_point(text: str, flags: list[str], score: float) -> str:
    """Where in the customer journey the author is: a problem first, then by keywords."""
    if flags or score <= -0.5:
        return ContactPoint.PROBLEM
    for point, _words in CONTACT_POINT_KEYWORDS:
        if _holds(text, ("contact", point)):
            return point
    if "?" in text and score > -0.05:
        return ContactPoint.PRESALE  # a question with nothing bought yet
    return ContactPoint.POSTSALE  # most people who write about a brand are its customers


def priority(
    *,
    reach: int,
    score: float,
    flags: list[str],
    contact: str = "",
    money: bool = False,
    repeat_author: bool = False,
) -> int:
    """1 (low) to 4 (urgent) from points: risk, sentiment, reach, money, journey, repeats."""
    if SEVERE_FLAGS.intersection(flags):
        return int(Priority.URGENT)
    points = 0
    mood = 0
    if score <= -0.6:
        mood = 2
    elif score <= -0.2:
        mood = 1
    elif score >= 0.5:
        mood = -1
    if "outage" in flags:  # an outage is serious however calmly it is told, and no more
        points += 2
        mood = min(mood, 1)
    points += mood
    if reach >= 100_000:
        points += 2
    elif reach >= 10_000:
        points += 1
    if money:
        points += 1
    if contact == ContactPoint.PROBLEM and not flags:
        points += 1
    if repeat_author:
        points += 1
    if points <= -1:
        return int(Priority.LOW)
    if points <= 1:
        return int(Priority.NORMAL)
    if points <= 3:
        return int(Priority.HIGH)
    return int(Priority.URGENT)


def hashtags(text: str) -> list[str]:
    found = []
    for tag in HASHTAG.findall(text):
        tag = tag.lower()
        if tag not in found:
            found.append(tag)
        if len(found) == MAX_HASHTAGS:
            break
    return found


def guess_language(text: str) -> str:
    """A primary language subtag when the stop words say so clearly, else ""."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 3:
        return ""
    hits = {code: sum(1 for w in words if w in stop) for code, stop in _STOPWORDS.items()}
    best = max(hits, key=hits.get)
    ordered = sorted(hits.values(), reverse=True)
    return best if ordered[0] >= 2 and ordered[0] > ordered[1] else ""

"""Which department a new mention belongs to.

Ordered rules (``hub.models.RoutingRule``): the first active rule whose every set criterion
matches wins. Without a matching rule, the departments' own routing keywords decide (the
most hits), then the default department. Build a :class:`Router` once per batch with
:func:`load_router`; :func:`route` is the one-off form.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from core.errors import DomainError


def _keyword_body(phrase: str) -> tuple[str, bool]:
    """The phrase as a pattern body (words apart by any whitespace), and whether it is a
    prefix (a trailing ``*``)."""
    phrase = phrase.strip()
    prefix = phrase.endswith("*")
    words = phrase.rstrip("*").strip()
    if not words:
        raise DomainError("A keyword cannot be empty.", field="keywords")
    return r"\s+".join(re.escape(w) for w in words.split()), prefix


# The only characters on which ``str.lower()`` and the case-insensitive matching of ``re``
# disagree about an ASCII letter: re matches İ, ı and ſ to i and s; lower() leaves ı and ſ
# alone and turns İ into two characters.
_FOLDING_DISAGREES = ("\u0130", "\u0131", "\u017f")


class KeywordPattern:
    """A case-insensitive keyword pattern; ``search(text)`` answers whether it matches
    (truthy or None: the match itself may be of the lowercased text).

    ``re`` cannot skip ahead through the text for a case-insensitive pattern: it tries the
    pattern at every character. For ASCII phrases (nearly all keywords), the text is lowercased
    once and searched case-sensitively for the lowercased phrases, where ``re`` jumps from one
    possible first letter to the next: about twice as fast, with the same answers
    (``tests/hub/test_keyword_patterns.py`` compares the two on generated texts).
    """

    __slots__ = ("exact", "_folded", "_needles")

    def __init__(self, phrases: tuple[str, ...], build):
        self.exact = re.compile(build(phrases), re.IGNORECASE)
        ascii_only = all(phrase.isascii() for phrase in phrases)
        lowered = tuple(phrase.lower() for phrase in phrases)
        self._folded = re.compile(build(lowered)) if ascii_only else None
        # A match of the lowered phrase contains each of its words as they are: a text in
        # which no phrase's longest word appears cannot match. Substring tests are far
        # cheaper than the scan, and most texts hold none of a given keyword.
        self._needles = None
        if ascii_only and len(lowered) <= _MAX_NEEDLES:
            self._needles = tuple(max(p.strip().rstrip("*").split(), key=len) for p in lowered)

    def search(self, text: str):
        folded = self._folded
        if folded is not None and (
            text.isascii() or not any(c in text for c in _FOLDING_DISAGREES)
        ):
            lowered = text.lower()
            needles = self._needles
            if needles is not None and not any(n in lowered for n in needles):
                return None
            return folded.search(lowered)
        return self.exact.search(text)


# Beyond this many phrases, the one scan costs no more than a substring test per phrase.
_MAX_NEEDLES = 16


def _one(phrases: tuple[str, ...]) -> str:
    body, prefix = _keyword_body(phrases[0])
    return rf"(?<!\w){body}" + ("" if prefix else r"(?!\w)")


def keyword_pattern(phrase: str) -> KeywordPattern:
    """A case-insensitive, word-bounded pattern; a trailing ``*`` matches word prefixes."""
    return KeywordPattern((phrase,), _one)


def _alternation(phrases: tuple[str, ...]) -> str:
    whole, prefixes = [], []
    for phrase in phrases:
        body, prefix = _keyword_body(phrase)
        (prefixes if prefix else whole).append(body)
    options = []
    if whole:
        options.append(f"(?:{'|'.join(whole)})(?!\\w)")
    if prefixes:
        options.append(f"(?:{'|'.join(prefixes)})")
    if not options:
        return r"(?!)"  # no phrase: matches nothing
    return rf"(?<!\w)(?:{'|'.join(options)})"


@lru_cache(maxsize=512)
def any_keyword_pattern(phrases: tuple[str, ...]) -> KeywordPattern:
    """Matches where any ``keyword_pattern(phrase)`` would, in one pass over the text.

    The word-start test comes first, shared: inside a word it fails at once, and only at
    word starts are the phrases tried. An alternation of whole keyword patterns tries every
    phrase at every character (five times slower on a tweet against forty phrases).
    """
    return KeywordPattern(phrases, _alternation)


@lru_cache(maxsize=2048)
def _cached_pattern(phrase: str) -> KeywordPattern:
    return keyword_pattern(phrase)


def compile_url_pattern(pattern: str) -> re.Pattern | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise DomainError(f"Not a valid regular expression: {exc}.", field="url_pattern") from None


def _language(code: str) -> str:
    return (code or "").strip().lower().replace("_", "-").split("-")[0]


@dataclass
class CompiledRule:
    rule_id: int
    name: str
    department: object
    sources: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    handles: frozenset[str] = frozenset()
    keywords: tuple[KeywordPattern, ...] = ()
    url: re.Pattern | None = None

    def matches(self, text: str, source: str, language: str, handle: str, url: str) -> bool:
        if self.sources and source not in self.sources:
            return False
        if self.languages and _language(language) not in self.languages:
            return False
        if self.handles and handle.lstrip("@").lower() not in self.handles:
            return False
        if self.url is not None and not (url and self.url.search(url)):
            return False
        return not self.keywords or any(p.search(text) for p in self.keywords)


@dataclass
class RouteResult:
    department: object | None
    rule: str = ""  # the rule's name, "keywords" or "default"
    rule_id: int | None = None


@dataclass
class Router:
    rules: list[CompiledRule] = field(default_factory=list)
    departments: list = field(default_factory=list)
    default: object | None = None

    def explain(
        self, text: str, source: str = "", language: str = "", *, author_handle="", url=""
    ) -> RouteResult:
        text = text or ""
        for rule in self.rules:
            if rule.matches(text, source or "", language or "", author_handle or "", url or ""):
                return RouteResult(rule.department, rule.name, rule.rule_id)
        best, best_hits = None, 0
        for department in self.departments:
            words = tuple(w.strip() + "*" for w in department.routing_keywords or () if w.strip())
            if not words or not any_keyword_pattern(words).search(text):
                continue  # one scan rules out a department none of whose keywords is there
            hits = sum(
                1
                for word in department.routing_keywords or ()
                if word.strip() and _cached_pattern(f"{word.strip()}*").search(text)
            )
            if hits > best_hits:
                best, best_hits = department, hits
        if best is not None:
            return RouteResult(best, "keywords")
        return RouteResult(self.default, "default" if self.default else "")

    def route(self, text: str, source: str = "", language: str = "", **kwargs):
        return self.explain(text, source, language, **kwargs).department


def compile_rule(rule) -> CompiledRule:
    return CompiledRule(
        rule_id=rule.pk,
        name=rule.name,
        department=rule.department,
        sources=frozenset(s for s in rule.sources if s),
        languages=frozenset(_language(code) for code in rule.languages if code),
        handles=frozenset(h.lstrip("@").lower() for h in rule.author_handles if h),
        keywords=tuple(_cached_pattern(k) for k in rule.keywords if k.strip()),
        url=compile_url_pattern(rule.url_pattern),
    )


def load_router() -> Router:
    """Two queries: active rules with their departments, and every department."""
    from hub.models import RoutingRule
    from spokes.models import Department

    rules = [
        compile_rule(r)
        for r in RoutingRule.objects.filter(is_active=True).select_related("department")
    ]
    departments = list(Department.objects.all())
    default = next((d for d in departments if d.is_default), None)
    return Router(rules=rules, departments=departments, default=default)


def route(mention_text: str, source: str = "", language: str = "", **kwargs):
    """The department for a new mention, or None when no rule, keyword or default applies.

    ``author_handle`` and ``url`` may be passed as keywords.
    """
    return load_router().route(mention_text, source, language, **kwargs)

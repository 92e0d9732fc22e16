"""Which department a new mention belongs to.

Ordered rules (``hub.models.RoutingRule``): the first active rule whose every set criterion
matches wins. Without a matching rule, the departments' own routing keywords decide (the
most hits), then the default department. Build a :class:`Router` once per batch with
:func:`load_router`; :func:`route` is the one-off form.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

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
    (truthy or None).

    ``.exact`` is the plain case-insensitive pattern. For ASCII phrases (nearly all keywords),
    ``search`` answers from the text's words instead, with the same answers
    (``tests/hub/test_keyword_patterns.py`` compares the two on generated texts). In the
    lowercased text, ``(?<!\\w)refund(?!\\w)`` matches exactly where ``refund`` is one of the
    runs of word characters (the text's words): a set lookup. Word prefixes (``refund*``) are
    searched for once the text holds one of them at all. A phrase of several words (or with
    punctuation) can only match where each of its inner runs of word characters is a word of
    the text: the pattern of those phrases is run only then. A text's words are found once
    (``_words_of``), however many patterns triage asks about it (thirty or so: routing, spike
    keywords, risk flags, contact point), where each pattern used to scan the text again.
    """

    __slots__ = (
        "exact",
        "_whole",
        "_starts",
        "_starts_pattern",
        "_rest",
        "_rest_needs",
        "_rest_any",
    )

    def __init__(self, phrases: tuple[str, ...], build):
        self.exact = re.compile(build(phrases), re.IGNORECASE)
        self._whole = None  # None: not ASCII, ``exact`` answers
        if not all(phrase.isascii() for phrase in phrases):
            return
        whole, prefixes, rest, needs = set(), [], [], []
        for phrase in phrases:
            body = phrase.strip().lower()
            prefix = body.endswith("*")
            words = body.rstrip("*").split()
            runs = [run for word in words for run in _WORD.findall(word)]
            if len(words) == 1 and runs == words:  # one word, all word characters
                (prefixes.append if prefix else whole.add)(words[0])
                continue
            if prefix and _WORD.match(words[-1][-1]):
                runs = runs[:-1]  # the last run may go on in the text: the start of a word
            rest.append(body)
            needs.append(frozenset(runs))
        self._whole = frozenset(whole)
        self._starts = tuple(prefixes)  # substring tests first: most texts hold none
        self._starts_pattern = (
            re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(start) for start in prefixes)})")
            if prefixes
            else None
        )
        self._rest = re.compile(_alternation(tuple(rest))) if rest else None
        self._rest_needs = tuple(needs)
        # One word per phrase that must be in the text: none of them there, no match.
        self._rest_any = frozenset(max(need, key=len) for need in needs) if all(needs) else None

    def search(self, text: str):
        whole = self._whole
        if whole is None:
            return self.exact.search(text)
        lowered, words = _words_of(text)
        if words is None:  # lowercasing and ``re`` disagree on a letter of this text
            return self.exact.search(text)
        if not whole.isdisjoint(words):
            return True
        starts = self._starts
        if (
            starts
            and ((starts[0] in lowered) if len(starts) == 1 else any(s in lowered for s in starts))
            and self._starts_pattern.search(lowered)
        ):
            return True
        rest = self._rest
        if rest is None:
            return None
        if self._rest_any is not None and self._rest_any.isdisjoint(words):
            return None
        if not any(need <= words for need in self._rest_needs):
            return None
        return rest.search(lowered)


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=2048)
def _words_of(text: str) -> tuple[str, frozenset | None]:
    """The text lowercased and the set of its words (runs of word characters); None for the
    words where ``str.lower()`` and ``re``'s case-insensitive matching disagree on one of its
    letters. Kept for the last texts asked about: triage asks about each text of a batch many
    times, in the loop over the batch and again when it counts the spikes."""
    lowered = text.lower()
    words = None
    if text.isascii() or not any(c in text for c in _FOLDING_DISAGREES):
        words = frozenset(_WORD.findall(lowered))
    return lowered, words


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


@lru_cache(maxsize=2048)
def _cached_pattern(phrase: str) -> KeywordPattern:
    return keyword_pattern(phrase)


class KeywordBank:
    """Which of many phrases a text holds, from one look at its words.

    ``found(text)`` is the set of the indices (in the order given) of the phrases whose
    ``keyword_pattern`` matches the text. Triage asks some forty questions of each text (the
    departments' routing keywords one by one, to count hits; the spike keywords one by one;
    risk flags, money, contact points): as forty ``search`` calls that was a fifth of a
    triage worker's time. Here the ASCII phrases of one word (nearly all of them) are answered
    together: a whole word is one lookup of each of the text's words, a word prefix
    (``refund*``) a test of the words that begin as it does; a phrase of several words or
    with punctuation is looked for (its pattern on the lowercased text, as KeywordPattern
    does) only when each of its inner words is one of the text's, a phrase that is not ASCII
    always (its own pattern). A text whose letters lowercasing and ``re`` fold differently
    (``_words_of``) is asked of every pattern. The last text's answer is kept: the triage
    functions ask one bank about one text in turn.
    """

    __slots__ = (
        "phrases",
        "_patterns",
        "_whole",
        "_whole_words",
        "_head",
        "_heads",
        "_keyed",
        "_keyed_words",
        "_always",
        "_last",
    )

    def __init__(self, phrases):
        self.phrases = tuple(phrases)
        self._patterns = tuple(_cached_pattern(phrase) for phrase in self.phrases)
        whole: dict[str, list[int]] = {}
        prefixes: dict[str, list[int]] = {}
        keyed: dict[str, list[int]] = {}
        always = []
        for index, phrase in enumerate(self.phrases):
            body = phrase.strip().lower()
            prefix = body.endswith("*")
            words = body.rstrip("*").split()
            if not phrase.isascii():
                always.append(index)
                continue
            if len(words) == 1 and _WORD.fullmatch(words[0]):
                (prefixes if prefix else whole).setdefault(words[0], []).append(index)
                continue
            # As in KeywordPattern: the phrase can only match where each of its inner runs of
            # word characters is a word of the text; it is asked only when the longest is.
            runs = [run for word in words for run in _WORD.findall(word)]
            if prefix and _WORD.match(words[-1][-1]):
                runs = runs[:-1]  # the last run may go on in the text
            if runs:  # then the phrase's own pattern, on the lowercased text
                phrase_pattern = re.compile(_alternation((body,)))
                entry = (index, frozenset(runs), phrase_pattern)
                keyed.setdefault(max(runs, key=len), []).append(entry)
            else:
                always.append(index)
        self._whole = {word: frozenset(found) for word, found in whole.items()}
        self._whole_words = frozenset(whole)
        # Word prefixes by their first characters (as many as the shortest has): a word of
        # the text is compared only with the prefixes that begin as it does.
        self._head = min(map(len, prefixes), default=0)
        heads: dict[str, list[tuple]] = {}
        for start, found in prefixes.items():
            heads.setdefault(start[: self._head], []).append((start, frozenset(found)))
        self._heads = {head: tuple(entries) for head, entries in heads.items()}
        self._keyed = {word: tuple(entries) for word, entries in keyed.items()}
        self._keyed_words = frozenset(keyed)
        self._always = tuple(always)
        self._last: tuple = (None, frozenset())

    def found(self, text: str) -> frozenset[int]:
        last = self._last
        if last[0] is text:
            return last[1]
        lowered, words = _words_of(text)
        if words is None:
            hits = frozenset(n for n, pattern in enumerate(self._patterns) if pattern.search(text))
        else:
            hits = set()
            whole = self._whole
            for word in words & self._whole_words:
                hits |= whole[word]
            if self._heads:
                heads, head = self._heads, self._head
                for word in words:
                    for start, found in heads.get(word[:head], ()):
                        if word.startswith(start):
                            hits |= found
            keyed = self._keyed
            for word in words & self._keyed_words:
                for index, needs, phrase_pattern in keyed[word]:
                    if needs <= words and phrase_pattern.search(lowered):
                        hits.add(index)
            patterns = self._patterns
            hits.update(n for n in self._always if patterns[n].search(text))
            hits = frozenset(hits)
        self._last = (text, hits)
        return hits


@lru_cache(maxsize=64)
def keyword_bank(phrases: tuple[str, ...]) -> KeywordBank:
    return KeywordBank(phrases)


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

    @cached_property
    def uses_handles(self) -> bool:
        """Whether a rule looks at the author's handle (triage reads handles only then)."""
        return any(rule.handles for rule in self.rules)

    def explain(
        self, text: str, source: str = "", language: str = "", *, author_handle="", url=""
    ) -> RouteResult:
        text = text or ""
        for rule in self.rules:
            if rule.matches(text, source or "", language or "", author_handle or "", url or ""):
                return RouteResult(rule.department, rule.name, rule.rule_id)
        bank, owners = self._keywords
        hits: dict[int, int] = {}  # by the department's position in ``departments``
        for index in bank.found(text):
            hits[owners[index]] = hits.get(owners[index], 0) + 1
        if hits:  # the most hits; between equals, the department first in order
            best = min(hits, key=lambda position: (-hits[position], position))
            return RouteResult(self.departments[best], "keywords")
        return RouteResult(self.default, "default" if self.default else "")

    @cached_property
    def _keywords(self) -> tuple[KeywordBank, tuple[int, ...]]:
        """Every department's routing keywords (each a word prefix) in one bank, and the
        position in ``departments`` of each keyword's department. Built once per router."""
        phrases, owners = [], []
        for position, department in enumerate(self.departments):
            for word in department.routing_keywords or ():
                if word.strip():
                    phrases.append(word.strip() + "*")
                    owners.append(position)
        return keyword_bank(tuple(phrases)), tuple(owners)

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

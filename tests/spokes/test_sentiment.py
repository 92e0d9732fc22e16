"""Triage's sentiment analyzer gives the library's VADER scores, every key, on any text.

``spokes.sentiment.Analyzer`` runs VADER's rules only for lexicon words and scores without the
library's zeros; these tests hold it to ``vaderSentiment``'s own analyzer, whole dict, exact
equality, on texts made of what VADER's rules look at: sentiment words in any case (some or
all words in capitals), boosters and dampeners one to three words before them, negations
(listed, "n't", "never so/this", "without doubt"), idioms, "least", "but", "no", "kind of",
emoticons, emojis, non-ASCII letters, punctuation around and inside words, "!" and "?".
"""

import random
import string
import threading

from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment import vaderSentiment as vader

from spokes import triage
from spokes.sentiment import Analyzer
from tests.triage.labelled import LABELLED

LIBRARY = vader.SentimentIntensityAnalyzer()
FAST = Analyzer()

_lexicon = sorted(LIBRARY.lexicon)
RULE_WORDS = (
    sorted(vader.BOOSTER_DICT)
    + sorted(vader.NEGATE)
    + sorted(vader.SPECIAL_CASES)
    + ["never", "so", "this", "without", "doubt", "least", "at", "very", "kind", "of", "but"]
    + ["no", "or", "nor", "isn't", "WON'T", "don't", "good", "bad", "great", "awful"]
    + ["shouldn't've", "y'all'dn't", "Mightn't've"]  # a "n't" not in the negation list
)
EMOJIS = sorted(e for e in LIBRARY.emojis if len(e) == 1)[:200]


def _cased(word: str, how: int) -> str:
    return (word, word.upper(), word.capitalize())[how]


TOKEN = st.builds(
    _cased,
    st.one_of(
        st.sampled_from(RULE_WORDS),
        st.sampled_from(_lexicon),
        st.sampled_from(["parcel", "refund", "the", "a", "it", ":)", ":(", ":-D", "<3"]),
    ),
    st.integers(0, 2),
)
PUNCTUATION = st.sampled_from(["", "", "", "!", "!!", "?", "???", ".", ",", "...", "!?"])
TEXT = st.builds(
    lambda parts, emojis: " ".join(w + p for w, p in parts) + "".join(emojis),
    st.lists(st.tuples(TOKEN, PUNCTUATION), max_size=25),
    st.lists(st.sampled_from(EMOJIS), max_size=1),
)


def _differences(texts) -> list:
    """(text, library's dict, analyzer's dict) wherever the two differ.

    Compared as ``repr``: the same keys in the same order, and floats bit for bit (``==``
    would take -0.0 for 0.0).
    """
    found = []
    for text in texts:
        expected, got = repr(LIBRARY.polarity_scores(text)), repr(FAST.polarity_scores(text))
        if got != expected:
            found.append((text, expected, got))
    return found


@settings(max_examples=500, deadline=None)
@given(text=TEXT)
def test_scores_are_the_librarys_on_generated_texts(text):
    assert _differences([text]) == []


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(TEXT, min_size=2, max_size=4))
def test_texts_scored_in_turn_each_get_their_own_scores(texts):
    # Nothing of one text may stay behind for the next.
    scores = [FAST.polarity_scores(t) for t in texts]
    assert scores == [LIBRARY.polarity_scores(t) for t in texts]


def test_scores_are_the_librarys_on_labelled_and_random_tweets():
    rng = random.Random(7)
    texts = [row[0] for row in LABELLED]
    words = _lexicon + RULE_WORDS
    for _ in range(2000):
        texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))))
    texts += ["", "   ", "\U0001f600", "I \u2764\ufe0f this \U0001f60d", "not \U0001f621 at all"]
    assert _differences(texts) == []


# A corpus built to reach every rule: a sentiment word with what can come before or after it.
SENTIMENT = ["good", "bad", "great", "awful", "love", "hate", "happy", "sad", "fun", "no"]
SENTIMENT += ["kind", "doubt", "shit", "bomb", "ass", "die", "heart", "right", "stop", "death"]
FILLER = ["the", "a", "it", "was", "parcel", "refund", "of", "at", "to", "or", "i", "is"]
FILLER += ["42", "3.5", "2nd", "@brand", "#fail", "x", "ok", "lol", "it's", "o'clock"]
NON_ASCII = ["café", "naïve", "ÜBER", "straße", "ΑΣ", "Σ", "İyi", "ǅemal", "ﬁne", "ПЛОХО"]
NON_ASCII += ["ＧＯＯＤ", "bäd", "GRÉAT", "ñ", "日本"]
EMOTICONS = [":)", ":(", "<3", ":-D", ":D", ":P", ";)", ":'(", "</3", "(:", "XD", "^_^"]
NEGATIONS = sorted(vader.NEGATE) + ["isn't", "WON'T", "Don't", "shouldn't've", "y'all'dn't"]
PHRASES = [
    *vader.SPECIAL_CASES,
    *vader.SENTIMENT_LADEN_IDIOMS,
    "never so",
    "never this",
    "never so very",
    "never this really",
    "without doubt",
    "without a doubt",
    "without any doubt",
    "at least",
    "very least",
    "the least",
    "least",
    "kind of",
    "sort of",
    "just enough",
    "no or",
    "no nor",
    "no fun nor",
    "no joy or",
    "no, not",
    "not so",
    "so",
    "this",
    "but",
    "BUT",
    "But",
    "but,",
]
EDGES = ["", "", "", "", "!", "?", ".", ",", "'", '"', "(", ")", "...", "!!", "?!", "-", "*", ":"]
SPACES = [" ", " ", " ", " ", "  ", "\t", "\n", " \r\n", "\x0b", "\x1c", "\u00a0", "\u2003"]
BOOSTERS = sorted(vader.BOOSTER_DICT)
WORD_POOLS = [SENTIMENT, SENTIMENT, _lexicon, FILLER, FILLER, EMOTICONS, NON_ASCII, NEGATIONS]
WORD_POOLS += [BOOSTERS, PHRASES, RULE_WORDS]
# What may come before a sentiment word; "no" and "least" as often as a whole list.
BEFORE_POOLS = [BOOSTERS, NEGATIONS, PHRASES, FILLER, ["no"], ["least"], _lexicon]
HEADS = SENTIMENT + _lexicon[::50]
AFTER = PHRASES + SENTIMENT + FILLER


def _word(rng: random.Random) -> str:
    return rng.choice(rng.choice(WORD_POOLS))


def _modified(rng: random.Random) -> list[str]:
    """A sentiment word with up to 3 boosters, negations, idioms or other words before it."""
    words = [rng.choice(rng.choice(BEFORE_POOLS)) for _ in range(rng.randint(0, 3))]
    words.append(rng.choice(HEADS))
    if rng.random() < 0.3:
        words.append(rng.choice(AFTER))
    return " ".join(words).split(" ")


def _styled(word: str, rng: random.Random, shout: bool) -> str:
    how = rng.random()
    if shout or how < 0.15:
        word = word.upper()
    elif how < 0.25:
        word = word.capitalize()
    elif how < 0.28:
        word = "".join(c.upper() if rng.random() < 0.5 else c for c in word)
    if rng.random() < 0.25:
        word = rng.choice(EDGES) + word + rng.choice(EDGES) * rng.randint(1, 3)
    elif rng.random() < 0.05:
        word = rng.choice(string.punctuation) + word + rng.choice(string.punctuation)
    return word


def _text(rng: random.Random) -> str:
    if rng.random() < 0.01:
        return rng.choice(["", " ", "\t\n ", "\x0b", "!!!", "?", ":)", "no", "NO"])
    words = []
    for _ in range(rng.randint(1, 4)):
        words += _modified(rng) if rng.random() < 0.7 else [_word(rng)]
        words += [_word(rng) for _ in range(rng.randint(0, 3))]
    shout = rng.random() < 0.08  # every word in capitals: no caps differential
    tokens = [_styled(w, rng, shout) for w in words]
    text = tokens[0]
    for token in tokens[1:]:
        text += rng.choice(SPACES) + token
    if rng.random() < 0.4:
        text += rng.choice(["", " "]) + rng.choice("!?") * rng.randint(1, 6)
    if rng.random() < 0.1:
        text = rng.choice(SPACES) + text + rng.choice(SPACES)
    if rng.random() < 0.02:
        text += rng.choice(["", " "]) + rng.choice(EMOJIS)
    return text


def test_scores_are_the_librarys_on_a_corpus_of_every_rule():
    rng = random.Random(2026)
    texts = [_text(rng) for _ in range(20_000)]
    assert _differences(texts) == []


def test_one_analyzer_serves_threads():
    rng = random.Random(11)
    texts = [_text(rng) for _ in range(400)]
    expected = [LIBRARY.polarity_scores(t) for t in texts]
    results = {}

    def score(n):
        results[n] = [FAST.polarity_scores(t) for t in texts[n::2] + texts[1 - n :: 2]]

    threads = [threading.Thread(target=score, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0] == expected[0::2] + expected[1::2]
    assert results[1] == expected[1::2] + expected[0::2]


def test_triage_scores_with_it():
    assert isinstance(triage._analyzer(), Analyzer)
    sentences = ("The refund never came.", "Absolutely NOT happy, but the agent was kind of nice!")
    expected = sum(LIBRARY.polarity_scores(s)["compound"] for s in sentences)
    text = " ".join(sentences)
    assert triage.sentiment(text) == round(max(-1.0, min(1.0, expected)), 3)

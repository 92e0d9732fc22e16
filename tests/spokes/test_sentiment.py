"""Triage's sentiment analyzer gives the library's VADER scores, every key, on any text.

``spokes.sentiment.Analyzer`` skips the library's repeated work (a word list lowercased again
for each word, negations tested one by one, emoji replacement a character at a time); these
tests hold it to ``vaderSentiment``'s own analyzer on texts made of what VADER's rules look
at: sentiment words in any case, boosters, negations, contractions, "never so", "without
doubt", "at least", "kind of", "but", idioms, emoticons, emojis and punctuation.
"""

import random

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


@settings(max_examples=1500, deadline=None)
@given(text=TEXT)
def test_scores_are_the_librarys_on_generated_texts(text):
    assert FAST.polarity_scores(text) == LIBRARY.polarity_scores(text)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(TEXT, min_size=2, max_size=4))
def test_texts_scored_in_turn_each_get_their_own_scores(texts):
    # The analyzer keeps the last text's lowercased words: texts in turn must not share them.
    assert [FAST.polarity_scores(t) for t in texts] == [LIBRARY.polarity_scores(t) for t in texts]


def test_scores_are_the_librarys_on_labelled_and_random_tweets():
    rng = random.Random(7)
    texts = [row[0] for row in LABELLED]
    words = _lexicon + RULE_WORDS
    for _ in range(2000):
        texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))))
    texts += ["", "   ", "\U0001f600", "I \u2764\ufe0f this \U0001f60d", "not \U0001f621 at all"]
    assert [FAST.polarity_scores(t) for t in texts] == [LIBRARY.polarity_scores(t) for t in texts]


def test_triage_scores_with_it():
    assert isinstance(triage._analyzer(), Analyzer)
    sentences = ("The refund never came.", "Absolutely NOT happy, but the agent was kind of nice!")
    expected = sum(LIBRARY.polarity_scores(s)["compound"] for s in sentences)
    text = " ".join(sentences)
    assert triage.sentiment(text) == round(max(-1.0, min(1.0, expected)), 3)

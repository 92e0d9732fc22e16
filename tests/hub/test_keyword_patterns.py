"""Keyword patterns answer as the case-insensitive regular expression would, on any text.

``KeywordPattern`` searches ASCII phrases case-sensitively in the lowercased text (faster);
these tests hold it to the plain case-insensitive pattern (``.exact``) on generated texts
full of the characters where case folding is tricky.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.routing import KeywordBank, keyword_pattern

# Letters whose case-insensitive matching is special (dotted and dotless i, long s, Kelvin
# sign, final sigma, sharp s), accented letters, digits, punctuation, whitespace, emoji.
TRICKY = "aAbBiIkKsSuUeE\u0130\u0131\u017f\u212a\u03a3\u03c3\u03c2\u00df\u1e9e\u00e9\u00c9"
TEXT = st.text(alphabet=TRICKY + "0123456789 _-'.,!?#@\n\t\u00a0\U0001f600\u2160", max_size=40)
# Phrase words with digits, underscores and punctuation too: a phrase answered from the text's
# words (runs of word characters) must still match only where its pattern does.
WORDS = st.text(alphabet="aAbBiIkKsSuUeE1_-'#", min_size=1, max_size=4)
PHRASE = st.builds(
    lambda words, star: " ".join(words) + ("*" if star else ""),
    st.lists(WORDS, min_size=1, max_size=2),
    st.booleans(),
)
NON_ASCII_PHRASE = st.sampled_from(["\u0131ssue", "stra\u00dfe", "caf\u00e9*", "\u03c3\u03b1"])


@settings(max_examples=400, deadline=None)
@given(phrase=st.one_of(PHRASE, NON_ASCII_PHRASE), text=TEXT)
def test_one_keyword_matches_as_the_case_insensitive_pattern(phrase, text):
    pattern = keyword_pattern(phrase)
    assert bool(pattern.search(text)) == bool(pattern.exact.search(text))


def test_the_characters_where_lowercasing_differs_still_match():
    assert keyword_pattern("issue").search("an \u0131ssue")  # dotless i, as re matches it
    assert keyword_pattern("sue").search("I will \u017fue")  # long s
    assert keyword_pattern("invoice").search("\u0130NVOICE late")  # dotted capital I
    assert keyword_pattern("kit").search("\u212aIT")  # Kelvin sign
    assert not keyword_pattern("refund").search("refunds")  # still whole words
    assert keyword_pattern("refund*").search("REFUNDS \U0001f621")
    assert not keyword_pattern("ill").search("will")


@settings(max_examples=200, deadline=None)
@given(
    phrases=st.lists(st.lists(PHRASE, min_size=1, max_size=4), min_size=2, max_size=4),
    texts=st.lists(TEXT, min_size=2, max_size=4),
)
def test_many_patterns_asked_about_texts_in_turn_answer_each_as_its_pattern(phrases, texts):
    # Triage asks thirty patterns about one text, then the next: the words found for one text
    # must never answer for another (equal texts as different objects, and texts revisited).
    banks = [(KeywordBank(group), [keyword_pattern(p) for p in group]) for group in phrases]
    copies = [(t + "-")[:-1] for t in texts]  # equal, and (past one character) new objects
    for text in [*texts, *copies, *reversed(texts)]:
        for bank, patterns in banks:
            expected = {n for n, pattern in enumerate(patterns) if pattern.exact.search(text)}
            assert bank.found(text) == expected
            assert {n for n, pattern in enumerate(patterns) if pattern.search(text)} == expected


def test_phrases_of_several_words_and_punctuation():
    assert KeywordBank(["legal action", "where's my"]).found("Where's  MY parcel?") == {1}
    assert not keyword_pattern("legal action").search("legal actions")
    assert keyword_pattern("legal act*").search("LEGAL ACTIONS")
    assert not keyword_pattern("legal act*").search("illegal action")
    assert KeywordBank(["#fail", "check-in"]).found("the check-in #fail") == {0, 1}
    assert not keyword_pattern("check-in").search("checkin")
    assert keyword_pattern("x_1").search("code X_1.")
    assert not keyword_pattern("x_1").search("code X_12.")
    assert not KeywordBank(["x_1"]).found("code X_12.")


@settings(max_examples=300, deadline=None)
@given(
    phrases=st.lists(st.one_of(PHRASE, NON_ASCII_PHRASE), min_size=1, max_size=8),
    texts=st.lists(TEXT, min_size=1, max_size=3),
)
def test_a_bank_finds_the_phrases_whose_patterns_match(phrases, texts):
    # KeywordBank answers for all its phrases from the text's words at once; each answer
    # must be the phrase's own case-insensitive pattern's, text after text (and back).
    bank = KeywordBank(phrases)
    for text in [*texts, *texts, *(t + "" for t in texts)]:
        expected = {n for n, p in enumerate(phrases) if keyword_pattern(p).exact.search(text)}
        assert bank.found(text) == expected
        assert bank.found(text) == expected  # the kept answer


def test_a_bank_of_words_prefixes_and_phrases():
    bank = KeywordBank(["refund*", "refund", "pay*", "payment*", "legal action", "\u0131ssue"])
    assert bank.found("REFUNDS for my Payment") == {0, 2, 3}
    assert bank.found("a refund, paid") == {0, 1}
    assert bank.found("prepay repayment") == set()  # prefixes start a word
    assert bank.found("Legal  Action now, an issue") == {4, 5}  # re folds \u0131 to i
    assert bank.found("\u0130NVOICE refund") == {0, 1}  # lowercasing differs: each pattern
    assert bank.found("") == set()

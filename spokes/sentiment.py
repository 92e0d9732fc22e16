"""VADER's scores without the library's repeated work.

vaderSentiment 3.3.2 lowercases a text's whole word list again for each of the three words
before every sentiment word it finds (``_negation_check``; ``_special_idioms_check`` once
more), tests each of those words against its list of negations one by one, and rebuilds the
text a character at a time to replace emojis, also when it holds none. On tweet-sized texts
that is about half of its time.

:class:`Analyzer` gives the library's scores (``polarity_scores``, every key): it reads the
lexicon, the rules' word lists and the scoring from the library and only does each of those
three things once per text: the word list is lowercased once, negation is a set lookup, and a
text without emojis is taken as it is. ``tests/spokes/test_sentiment.py`` compares the two on
labelled, generated and benchmark texts.
"""

from vaderSentiment import vaderSentiment as vader

_NEGATIONS = frozenset(vader.NEGATE)


def _negated(word_lower: str) -> bool:
    """vader.negated([word]) for one lowercased word."""
    return word_lower in _NEGATIONS or "n't" in word_lower


class Analyzer(vader.SentimentIntensityAnalyzer):
    def __init__(self):
        super().__init__()
        self._single_emojis = frozenset(e for e in self.emojis if len(e) == 1)
        # The last text's word list and its lowercased copy. A tuple replaced whole, read
        # once per call, so threads sharing the analyzer never mix two texts' lists.
        self._last: tuple[list, list] = ([], [])

    def _lowered(self, words: list[str]) -> list[str]:
        last = self._last
        if last[0] is words:
            return last[1]
        lowered = [str(w).lower() for w in words]
        self._last = (words, lowered)
        return lowered

    def polarity_scores(self, text):
        # The library replaces each character that is an emoji by its description; a text
        # with none of them comes out of its loop as it went in.
        if not self._single_emojis.isdisjoint(text):
            return super().polarity_scores(text)
        text = text.strip()
        sentitext = vader.SentiText(text)
        words = sentitext.words_and_emoticons
        lowered = self._lowered(words)
        last = len(words) - 1
        sentiments = []
        for i, item in enumerate(words):
            item_lower = lowered[i]
            if item_lower in vader.BOOSTER_DICT or (
                i < last and item_lower == "kind" and lowered[i + 1] == "of"
            ):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        return self.score_valence(sentiments, text)

    def _negation_check(self, valence, words_and_emoticons, start_i, i):
        low = self._lowered(words_and_emoticons)
        before = low[i - (start_i + 1)]
        if start_i == 0:
            if _negated(before):
                valence = valence * vader.N_SCALAR
        elif start_i == 1:
            if low[i - 2] == "never" and low[i - 1] in ("so", "this"):
                valence = valence * 1.25
            elif low[i - 2] == "without" and low[i - 1] == "doubt":
                pass
            elif _negated(before):
                valence = valence * vader.N_SCALAR
        elif start_i == 2:
            if (low[i - 3] == "never" and low[i - 2] in ("so", "this")) or low[i - 1] in (
                "so",
                "this",
            ):
                valence = valence * 1.25
            elif low[i - 3] == "without" and "doubt" in (low[i - 2], low[i - 1]):
                pass
            elif _negated(before):
                valence = valence * vader.N_SCALAR
        return valence

    def _special_idioms_check(self, valence, words_and_emoticons, i):
        low = self._lowered(words_and_emoticons)
        w3, w2, w1, w0 = low[i - 3], low[i - 2], low[i - 1], low[i]
        special, booster = vader.SPECIAL_CASES, vader.BOOSTER_DICT
        two_one, three_two_one, three_two = f"{w2} {w1}", f"{w3} {w2} {w1}", f"{w3} {w2}"
        for seq in (f"{w1} {w0}", f"{w2} {w1} {w0}", two_one, three_two_one, three_two):
            if seq in special:
                valence = special[seq]
                break
        if len(low) - 1 > i:
            following = f"{w0} {low[i + 1]}"
            if following in special:
                valence = special[following]
        if len(low) - 1 > i + 1:
            following = f"{w0} {low[i + 1]} {low[i + 2]}"
            if following in special:
                valence = special[following]
        for n_gram in (three_two_one, three_two, two_one):
            if n_gram in booster:
                valence = valence + booster[n_gram]
        return valence

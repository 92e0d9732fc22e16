"""VADER's scores, computed only for the words that can carry a score.

vaderSentiment 3.3.2 walks every word of a text through a chain of methods: it lowercases the
word list again for each of the three words before a sentiment word (``_negation_check``,
``_special_idioms_check``, ``negated``), tests negations one by one, rebuilds the text a
character at a time to replace emojis also when there are none, and then scores a list with a
0 for every word that is not in its lexicon. Most words of a tweet are not.

:class:`Analyzer` gives the same dict (``neg``, ``neu``, ``pos``, ``compound``), bit for bit,
from the library's lexicon, word lists and constants. What it does differently, and why the
result cannot change:

- **Words.** The library splits the text on whitespace, strips ASCII punctuation from both
  ends of each token unless that leaves two characters or fewer, and lowercases each word
  again wherever a rule looks at it. Here the stripped, lowercased list is made once, and
  only tokens that are not all letters are stripped (nothing else has punctuation). An ASCII
  text is lowercased whole before splitting: ASCII lowercasing maps character to character
  and leaves punctuation and whitespace alone, so that gives the same words.
- **Capitals.** ``str.isupper`` ignores characters without case, and ASCII punctuation has
  none, so a raw token is upper case exactly when its stripped word is: the test "some but
  not all words in capitals" (``allcap_differential``) and the capitals of a sentiment word
  or a booster are read off the raw tokens, and skipped for an ASCII text without capitals.
- **Only lexicon words.** A word that is a booster, the "kind" of "kind of", or not in the
  lexicon gets a 0 from the library whatever its neighbours. Only lexicon words go through
  the rules (preceding boosters with their 0.95/0.9 decay and capitals, "no", negations with
  "n't", "never so/this", "without doubt", idioms, "least"), in the library's order and with
  its arithmetic. Each rule needs one of its own words (``_TRIGGERS``: boosters, negations,
  "no", "never", "this", "least", first words of idioms, the text's words with "n't") among
  the word and the three before it; a lexicon word without any keeps its lexicon valence,
  emphasised if in capitals. Negation is one set lookup; word pairs and triples for idioms
  are built only when a word could start an idiom or a two-word booster ("kind of", ...).
- **Zeros.** Adding 0 leaves a float as it is (none of the library's partial sums can be
  -0.0), so its sums (``sum``, ``_sift_sentiment_scores``) over the valences without the
  zeros are the same numbers, bit for bit, and the zeros only count as neutral words.
  ``_score`` is ``score_valence`` on that short list. The "but" rule depends on where the
  zeros are (it finds values with ``list.index``), so a text with "but" builds its full
  list and runs the library's ``_but_check`` on it.
- **Emojis.** A text with a character of the emoji lexicon (or that is not a ``str``) goes
  to the library as it is.

Nothing is stored between calls: one analyzer can serve several threads.
``tests/spokes/test_sentiment.py`` compares the two analyzers' dicts (``repr``) on labelled
texts, generated texts and a corpus of 20,000 made to reach every rule.
"""

import math
import string
from itertools import compress, count
from operator import not_

from vaderSentiment import vaderSentiment as vader

_PUNCTUATION = string.punctuation
_NEGATIONS = frozenset(vader.NEGATE)
_BOOSTERS = vader.BOOSTER_DICT
_SO_THIS = ("so", "this")
_OR_NOR = ("or", "nor")
_AT_VERY = ("at", "very")
# First words of the idioms and two-word boosters that _idioms can find.
_IDIOM_STARTS = frozenset(
    key.split()[0] for key in (*vader.SPECIAL_CASES, *_BOOSTERS) if " " in key
)
# Words that let a rule change the valence of a lexicon word at most three words after them
# (or of itself): without one of these (or a word with "n't") it keeps its lexicon valence.
_TRIGGERS = _NEGATIONS | _BOOSTERS.keys() | _IDIOM_STARTS | {"no", "never", "this", "least"}
# _punctuation_emphasis by the number of "!" and of "?" (4 stands for 4 or more).
_EMPHASIS = tuple(
    tuple(
        vader.SentimentIntensityAnalyzer._amplify_ep("!" * ep)
        + vader.SentimentIntensityAnalyzer._amplify_qm("?" * qm)
        for qm in range(5)
    )
    for ep in range(5)
)


def _strip_words(tokens: list[str]) -> list[str]:
    """SentiText._strip_punc_if_word on each token, in place."""
    for i in compress(count(), map(not_, map(str.isalpha, tokens))):
        token = tokens[i]
        word = token.strip(_PUNCTUATION)
        if len(word) > 2:
            tokens[i] = word
    return tokens


def _idioms(valence: float, lows: list[str], i: int) -> float:
    """_special_idioms_check on the lowercased words (``i`` > 2)."""
    w3, w2, w1, w0 = lows[i - 3], lows[i - 2], lows[i - 1], lows[i]
    special = vader.SPECIAL_CASES
    two_one, three_two_one, three_two = f"{w2} {w1}", f"{w3} {w2} {w1}", f"{w3} {w2}"
    for seq in (f"{w1} {w0}", f"{w2} {w1} {w0}", two_one, three_two_one, three_two):
        if seq in special:
            valence = special[seq]
            break
    if len(lows) - 1 > i and (seq := f"{w0} {lows[i + 1]}") in special:
        valence = special[seq]
    if len(lows) - 1 > i + 1 and (seq := f"{w0} {lows[i + 1]} {lows[i + 2]}") in special:
        valence = special[seq]
    for n_gram in (three_two_one, three_two, two_one):
        if n_gram in _BOOSTERS:
            valence = valence + _BOOSTERS[n_gram]
    return valence


def _emphasised(value: float, valence: float) -> float:
    """``value`` with the emphasis of capitals, away from 0 in the direction of ``valence``."""
    if valence > 0:
        return value + vader.C_INCR
    return value - vader.C_INCR


def _boosted(valence: float, word: str, raw_word: str, caps: bool, decay: float) -> float:
    """valence plus scalar_inc_dec of the booster ``word`` before it, decayed by distance."""
    scalar = _BOOSTERS[word]
    if valence < 0:
        scalar *= -1
    if caps and raw_word.isupper():
        scalar = _emphasised(scalar, valence)
    return valence + scalar * decay


def _score(values: list[float], n: int, text: str) -> dict:
    """score_valence for a text of ``n`` words with the valences ``values``, in the text's
    order and any of its zeros left out."""
    sum_s = float(sum(values))
    emphasis = _EMPHASIS[min(text.count("!"), 4)][min(text.count("?"), 4)]
    if sum_s > 0:
        sum_s += emphasis
    elif sum_s < 0:
        sum_s -= emphasis
    compound = vader.normalize(sum_s)

    pos_sum = neg_sum = 0.0
    neutral = n - len(values)
    for value in values:
        if value > 0:
            pos_sum += float(value) + 1
        elif value < 0:
            neg_sum += float(value) - 1
        else:
            neutral += 1
    if pos_sum > math.fabs(neg_sum):
        pos_sum += emphasis
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= emphasis
    total = pos_sum + math.fabs(neg_sum) + neutral
    return {
        "neg": round(math.fabs(neg_sum / total), 3),
        "neu": round(math.fabs(neutral / total), 3),
        "pos": round(math.fabs(pos_sum / total), 3),
        "compound": round(compound, 4),
    }


class Analyzer(vader.SentimentIntensityAnalyzer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The library replaces each character that is an emoji; none is ASCII.
        self._single_emojis = frozenset(e for e in self.emojis if len(e) == 1)
        self._ascii_emojis = any(e.isascii() for e in self._single_emojis)
        # Lexicon words the library scores (it gives a booster in the lexicon a 0).
        self._scored = frozenset(w for w in self.lexicon if w not in _BOOSTERS)

    def polarity_scores(self, text):
        if not isinstance(text, str):
            return super().polarity_scores(text)
        if text.isascii() and not self._ascii_emojis:
            lowered = text.lower()
            lows = _strip_words(lowered.split())
            capitals = lowered != text
            # Only a text with capitals reads its raw tokens (their isupper).
            raw = text.split() if capitals else lows
            contracted = {w for w in lows if "n't" in w} if "n't" in lowered else ()
        elif self._single_emojis.isdisjoint(text):
            raw = _strip_words(text.split())
            lows = list(map(str.lower, raw))
            capitals = True
            contracted = {w for w in lows if "n't" in w}
        else:
            return super().polarity_scores(text)

        n = len(lows)
        if not n:
            return {"neg": 0.0, "neu": 0.0, "pos": 0.0, "compound": 0.0}
        # allcap_differential: some but not all words in capitals.
        caps = capitals and 0 < sum(map(str.isupper, raw)) < n
        # negated([word]): in VADER's list or with "n't".
        negations = _NEGATIONS.union(contracted) if contracted else _NEGATIONS
        triggers = _TRIGGERS.union(contracted) if contracted else _TRIGGERS
        lexicon = self.lexicon
        positions = []
        values = []
        for i in compress(count(), map(self._scored.__contains__, lows)):
            if triggers.isdisjoint(lows[max(i - 3, 0) : i + 1]):
                valence = lexicon[lows[i]]
                if caps and raw[i].isupper():
                    valence = _emphasised(valence, valence)
            elif lows[i] == "kind" and i + 1 < n and lows[i + 1] == "of":
                continue
            else:
                valence = self._valence(lows, raw, i, caps, negations)
            if valence:
                positions.append(i)
                values.append(valence)
        if "but" in lows:
            sentiments = [0] * n
            for i, valence in zip(positions, values, strict=True):
                sentiments[i] = valence
            values = self._but_check(lows, sentiments)
        elif not values:
            return {"neg": 0.0, "neu": 1.0, "pos": 0.0, "compound": 0.0}
        return _score(values, n, text)

    def _valence(self, lows, raw, i, caps, negations) -> float:
        """sentiment_valence of the lexicon word ``lows[i]``."""
        lexicon = self.lexicon
        word = lows[i]
        w1 = lows[i - 1] if i > 0 else None
        w2 = lows[i - 2] if i > 1 else None
        w3 = lows[i - 3] if i > 2 else None
        valence = lexicon[word]
        # "no" before another lexicon word only negates it; "no" up to three words before.
        if word == "no" and i + 1 < len(lows) and lows[i + 1] in lexicon:
            valence = 0.0
        if w1 == "no" or w2 == "no" or (w3 == "no" and w1 in _OR_NOR):
            valence = lexicon[word] * vader.N_SCALAR
        if caps and raw[i].isupper():
            valence = _emphasised(valence, valence)

        # The three words before it, nearest first, each only if not in the lexicon.
        if w1 is not None and w1 not in lexicon:
            if w1 in _BOOSTERS:
                valence = _boosted(valence, w1, raw[i - 1], caps, 1.0)
            if w1 in negations:
                valence = valence * vader.N_SCALAR
        if w2 is not None and w2 not in lexicon:
            if w2 in _BOOSTERS:
                valence = _boosted(valence, w2, raw[i - 2], caps, 0.95)
            if w2 == "never" and w1 in _SO_THIS:
                valence = valence * 1.25
            elif w2 in negations and not (w2 == "without" and w1 == "doubt"):
                valence = valence * vader.N_SCALAR
        if w3 is not None and w3 not in lexicon:
            if w3 in _BOOSTERS:
                valence = _boosted(valence, w3, raw[i - 3], caps, 0.9)
            if (w3 == "never" and w2 in _SO_THIS) or w1 in _SO_THIS:
                valence = valence * 1.25
            elif w3 in negations and not (w3 == "without" and "doubt" in (w2, w1)):
                valence = valence * vader.N_SCALAR
            if not _IDIOM_STARTS.isdisjoint((w3, w2, w1, word)):
                valence = _idioms(valence, lows, i)

        # _least_check: "least" before it negates, but not "at least" or "very least".
        if w1 == "least" and w1 not in lexicon and w2 not in _AT_VERY:
            valence = valence * vader.N_SCALAR
        return valence

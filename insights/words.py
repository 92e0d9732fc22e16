"""The words a mention is about, for the dashboard's "Top words": its text without the
English function words, contractions and social-media filler that top any count of posts
("the", "my", "i'm", "rt"), and without handles, links and email addresses.

A short list kept here rather than a dependency: no installed package carries one (NLTK's and
scikit-learn's are not installed), and the words that matter for customer posts differ a
little from theirs (greetings and thanks are filler here).
"""

import re

# Function words (articles, pronouns, auxiliaries, prepositions, conjunctions, common adverbs).
_FUNCTION = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each even ever few for from
further get gets getting got had has have having he her here hers herself him himself his how i
if in into is it its itself just me more most much my myself no nor not now of off on once only
or other our ours ourselves out over own same she should so some still such than that the their
theirs them themselves then there these they this those through to too under until up upon us
very was we were what when where which while who whom whose why will with would yet you your
yours yourself yourselves
"""
# Contractions as typed, with the apostrophe and (when unambiguous) without it: "ill", "well",
# "were" and "wed" are words of their own, so "i'll", "we'll", "we're", "we'd" keep theirs.
_CONTRACTIONS = """
aren't can't couldn't didn't doesn't don't hadn't hasn't haven't he'd he'll he's i'd i'll i'm
i've isn't it'd it'll it's let's mustn't shan't she'd she'll she's shouldn't that'll that's
there's they'd they'll they're they've wasn't we'd we'll we're we've weren't what's where's
who's won't wouldn't you'd you'll you're you've y'all
arent cant couldnt didnt doesnt dont hadnt hasnt havent im isnt ive shouldnt thats theyre
theyve wasnt werent whats wont wouldnt youre youve
"""
# What posts to a company say around the point: greetings, thanks, platform filler.
_FILLER = """
amp dm hello hey hi lol like ok okay please pls plz really rt thank thanks thx via yes
"""
STOP_WORDS = frozenset((_FUNCTION + _CONTRACTIONS + _FILLER).split())
MIN_LENGTH = 3

_NOT_WORDS = re.compile(
    r"https?://\S+|www\.\S+"  # links
    r"|\S+@\S+\.\S+"  # email addresses (before handles: "ana@example.com")
    r"|@\w+"  # handles
)
# Letters, with apostrophes or hyphens inside ("don't", "follow-up"); any alphabet.
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def words(text: str) -> set[str]:
    """The distinct words of ``text`` worth counting, lower-cased."""
    text = _NOT_WORDS.sub(" ", text.lower().replace("\u2019", "'"))
    found = set()
    for word in _WORD.findall(text):
        if word in STOP_WORDS:
            continue
        if word.endswith("'s"):  # a possessive counts as its word: "refund's" is "refund"
            word = word[:-2]
        if len(word) >= MIN_LENGTH and word not in STOP_WORDS:
            found.add(word)
    return found

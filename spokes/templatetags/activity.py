"""How a mention's history reads."""

from django import template

register = template.Library()


@register.filter
def verb_words(verb: str) -> str:
    """An activity's verb as words: "reply_drafted" reads "reply drafted" (it read
    "replydrafted" when the underscores were only cut)."""
    return str(verb).replace("_", " ")

"""Filling guideline placeholders, signing replies and checking per-channel length limits.

Pure functions: no database access. Placeholders are ``{name}``; ``{{`` and ``}}`` are
literal braces. Only the names in :data:`PLACEHOLDERS` exist; attribute access, indexing,
conversions and format specs are refused, so a template can never reach into Python objects.
"""

import string
from collections.abc import Mapping
from difflib import SequenceMatcher

from core.errors import DomainError

PLACEHOLDERS = {
    "customer_name": "The author's display name, or @handle",
    "customer_handle": "The author's @handle",
    "agent_initials": "The replying agent's initials",
    "agent_name": "The replying agent's first name",
    "agent_signature": "The agent's signature, or their initials",
    "department_name": "The department's name",
    "availability": "The department's public availability statement",
    "incident_title": "The title of the linked incident",
    "phone": "The department's phone number (or the agent's)",
    "email": "The department's contact email",
    "dm_link": "Link to send the brand a private message",
}

# Characters a reply may have on each channel; a channel not listed has no limit here.
SOURCE_LENGTH_LIMITS = {
    "twitter": 280,
    "sms": 160,
    "tiktok": 150,
    "instagram": 2200,
    "facebook": 8000,
    "review": 4000,
    "forum": 10000,
}

_FORMATTER = string.Formatter()


def placeholders_in(body: str) -> list[str]:
    """The placeholder names used in ``body``, in order; raises DomainError(field="body") on
    malformed or unknown placeholders."""
    names = []
    try:
        parsed = list(_FORMATTER.parse(body))
    except ValueError as exc:
        raise DomainError(
            f"Unbalanced braces ({exc}); write {{{{ and }}}} for literal braces.", field="body"
        ) from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name or spec or conversion or not name.isidentifier():
            raise DomainError(
                f"'{{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}'"
                " is not a placeholder; use a plain name such as {customer_name}.",
                field="body",
            )
        if name not in PLACEHOLDERS:
            raise DomainError(
                f"Unknown placeholder {{{name}}}; known: "
                + ", ".join(f"{{{n}}}" for n in PLACEHOLDERS)
                + ".",
                field="body",
            )
        names.append(name)
    return names


def fill(body: str, values: Mapping[str, str], *, field: str = "text") -> str:
    """Replace every placeholder with its value; a placeholder without a value is an error."""
    used = placeholders_in(body)
    missing = sorted({n for n in used if not str(values.get(n) or "").strip()})
    if missing:
        raise DomainError(
            "No value for " + ", ".join(f"{{{n}}}" for n in missing) + ".", field=field
        )
    out = []
    for literal, name, _spec, _conv in _FORMATTER.parse(body):
        out.append(literal)
        if name is not None:
            out.append(str(values[name]))
    return "".join(out)


def length_limit(source: str) -> int | None:
    return SOURCE_LENGTH_LIMITS.get(source)


def check_length(text: str, source: str, *, field: str = "text") -> None:
    limit = length_limit(source)
    if limit is not None and len(text) > limit:
        raise DomainError(
            f"{len(text)} characters: the limit on {source} is {limit}; shorten by "
            f"{len(text) - limit}.",
            field=field,
        )


def signature_for(user) -> str:
    """How ``user`` signs: their signature, else ``^`` and their initials."""
    return (getattr(user, "signature", "") or "").strip() or f"^{user.display_initials}"


def sign(text: str, *, user, sign_replies: bool) -> str:
    """Sign ``text`` when the department signs replies and the text is not signed yet.

    A department that does not sign loses a trailing ``^XX`` or signature instead, so one
    template serves both kinds of department.
    """
    text = text.rstrip()
    markers = {f"^{user.display_initials}", (getattr(user, "signature", "") or "").strip()} - {""}
    signed = any(text.endswith(marker) for marker in markers)
    if sign_replies:
        return text if signed else f"{text} {signature_for(user)}"
    for marker in markers:
        if text.endswith(marker):
            return text[: -len(marker)].rstrip(" -–—")
    return text


def similarity(a: str, b: str) -> float:
    """0..1 likeness of a reply to the rendered template it started from."""
    return round(SequenceMatcher(None, a.strip(), b.strip(), autojunk=False).ratio(), 3)

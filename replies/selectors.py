import difflib
import re

from django.db.models import QuerySet

from core.errors import NotFound
from replies.models import Reply, ReplyState
from spokes.selectors import mention_get


def replies_for_mention(mention) -> QuerySet[Reply]:
    return (
        Reply.objects.filter(mention=mention)
        .select_related("author", "decided_by")
        .prefetch_related("attempt_log")
        .order_by("created_at", "id")
    )


def approval_queue(user) -> QuerySet[Reply]:
    """Pending replies across all departments: incident-linked first, then oldest first."""
    if not user.is_central_comms:
        return Reply.objects.none()
    return (
        Reply.objects.filter(state=ReplyState.PENDING_APPROVAL)
        .select_related(
            "mention__author", "mention__department", "author", "claimed_by", "mention__thread_root"
        )
        .order_by("-is_priority", "submitted_at", "id")
    )


def reply_get(*, user, reply_id) -> Reply:
    try:
        reply = Reply.objects.select_related("mention", "author").get(pk=int(reply_id))
    except (Reply.DoesNotExist, TypeError, ValueError):
        raise NotFound("No such reply.") from None
    mention_get(user=user, mention_id=reply.mention_id)
    return reply


_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(template: str, text: str) -> list[tuple[str, str]]:
    """(op, chunk) pairs: op is "same", "del" (only in the template) or "ins" (only in text)."""
    a, b = _TOKEN.findall(template or ""), _TOKEN.findall(text or "")
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(b[j1:j2])))
    return out

"""Replies: draft, submit (straight out or to central comms), decide, deliver exactly once."""

import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from accounts.audit import audit
from core.errors import Conflict, DomainError, NotFound, PermissionDenied
from core.events import department_group, hub_group, mention_group, publish, user_group
from core.notifications import notify
from core.outbox import enqueue_on_commit
from hub import rendering
from replies import rules
from replies.models import (
    EDITABLE,
    ConnectorKind,
    DeliveryAttempt,
    DeliveryChannel,
    Reply,
    ReplyKind,
    ReplyState,
)
from spokes.models import Activity, Mention, Source, Status
from spokes.selectors import mention_get, user_can

log = logging.getLogger("firebreak.delivery")

CLAIM_TTL = timedelta(minutes=5)
MAX_LENGTH = 5000


# --- helpers -----------------------------------------------------------------------------
def _publish(reply: Reply, event: str, *, to_hub: bool = False) -> None:
    groups = [mention_group(reply.mention_id), user_group(reply.author_id)]
    if reply.mention.department_id:
        groups.append(department_group(reply.mention.department_id))
    if to_hub:
        groups.append(hub_group())
    publish(
        event,
        {
            "id": reply.pk,
            "mention_id": reply.mention_id,
            "state": reply.state,
            "author_id": reply.author_id,
            "needs_approval": bool(reply.approval_reasons),
        },
        groups=groups,
    )


def _activity(reply: Reply, actor, verb: str, **data) -> None:
    Activity.objects.create(
        mention_id=reply.mention_id, actor=actor, verb=verb, data={"reply_id": reply.pk, **data}
    )


def _transition(reply: Reply, method) -> None:
    if not can_proceed(method.__get__(reply)):
        raise Conflict(
            f"This reply is {reply.get_state_display().lower()}: it cannot be "
            f"{method.__name__.replace('_', ' ')}.",
            field="state",
        )
    method(reply)


def _clean_text(text: str) -> str:
    # a browser sends a textarea's lines ended by CRLF: one kind of line end, whatever the form
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise DomainError("A reply needs text.", field="text")
    if len(text) > MAX_LENGTH:
        raise DomainError(f"A reply is at most {MAX_LENGTH} characters.", field="text")
    return text


def similarity(text: str, template_text: str) -> float | None:
    return rendering.similarity(text, template_text) if template_text else None


def finalise_text(*, actor, mention: Mention, text: str, kind: str) -> str:
    """Sign where the department signs, and keep public replies within the channel's limit."""
    text = _clean_text(text)
    if mention.department is not None and kind != ReplyKind.HOLD:
        text = rendering.sign(text, user=actor, sign_replies=mention.department.sign_replies)
    if kind == ReplyKind.PUBLIC:
        rendering.check_length(text, mention.source, field="text")
    return text


def _lock_reply(*, actor, reply_id) -> Reply:
    """Visible replies only (their mention must be visible); locked for the change."""
    try:
        reply_id = int(reply_id)
    except (TypeError, ValueError):
        raise NotFound("No such reply.") from None
    mention_id = Reply.objects.filter(pk=reply_id).values_list("mention_id", flat=True).first()
    if mention_id is None:
        raise NotFound("No such reply.")
    mention_get(user=actor, mention_id=mention_id)  # NotFound for foreign departments
    return (
        Reply.objects.select_for_update(of=("self",))
        .select_related("mention", "author")
        .get(pk=reply_id)
    )


def _require_work(actor, mention: Mention) -> None:
    if not user_can(actor, "work_queue", mention.department_id):
        raise PermissionDenied("You cannot reply on this department's mentions.")


def _require_comms(actor) -> None:
    """Deciding is a capability (central comms, or an approve-scoped API key's account);
    which replies one may decide on stays scoped by departments through mention_get."""
    if not (actor.is_central_comms or actor.has_perm("replies.decide_reply")):
        raise PermissionDenied("Only central communications decides on replies.")


# --- drafting ----------------------------------------------------------------------------
@transaction.atomic
def reply_draft(
    *,
    actor,
    mention_id,
    text: str,
    kind: str = ReplyKind.PUBLIC,
    guideline_version_id: int | None = None,
    template_text: str = "",
    compensation_offer_id: int | None = None,
) -> Reply:
    mention_get(user=actor, mention_id=mention_id)
    mention = Mention.objects.select_for_update().get(pk=mention_id)
    _require_work(actor, mention)
    if kind not in ReplyKind.values:
        raise DomainError(f"Unknown kind '{kind}'.", field="kind")
    text = finalise_text(actor=actor, mention=mention, text=text, kind=kind)
    signature = rendering.signature_for(actor) if kind != ReplyKind.HOLD else ""
    reply = Reply.objects.create(
        mention=mention,
        author=actor,
        kind=kind,
        text=text,
        signature=signature,
        guideline_version_id=guideline_version_id,
        template_text=template_text,
        similarity=similarity(text, template_text),
        compensation_offer_id=compensation_offer_id,
    )
    _activity(reply, actor, "reply_drafted", kind=kind)
    _publish(reply, "reply.drafted")
    return reply


@transaction.atomic
def reply_update(*, actor, reply_id, text: str) -> Reply:
    reply = _lock_reply(actor=actor, reply_id=reply_id)
    _revise(reply, actor, text)
    return reply


def _revise(reply: Reply, actor, text: str) -> None:
    """The author's new text for a draft or a reply sent back for changes (``reply`` locked)."""
    if reply.author_id != actor.pk:
        raise PermissionDenied("Only the author edits a draft.")
    if reply.state not in EDITABLE:
        raise Conflict(
            "Only drafts and replies sent back for changes can be edited.", field="state"
        )
    reply.text = finalise_text(actor=actor, mention=reply.mention, text=text, kind=reply.kind)
    reply.similarity = similarity(reply.text, reply.template_text)
    reply.save(update_fields=["text", "similarity", "updated_at"])
    _publish(reply, "reply.updated")


def reply_check(*, actor, reply: Reply) -> list[str]:
    """Why this reply would need approval (empty: it goes straight out). Writes nothing."""
    return rules.approval_reasons(reply=reply, actor=actor)


@transaction.atomic
def reply_submit(*, actor, reply_id, text: str | None = None) -> Reply:
    """Send now, or to central comms when a rule says so; the agent never chooses. With
    ``text``, the text as the author last edited it goes (a draft, or the fix of a reply sent
    back for changes), in the same transaction."""
    reply = _lock_reply(actor=actor, reply_id=reply_id)
    mention = Mention.objects.select_for_update().get(pk=reply.mention_id)
    reply.mention = mention
    _require_work(actor, mention)
    if reply.author_id != actor.pk:
        raise PermissionDenied("Only the author submits a reply.")
    if text is not None and _clean_text(text) != reply.text.strip():
        _revise(reply, actor, text)
    if reply.kind == ReplyKind.HOLD:
        raise Conflict("An internal hold is never sent.", field="kind")
    if mention.status in (Status.RESOLVED, Status.SPAM):
        raise Conflict("Reopen the mention before replying.", field="status")
    reasons = rules.approval_reasons(reply=reply, actor=actor)
    reply.approval_reasons = reasons
    reply.submitted_at = timezone.now()
    if reasons:
        _transition(reply, Reply.submit_for_approval)
        reply.is_priority = rules.is_incident_linked(mention)
        if can_proceed(mention.await_approval):
            mention.await_approval()
            mention.save(update_fields=["status", "updated_at"])
        verb, event = "reply_submitted", "reply.submitted"
    else:
        _transition(reply, Reply.queue_directly)
        reply.queued_at = timezone.now()
        verb, event = "reply_queued", "reply.queued"
    reply.save(
        update_fields=[
            "approval_reasons",
            "submitted_at",
            "state",
            "is_priority",
            "queued_at",
            "updated_at",
        ]
    )
    _activity(reply, actor, verb, reasons=reasons)
    _publish(reply, event, to_hub=bool(reasons))
    if not reasons:
        _enqueue_delivery(reply)
    return reply


# --- approval by central comms -----------------------------------------------------------
def claim_holder(reply: Reply, *, now=None):
    """Who is deciding on this pending reply: its claimant while the claim is fresh (taken
    within ``CLAIM_TTL``), else None (nobody, or a claim gone stale)."""
    now = now or timezone.now()
    if reply.state != ReplyState.PENDING_APPROVAL or not reply.claimed_by_id:
        return None
    if not reply.claimed_at or reply.claimed_at <= now - CLAIM_TTL:
        return None
    return reply.claimed_by


@transaction.atomic
def reply_claim(*, actor, reply_id) -> Reply:
    """Take a pending reply to decide on it (an approver's explicit choice: opening the review
    page takes nothing); a second approver sees it is taken. Taking it again renews it."""
    _require_comms(actor)
    reply = _lock_reply(actor=actor, reply_id=reply_id)
    if reply.state != ReplyState.PENDING_APPROVAL:
        raise Conflict("This reply is no longer waiting for approval.", field="state")
    now = timezone.now()
    holder = claim_holder(reply, now=now)
    if holder is not None and holder.pk != actor.pk:
        raise Conflict(f"{holder} is deciding on this reply.", field="claimed_by")
    stale = reply.claimed_by if holder is None and reply.claimed_by_id else None
    reply.claimed_by, reply.claimed_at = actor, now
    reply.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    if holder is None:  # a renewal by the holder changes nobody's view
        data = {"taken_over_from": str(stale)} if stale else {}
        _activity(reply, actor, "reply_claimed", **data)
        _publish(reply, "reply.claimed", to_hub=True)
    return reply


@transaction.atomic
def reply_release(*, actor, reply_id) -> Reply:
    """Hand a taken reply back to the queue: only its holder does, while it waits."""
    _require_comms(actor)
    reply = _lock_reply(actor=actor, reply_id=reply_id)
    if reply.state != ReplyState.PENDING_APPROVAL:
        raise Conflict("This reply is no longer waiting for approval.", field="state")
    holder = claim_holder(reply)
    if holder is None or holder.pk != actor.pk:
        raise Conflict("You are not deciding on this reply.", field="claimed_by")
    reply.claimed_by, reply.claimed_at = None, None
    reply.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
    _activity(reply, actor, "reply_released")
    _publish(reply, "reply.released", to_hub=True)
    return reply


# What the author is told, by decision ("was changes requested" read badly).
DECIDED = {
    "reply.approved": "was approved",
    "reply.changes_requested": "needs changes",
    "reply.rejected": "was rejected",
}


def _decide(*, actor, reply_id, method, event: str, comment: str = "", text: str | None = None):
    _require_comms(actor)
    reply = _lock_reply(actor=actor, reply_id=reply_id)
    if reply.author_id == actor.pk:
        raise PermissionDenied("You cannot decide on your own reply.")
    if reply.state != ReplyState.PENDING_APPROVAL:
        decided = reply.decided_by or "someone else"
        raise Conflict(f"Already decided by {decided}.", field="state")
    now = timezone.now()
    holder = claim_holder(reply, now=now)
    if holder is not None and holder.pk != actor.pk:
        raise Conflict(f"{holder} is deciding on this reply.", field="claimed_by")
    before = reply.text
    if text is not None:
        reply.text = finalise_text(
            actor=reply.author, mention=reply.mention, text=text, kind=reply.kind
        )
        reply.similarity = similarity(reply.text, reply.template_text)
    _transition(reply, method)
    reply.decided_by, reply.decided_at = actor, now
    reply.decision_comment = (comment or "").strip()
    fields = [
        "state",
        "decided_by",
        "decided_at",
        "decision_comment",
        "text",
        "similarity",
        "updated_at",
    ]
    mention = Mention.objects.select_for_update().get(pk=reply.mention_id)
    reply.mention = mention
    if reply.state == ReplyState.APPROVED:
        _transition(reply, Reply.queue)
        reply.queued_at = now
        fields.append("queued_at")
    elif mention.status == Status.AWAITING_APPROVAL:
        mention.return_from_approval()
        mention.save(update_fields=["status", "updated_at"])
    reply.save(update_fields=fields)
    _settle_offer(reply, actor)
    audit(
        actor=actor,
        action=event,
        target=reply,
        data={
            "mention_id": reply.mention_id,
            "comment": reply.decision_comment,
            "edited": reply.text != before,
            "reasons": reply.approval_reasons,
        },
    )
    _activity(reply, actor, event.replace(".", "_"), comment=reply.decision_comment)
    _publish(reply, event, to_hub=True)
    notify(
        user=reply.author,
        kind=event,
        text=f"Your reply on mention #{reply.mention_id} {DECIDED[event]}"
        + (f": {reply.decision_comment}" if reply.decision_comment else ""),
        url=f"/m/{reply.mention_id}/",
    )
    if reply.state == ReplyState.QUEUED:
        _enqueue_delivery(reply)
    return reply


def _settle_offer(reply: Reply, actor) -> None:
    """An approved reply approves its pending offer; a rejected one withdraws it."""
    if not reply.compensation_offer_id:
        return
    from hub.models import CompensationOffer, OfferStatus
    from hub.services.compensation import compensation_offer_approve, compensation_offer_set_status

    status = (
        CompensationOffer.objects.filter(pk=reply.compensation_offer_id)
        .values_list("status", flat=True)
        .first()
    )
    if status != OfferStatus.PROPOSED:
        return
    if reply.state == ReplyState.QUEUED:
        compensation_offer_approve(actor=actor, offer_id=reply.compensation_offer_id)
    elif reply.state == ReplyState.REJECTED:
        compensation_offer_set_status(
            actor=actor, offer_id=reply.compensation_offer_id, status=OfferStatus.WITHDRAWN
        )


@transaction.atomic
def reply_approve(*, actor, reply_id, text: str | None = None, comment: str = "") -> Reply:
    """Approve (optionally with an edited text) and queue for delivery."""
    return _decide(
        actor=actor,
        reply_id=reply_id,
        method=Reply.approve,
        event="reply.approved",
        comment=comment,
        text=text,
    )


@transaction.atomic
def reply_request_changes(*, actor, reply_id, comment: str) -> Reply:
    if not (comment or "").strip():
        raise DomainError("Tell the agent what to change.", field="comment")
    return _decide(
        actor=actor,
        reply_id=reply_id,
        method=Reply.request_changes,
        event="reply.changes_requested",
        comment=comment,
    )


@transaction.atomic
def reply_reject(*, actor, reply_id, comment: str = "") -> Reply:
    return _decide(
        actor=actor,
        reply_id=reply_id,
        method=Reply.reject,
        event="reply.rejected",
        comment=comment,
    )


# --- delivery ----------------------------------------------------------------------------
def _enqueue_delivery(reply: Reply) -> None:
    from replies.tasks import deliver_reply

    enqueue_on_commit(deliver_reply, reply.pk)


@transaction.atomic
def reply_retry(*, actor, reply_id) -> Reply:
    reply = _lock_reply(actor=actor, reply_id=reply_id)
    _require_work(actor, reply.mention)
    _transition(reply, Reply.queue)
    reply.queued_at = timezone.now()
    reply.save(update_fields=["state", "queued_at", "updated_at"])
    _activity(reply, actor, "reply_retried")
    _publish(reply, "reply.queued")
    _enqueue_delivery(reply)
    return reply


def reply_deliver(*, reply_id: int, final_attempt: bool = False) -> str:
    """Send a queued reply through its connector, once.

    The row stays locked while sending, so a duplicate task waits and then finds it sent.
    Returns "sent", "skipped" (not queued any more), "paused" (its channel is disabled: the
    reply waits, no attempt counted, until ``delivery_channel_set`` enables the channel and
    sends it again) or raises DeliveryError to retry.
    """
    from replies.connectors import DeliveryError, PausedConnector, connector_for

    with transaction.atomic():
        reply = (
            Reply.objects.select_for_update(of=("self",))
            .select_related(
                "mention__author", "mention__thread_root", "mention__department", "author"
            )
            .filter(pk=reply_id)
            .first()
        )
        if reply is None or reply.state != ReplyState.QUEUED:
            return "skipped"
        connector = connector_for(reply)
        if isinstance(connector, PausedConnector):
            _hold(reply, connector.waiting_note())
            return "paused"
        attempt = DeliveryAttempt(reply=reply, connector=connector.name)
        reply.attempts += 1
        reply.connector = connector.name
        try:
            external_id = connector.send(reply)
        except Exception as exc:
            # An error the connector did not foresee counts as a failed attempt too: raised
            # out of here, it would roll the attempt back, and the sweeper would send the reply
            # again and again, never counting, never failing where people can see it.
            if not isinstance(exc, DeliveryError):
                log.exception("reply %s: unexpected error from %s", reply.pk, connector.name)
            failure = exc if isinstance(exc, DeliveryError) else DeliveryError(repr(exc))
            attempt.error = reply.last_error = str(failure)[:1000]
            attempt.save()
            fields = ["attempts", "connector", "last_error", "updated_at"]
            final_attempt = final_attempt or failure.permanent
            if final_attempt:
                reply.mark_failed()
                fields.append("state")
                _activity(reply, None, "reply_failed", error=reply.last_error)
                _publish(reply, "reply.failed")
            reply.save(update_fields=fields)
        else:
            failure = None
            _record_sent(reply, attempt, external_id)
    if failure is None:
        return "sent"
    if final_attempt:
        return "failed"
    raise failure  # committed the attempt above; the task retries later


MAX_PER_MINUTE = 10_000


def reply_pace(*, reply_id: int) -> float:
    """Seconds this queued reply must wait for its turn under its channel's limit (0: send
    now), its turn taken. A channel with ``per_minute`` sends its replies evenly spaced: each
    takes the next free moment, one ``60 / per_minute`` seconds after the last, so a bulk
    response of thousands leaves at the platform's pace instead of tripping its limits (and
    its spam rules) and failing. Taken in a short transaction of its own, before delivery
    (which holds the reply's row during the connector's call): the channel's row is locked
    only to move its next free moment on."""
    with transaction.atomic():
        reply = (
            Reply.objects.select_related("mention")
            .only("id", "state", "not_before", "mention__source")
            .filter(pk=reply_id)
            .first()
        )
        if reply is None or reply.state != ReplyState.QUEUED:
            return 0.0  # delivery skips it
        channel = (
            DeliveryChannel.objects.select_for_update()
            .filter(source=reply.mention.source, active=True, per_minute__isnull=False)
            .first()
        )
        if channel is None or not channel.per_minute:
            return 0.0
        now = timezone.now()
        turn = max(channel.next_slot_at or now, now)
        channel.next_slot_at = turn + timedelta(seconds=60 / channel.per_minute)
        channel.save(update_fields=["next_slot_at"])
        wait = (turn - now).total_seconds()
        if wait > 0:
            Reply.objects.filter(pk=reply.pk).update(not_before=turn, updated_at=now)
        return wait


def _hold(reply: Reply, note: str) -> None:
    """Inside the delivery transaction: the reply waits for its paused channel; said once in
    its history and live, however often a task or the sweeper finds it waiting."""
    if reply.last_error == note:
        return
    reply.last_error = note
    reply.save(update_fields=["last_error", "updated_at"])
    _activity(reply, None, "reply_waiting", reason=note)
    _publish(reply, "reply.waiting")


def _record_sent(reply: Reply, attempt: DeliveryAttempt, external_id: str) -> None:
    """Inside the delivery transaction: the reply is sent, the mention answered."""
    attempt.ok, attempt.external_id = True, external_id
    attempt.save()
    now = timezone.now()
    reply.mark_sent()
    reply.external_id, reply.sent_at, reply.last_error = external_id, now, ""
    reply.save(
        update_fields=[
            "state",
            "external_id",
            "sent_at",
            "last_error",
            "attempts",
            "connector",
            "updated_at",
        ]
    )
    mention = Mention.objects.select_for_update().get(pk=reply.mention_id)
    fields = ["updated_at"]
    if reply.kind == ReplyKind.DIRECT and can_proceed(mention.take_offline):
        mention.take_offline()
        fields.append("status")
    elif reply.kind == ReplyKind.PUBLIC and can_proceed(mention.mark_replied):
        mention.mark_replied()
        fields.append("status")
    if reply.kind == ReplyKind.PUBLIC and mention.first_response_at is None:
        mention.first_response_at = now
        fields.append("first_response_at")
    mention.save(update_fields=fields)
    _activity(reply, None, "reply_sent", external_id=external_id, connector=reply.connector)
    _publish(reply, "reply.sent")


@transaction.atomic
def reply_create_from_incident(*, approver, mention_id: int, text: str, origin_key: str) -> Reply:
    """A reply central comms approved once for many mentions (an incident's bulk response).

    Exactly once per ``origin_key``: a repeat returns the existing reply. It is queued for
    delivery at once; the approval is the bulk decision, recorded on the reply and audited.
    """
    _require_comms(approver)
    existing = Reply.objects.filter(origin_key=origin_key).first()
    if existing is not None:
        return existing
    mention = mention_get(user=approver, mention_id=mention_id)
    mention = (
        Mention.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=mention.pk)
    )
    now = timezone.now()
    reply = Reply.objects.create(
        mention=mention,
        author=approver,
        kind=ReplyKind.PUBLIC,
        text=finalise_text(actor=approver, mention=mention, text=text, kind=ReplyKind.PUBLIC),
        signature=rendering.signature_for(approver),
        state=ReplyState.QUEUED,
        approval_reasons=["Approved once for the incident's bulk response."],
        is_priority=True,
        submitted_at=now,
        decided_by=approver,
        decided_at=now,
        queued_at=now,
        origin_key=origin_key,
    )
    audit(
        actor=approver,
        action="reply.bulk_approved",
        target=reply,
        data={"mention_id": mention.pk, "origin_key": origin_key},
    )
    _activity(reply, approver, "reply_queued", origin=origin_key)
    _publish(reply, "reply.queued")
    _enqueue_delivery(reply)
    return reply


# --- delivery channels -----------------------------------------------------------------------
@transaction.atomic
def delivery_channel_set(
    *, actor, source: str, connector: str, url: str = "", active: bool = True,
    new_secret: bool = False, per_minute=None,
) -> tuple[DeliveryChannel, str | None]:  # fmt: skip
    """How replies to ``source`` leave: create or change its channel (administrators).

    A webhook channel's URL must pass the SSRF guard now (it is checked again at every
    delivery). Its signing secret is made when the channel first becomes a webhook, or when
    ``new_secret`` asks for another, and returned that once; otherwise None.
    """
    from core.outbound import UnsafeURL, check_url

    if actor is not None and not actor.is_administrator:
        raise PermissionDenied("Only administrators manage delivery channels.")
    if source not in Source.values:
        raise DomainError(f"Unknown source '{source}'.", field="source")
    if connector not in ConnectorKind.values:
        raise DomainError(f"Unknown connector '{connector}'.", field="connector")
    per_minute = _per_minute(per_minute)
    url = (url or "").strip()
    if connector == ConnectorKind.WEBHOOK:
        try:
            check_url(url)
        except UnsafeURL as exc:
            raise DomainError(str(exc), field="url") from None
    else:
        url = ""
    channel = DeliveryChannel.objects.select_for_update().filter(source=source).first()
    if channel is None:
        channel = DeliveryChannel(source=source)
    secret = None
    if connector == ConnectorKind.WEBHOOK and (new_secret or not channel.secret):
        secret = f"dlsec_{secrets.token_urlsafe(32)}"
        channel.secret = secret
    resumed = channel.pk is not None and not channel.active and bool(active)
    channel.connector, channel.url, channel.active = connector, url, bool(active)
    channel.per_minute = per_minute
    channel.save()
    waiting = []
    if resumed:  # the replies held while it was paused leave now, oldest first
        from replies.tasks import deliver_reply

        waiting = list(
            Reply.objects.filter(state=ReplyState.QUEUED, mention__source=source)
            .order_by("id")
            .values_list("id", flat=True)
        )
        for reply_id in waiting:
            enqueue_on_commit(deliver_reply, reply_id)
    audit(
        actor=actor,
        action="delivery_channel.set",
        target=channel,
        data={
            "source": source,
            "connector": connector,
            "url": url,
            "active": channel.active,
            "new_secret": secret is not None,
            "per_minute": per_minute,
            **({"resumed_replies": len(waiting)} if resumed else {}),
        },
    )
    return channel, secret


def _per_minute(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PER_MINUTE:
        raise DomainError(
            f"Replies a minute: a whole number from 1 to {MAX_PER_MINUTE:,}, or empty for no "
            "limit.",
            field="per_minute",
        )
    return number

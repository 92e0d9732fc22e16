"""Reply composer actions and the central-comms approval queue. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound, for_people
from core.views import administrators_only
from replies import composer, selectors, services
from replies.models import ConnectorKind, DeliveryChannel, Reply
from spokes.models import Source
from spokes.selectors import mention_get


def _mention_or_404(user, mention_id):
    try:
        return mention_get(user=user, mention_id=mention_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _reply_or_404(user, reply_id):
    try:
        return selectors.reply_get(user=user, reply_id=reply_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _fail(request, exc: DomainError, back: str):
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    if request.htmx:
        return HttpResponse(for_people(exc), status=exc.status_code, content_type="text/plain")
    messages.error(request, for_people(exc))
    return redirect(back)


def _back(mention_id) -> str:
    return reverse("spokes:mention", args=[mention_id]) + "#composer"


@login_required
@require_POST
def compose(request, mention_id):
    """Draft a reply and, unless saved as a draft, submit it (out now or to approval)."""
    _mention_or_404(request.user, mention_id)
    data = request.POST
    try:
        submit = data.get("intent") != "draft"
        reply = composer.compose(
            actor=request.user, mention_id=mention_id, data=data, submit=submit
        )
    except DomainError as exc:
        if not isinstance(exc, NotFound) and not request.htmx:
            composer.keep_form(request, mention_id, data, exc)
            return redirect(_back(mention_id))
        return _fail(request, exc, _back(mention_id))
    if data.get("intent") == "draft":
        messages.success(request, "Draft saved.")
    elif reply.approval_reasons:
        messages.success(request, "Sent to central comms for approval.")
    else:
        messages.success(request, "Reply queued for delivery.")
    return redirect(_back(mention_id))


@login_required
@require_POST
def check(request, mention_id):
    """htmx: will this reply need approval, and why? Nothing is saved."""
    mention = _mention_or_404(request.user, mention_id)
    try:
        prepared = composer.prepare(
            actor=request.user, mention_id=mention_id, data=request.POST, dry_run=True
        )
    except DomainError as exc:
        return render(request, "replies/_check.html", {"error": exc})
    pending = prepared.pop("pending_compensation", None)
    try:
        prepared["text"] = services.finalise_text(
            actor=request.user, mention=mention, text=prepared["text"], kind=prepared["kind"]
        )
    except DomainError as exc:
        return render(request, "replies/_check.html", {"error": exc})
    prepared["similarity"] = services.similarity(prepared["text"], prepared["template_text"])
    reply = Reply(mention=mention, author=request.user, **prepared)
    reply.pending_compensation = pending
    reasons = services.reply_check(actor=request.user, reply=reply)
    return render(request, "replies/_check.html", {"reasons": reasons, "reply": reply})


@login_required
def template_text(request, mention_id):
    """htmx: the chosen guideline rendered for this mention, to start the reply from."""
    mention = _mention_or_404(request.user, mention_id)
    try:
        text = composer.render_guideline(
            actor=request.user, mention=mention, version_id=request.GET.get("guideline_version")
        )
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status_code)
    return render(request, "replies/_textarea.html", {"text": text})


@login_required
@require_POST
def reply_action(request, reply_id):
    reply = _reply_or_404(request.user, reply_id)
    action = request.POST.get("action")
    text = request.POST.get("text")  # the edit box beside Save and Submit
    operations = {
        "submit": lambda: services.reply_submit(actor=request.user, reply_id=reply.pk, text=text),
        "retry": lambda: services.reply_retry(actor=request.user, reply_id=reply.pk),
        "update": lambda: services.reply_update(
            actor=request.user, reply_id=reply.pk, text=text or ""
        ),
    }
    if action not in operations:
        return _fail(
            request, DomainError("Unknown action.", field="action"), _back(reply.mention_id)
        )
    try:
        done = operations[action]()
    except DomainError as exc:
        return _fail(request, exc, _back(reply.mention_id))
    if action == "update":
        messages.success(request, "Draft saved.")
    elif action == "retry":
        messages.success(request, "Delivery will be tried again.")
    elif done.approval_reasons:
        messages.success(request, "Sent to central comms for approval.")
    else:
        messages.success(request, "Reply queued for delivery.")
    return redirect(_back(reply.mention_id))


@login_required
def approvals(request):
    if not request.user.is_central_comms:
        raise Http404("No such page.")
    pending = list(selectors.approval_queue(request.user)[:200])
    now = timezone.now()
    for reply in pending:  # "Taken by" names a live claim only, never a stale one
        reply.holder = services.claim_holder(reply, now=now)
    if request.htmx and request.GET.get("partial"):
        # the live refresh (reply.* events on the hub's socket group): the queue alone
        return render(request, "replies/_approvals.html", {"pending": pending})
    return render(
        request,
        "replies/approvals.html",
        {"pending": pending, "live_kind": "hub", "live_key": "approvals"},
    )


def _decision_context(reply, user, error: str | None = None) -> dict:
    """The decision panel's state: ``mine`` (this approver decides), ``taken`` (another
    approver is deciding: said, never taken from them), ``open`` (nobody has it: a button
    takes it) or ``closed`` (no longer waiting for approval)."""
    holder = services.claim_holder(reply)
    if reply.state != "pending_approval":
        claim = "closed"
    elif holder is None:
        claim = "open"
    else:
        claim = "mine" if holder.pk == user.pk else "taken"
    return {
        "reply": reply,
        "claim": claim,
        "holder": holder,
        "claim_error": error,
        "claim_ttl_minutes": int(services.CLAIM_TTL.total_seconds() // 60),
    }


def _decision_panel(request, reply_id, error: str | None = None):
    reply = _reply_or_404(request.user, reply_id)  # read afresh: who holds it now
    return render(request, "replies/_decision.html", _decision_context(reply, request.user, error))


@login_required
def review(request, reply_id):
    """Read only: opening the page (or a link preview fetching it) takes nothing; the
    approver takes the reply with the panel's button. ``?partial=decision``: the panel alone,
    fetched again on the mention's reply events so who holds it stays current."""
    if not request.user.is_central_comms:
        raise Http404("No such page.")
    if request.GET.get("partial") == "decision":
        return _decision_panel(request, reply_id)
    reply = _reply_or_404(request.user, reply_id)
    return render(
        request,
        "replies/review.html",
        {
            **_decision_context(reply, request.user),
            "mention": reply.mention,
            "diff": selectors.word_diff(reply.template_text, reply.text),
            "offer": composer.offer_summary(reply),
            "thread": composer.thread(reply.mention, request.user),
            "live_kind": "mention",
            "live_key": reply.mention_id,
        },
    )


def _claim_change(request, reply_id, service):
    """Take or hand back a pending reply; the panel answers as it now stands (with the reason
    when refused: taken by someone else, decided meanwhile)."""
    if not request.user.is_central_comms:
        raise Http404("No such page.")
    reply = _reply_or_404(request.user, reply_id)
    error = None
    try:
        service(actor=request.user, reply_id=reply.pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        error = exc.message
    if request.htmx:
        return _decision_panel(request, reply.pk, error)
    if error:
        messages.error(request, error)
    return redirect("replies:review", reply.pk)


@login_required
@require_POST
def claim(request, reply_id):
    """Take a pending reply to decide on it (the panel's "Take this review" button). With
    ``keep``, the holder's page renews the claim while they type (at most once a minute), so
    a long edit does not lapse into a colleague's hands: 204, or the reason as text (a toast),
    the panel and its typed text left alone."""
    if not request.POST.get("keep"):
        return _claim_change(request, reply_id, services.reply_claim)
    if not request.user.is_central_comms:
        raise Http404("No such page.")
    reply = _reply_or_404(request.user, reply_id)
    try:
        services.reply_claim(actor=request.user, reply_id=reply.pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain")
    return HttpResponse(status=204)


@login_required
@require_POST
def release(request, reply_id):
    """Hand a taken reply back, for another approver to take."""
    return _claim_change(request, reply_id, services.reply_release)


@login_required
@require_POST
def decide(request, reply_id):
    if not request.user.is_central_comms:
        raise Http404("No such page.")
    reply = _reply_or_404(request.user, reply_id)
    decision = request.POST.get("decision")
    comment = request.POST.get("comment", "")
    back = reverse("replies:review", args=[reply.pk])
    try:
        if decision in ("approve", "edit_approve"):
            # what goes out is the text as it reads in the box: edited or not (an edit was
            # lost when the primary button approved the agent's text instead)
            services.reply_approve(
                actor=request.user,
                reply_id=reply.pk,
                text=request.POST.get("text"),
                comment=comment,
            )
        elif decision == "changes":
            services.reply_request_changes(actor=request.user, reply_id=reply.pk, comment=comment)
        elif decision == "reject":
            services.reply_reject(actor=request.user, reply_id=reply.pk, comment=comment)
        else:
            raise DomainError(
                "Choose approve, edit and approve, request changes or reject.", field="decision"
            )
    except DomainError as exc:
        return _fail(request, exc, back)
    messages.success(request, "Decision recorded.")
    return redirect("replies:approvals")


@login_required
def channels(request):
    """Administrators: how replies leave, per source (connector, URL, signing secret)."""
    administrators_only(request)
    context = {"errors": {}, "form": {}, "connectors": ConnectorKind.choices}
    if request.method == "POST":
        form = {
            "source": request.POST.get("source", ""),
            "connector": request.POST.get("connector", ""),
            "url": request.POST.get("url", ""),
            "active": request.POST.get("active") == "1",
            "new_secret": request.POST.get("new_secret") == "1",
            "per_minute": request.POST.get("per_minute", ""),
        }
        try:
            channel, secret = services.delivery_channel_set(actor=request.user, **form)
        except DomainError as exc:
            context.update(errors={exc.field: exc.message}, form=form)
        else:
            context.update(saved=channel, secret=secret)
    by_source = {c.source: c for c in DeliveryChannel.objects.all()}
    context["rows"] = [(value, label, by_source.get(value)) for value, label in Source.choices]
    response = render(
        request, "replies/channels.html", context, status=400 if context["errors"] else 200
    )
    response["Cache-Control"] = "no-store"  # the page may hold a secret shown once
    return response

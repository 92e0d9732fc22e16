"""Staff web UI: thin views that parse input, call a selector or service, render."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError, NotFound, for_people
from core.pagination import keyset_page_for
from core.shared import shared
from spokes import rules, selectors, services
from spokes.filters import MentionFilter
from spokes.models import OPEN_STATUSES, Department, Priority, Source, Status
from spokes.selectors import DEFAULT_SORT, ORDERINGS

User = get_user_model()

PAGE_SIZE = 50


def _department_or_404(user, slug, perm="view_queue") -> Department:
    try:
        return selectors.department_get(user=user, slug=slug, perm=perm)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _mention_or_404(user, mention_id):
    try:
        return selectors.mention_get(user=user, mention_id=mention_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _filtered_page(request, queryset):
    params = request.GET.copy()
    params.setdefault("status", "open")
    mention_filter = MentionFilter(params, queryset=queryset, request=request)
    if not mention_filter.is_valid():
        for field, errors in mention_filter.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
        mention_filter = MentionFilter({"status": "open"}, queryset=queryset, request=request)
    sort = request.GET.get("sort", DEFAULT_SORT)
    ordering = ORDERINGS.get(sort, ORDERINGS[DEFAULT_SORT])
    rows, next_cursor = keyset_page_for(request, mention_filter.qs, ordering, size=PAGE_SIZE)
    next_params = request.GET.copy()
    if next_cursor:
        next_params["cursor"] = next_cursor
    next_params.pop("partial", None)
    return {
        "filter": mention_filter,
        "rows": rows,
        "sort": sort if sort in ORDERINGS else DEFAULT_SORT,
        "next_url": f"?{next_params.urlencode()}" if next_cursor else "",
        "is_first_page": not request.GET.get("cursor"),
    }


# What get_<field>_display() answers, without its per-call rebuilding of the choices (three
# calls a row).
LABELS = {
    "priority": dict(Priority.choices),
    "source": dict(Source.choices),
    "status": dict(Status.choices),
}


def _rows_html(request, context) -> SafeString:
    """The table's rows, by Jinja2 (autoescaped; config/jinja2.py says why)."""
    keys = ("rows", "can_work", "show_department")
    tag_names = selectors.tag_names_of(context.get("rows") or ())
    html = render_to_string(
        "spokes/queue_rows.html",
        {"labels": LABELS, "tag_names": tag_names, **{k: context.get(k) for k in keys}},
        request,
        using="jinja2",
    )
    return mark_safe(html)  # noqa: S308 - Jinja2 escaped every value in it


@login_required
def home(request):
    """Where signing in lands: the first queue one works; central comms who work none, the
    approvals waiting for them (a department's queue they may only read was no start)."""
    if request.user.is_central_comms and not selectors.department_ids_for(
        request.user, "work_queue"
    ):
        return redirect("replies:approvals")
    department = selectors.departments_for(request.user).first()
    if department is None:
        return redirect("spokes:mine")
    return redirect("spokes:queue", slug=department.slug)


@login_required
def queue(request, slug):
    department = _department_or_404(request.user, slug)
    if request.htmx and request.GET.get("partial"):
        return _live_rows(request, department)
    return _queue_page(request, department)


def _queue_page(request, department, *, status: int = 200, view_name: str = ""):
    """The queue page for the filters in the query string; ``view_name``: the name typed in
    "Save this view as…", kept when saving it was refused (``status`` 400)."""
    base = selectors.queue_base(department)
    context = _filtered_page(request, base)
    can_work = selectors.user_can(request.user, "work_queue", department.pk)
    is_lead = can_work and selectors.user_can(request.user, "lead_queue", department.pk)
    context.update(
        department=department,
        can_work=can_work,
        is_lead=is_lead,
        members=(
            User.objects.filter(memberships__department=department, is_active=True).order_by(
                "username"
            )
            if is_lead
            else []
        ),
        live_kind="department",
        live_key=department.slug,
        bulk_url=reverse("spokes:bulk", args=[department.slug]),
        bulk_actions=QUEUE_BULK_ACTIONS,
    )
    context["rows_html"] = _rows_html(request, context)
    counts = selectors.department_status_counts(department)
    context["counts"] = [(s, counts.get(s.value, 0)) for s in Status]
    context["open_count"] = sum(counts.get(s, 0) for s in OPEN_STATUSES)
    current = selectors.view_params(request.GET)
    views = list(selectors.saved_views(request.user, department))  # one query
    context.update(
        saved_views=views,
        current_view=next((v for v in views if v.params == current), None),
        view_query=current,
        view_name=view_name,
    )
    return render(request, "spokes/queue.html", context, status=status)


def _live_rows(request, department) -> HttpResponse:
    """The rows a queue's live refresh asks for, made once for everyone who would see the same
    ones (``core.shared``: at most ``QUEUE_ROWS_SECONDS`` old; an older answer given while
    another request makes the next is marked ``X-Firebreak-Stale``, and the page asks again).

    A refresh after a live event says how long ago the page learnt of the change
    (``X-Firebreak-Event-Age``, ms): rows made before it are never given as current, which
    the refetch after a colleague's assignment used to get, unmarked, for up to 2 s."""
    can_work = selectors.user_can(request.user, "work_queue", department.pk)

    def rows() -> str:
        context = _filtered_page(request, selectors.queue_base(department))
        return str(_rows_html(request, {**context, "can_work": can_work}))

    html, stale = shared(
        _rows_key(request, department, can_work),
        rows,
        fresh_for=settings.QUEUE_ROWS_SECONDS,
        changed_ago=_event_age(request),
    )
    response = HttpResponse(html)
    if stale:
        response["X-Firebreak-Stale"] = "1"
    return response


def _event_age(request) -> float | None:
    """Seconds since the page learnt of the change it refreshes for (``X-Firebreak-Event-Age``,
    in ms, measured by the page: its clock is never compared with ours); None without one."""
    try:
        age = float(request.headers.get("X-Firebreak-Event-Age", "")) / 1000
    except ValueError:
        return None
    return age if 0 <= age < 86_400 else None  # NaN and nonsense: as if none was sent


def _rows_key(request, department, can_work: bool) -> str:
    """Everything a department queue's rows depend on: the department, the filters and page,
    whether the viewer may work the queue (the selection column), the language and time zone,
    and the viewer only where a filter names them (``assignee=me``)."""
    params = sorted(
        (name, value)
        for name, values in request.GET.lists()
        if name != "partial"
        for value in values
    )
    viewer = str(request.user.pk) if any(value == "me" for _, value in params) else "-"
    filters = hashlib.sha256(urlencode(params).encode()).hexdigest()[:32]
    return ":".join(
        (
            "queue-rows",
            str(department.pk),
            "work" if can_work else "view",
            translation.get_language() or "",
            timezone.get_current_timezone_name(),
            viewer,
            filters,
        )
    )


@login_required
def mine(request):
    """The mentions assigned to the user, across their departments, with the bulk form for
    whoever works a queue (the rows' boxes too, in a live refresh's rows as well: the page
    keeps what was selected, as a queue does)."""
    user = request.user
    context = _filtered_page(request, selectors.mentions_mine(user))
    can_work = bool(selectors.department_ids_for(user, "work_queue"))
    context.update(live_kind="mine", live_key="", show_department=True, can_work=can_work)
    context["rows_html"] = _rows_html(request, context)
    if request.htmx and request.GET.get("partial"):
        return HttpResponse(context["rows_html"])
    context.update(bulk_url=reverse("spokes:mine_bulk"), bulk_actions=MINE_BULK_ACTIONS)
    return render(request, "spokes/mine.html", context)


@login_required
def mention_detail(request, mention_id):
    mention = _mention_or_404(request.user, mention_id)
    can_work = selectors.user_can(request.user, "work_queue", mention.department_id)
    actions = rules.mention_actions(request.user, mention)
    context = {
        "mention": mention,
        "thread": selectors.thread_around(mention, request.user),
        "author_history": selectors.author_history(mention, request.user),
        "activities": mention.activities.select_related("actor"),
        "notes": mention.notes.select_related("author"),
        "tags": mention.tags.all(),
        "can_work": can_work,
        "actions": actions,
        "status_actions": actions & rules.STATUS_ACTIONS.keys(),
        "members": (
            User.objects.filter(memberships__department_id=mention.department_id, is_active=True)
            if "assign" in actions
            else []
        ),
        "departments": (
            Department.objects.exclude(pk=mention.department_id) if "transfer" in actions else []
        ),
        "live_kind": "mention",
        "live_key": mention.pk,
        "priorities": Priority.choices,
    }
    from replies import composer
    from replies.selectors import replies_for_mention

    context["replies"] = replies_for_mention(mention)
    if can_work and mention.department_id:
        context["composer"] = composer.context(
            user=request.user, mention=mention, form=composer.kept_form(request, mention.pk)
        )
    return render(request, "spokes/mention.html", context)


def _run(request, operation, success: str):
    try:
        operation()
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        if request.htmx:
            return HttpResponse(for_people(exc), status=exc.status_code, content_type="text/plain")
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return None


@login_required
@require_POST
def mention_action(request, mention_id):
    user, data = request.user, request.POST
    action = data.get("action", "")
    if action == "assign_me":
        op = lambda: services.mention_assign(actor=user, mention_id=mention_id, assignee=user)  # noqa: E731
        done = "Assigned to you."
    elif action == "hand_back":
        op = lambda: services.mention_assign(actor=user, mention_id=mention_id, assignee=None)  # noqa: E731
        done = "Handed back: it is nobody's now."
    elif action == "assign":
        target = User.objects.filter(username=data.get("assignee", "")).first()
        if data.get("assignee") and target is None:
            target = _missing_user
        op = lambda: _assign(user, mention_id, target)  # noqa: E731
        done = "Assignment changed."
    elif action == "priority":
        op = lambda: services.mention_set_priority(  # noqa: E731
            actor=user, mention_id=mention_id, priority=data.get("priority")
        )
        done = "Priority changed."
    elif action == "transfer":
        op = lambda: _transfer(user, mention_id, data)  # noqa: E731
        done = "Transferred."
    elif action == "tag":
        op = lambda: services.mention_set_tags(  # noqa: E731
            actor=user, mention_id=mention_id, add=data.get("tags", "").split(",")
        )
        done = "Tagged."
    else:
        op = lambda: services.mention_change_status(  # noqa: E731
            actor=user, mention_id=mention_id, action=action
        )
        done = "Status changed."
    response = _run(request, op, done)
    if response is not None:
        return response
    if action == "transfer":
        # the sender may no longer see the mention
        return redirect(_safe_next(request, reverse("home")))
    return redirect("spokes:mention", mention_id=mention_id)


_missing_user = object()


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _assign(actor, mention_id, target):
    if target is _missing_user:
        selectors.mention_get(user=actor, mention_id=mention_id)  # 404 first: no user oracle
        raise DomainError("No such user.", field="assignee")
    return services.mention_assign(actor=actor, mention_id=mention_id, assignee=target)


def _transfer(actor, mention_id, data):
    department = Department.objects.filter(slug=data.get("department", "")).first()
    if department is None:
        raise DomainError("Choose the department to transfer to.", field="department")
    return services.mention_transfer(
        actor=actor, mention_id=mention_id, to_department=department, reason=data.get("reason", "")
    )


@login_required
@require_POST
def mention_note(request, mention_id):
    response = _run(
        request,
        lambda: services.mention_add_note(
            actor=request.user, mention_id=mention_id, body=request.POST.get("body", "")
        ),
        "Note added.",
    )
    if response is not None:
        return response
    return redirect(reverse("spokes:mention", args=[mention_id]) + "#notes")


# What each page's bulk form offers, in its order: {mentions_bulk's action: label}.
QUEUE_BULK_ACTIONS = {
    "assign": "Assign to…",
    "tag": "Add tag…",
    "watch": "Watch",
    "resolve": "Resolve",
    "spam": "Mark spam",
    "reopen": "Reopen",
}
MINE_BULK_ACTIONS = {
    "resolve": "Resolve",
    "watch": "Watch",
    "spam": "Mark spam",
    "reopen": "Reopen",
    "tag": "Add tag…",
    "handback": "Hand back",
}


def _bulk(request, *, offered=None, **kwargs) -> None:
    """Apply the bulk form's action to the mentions it selected, one by one; say how many
    were done and why each of the first ten failures failed."""
    ids = [
        int(i)
        for i in request.POST.getlist("ids")
        if i.isascii() and i.isdigit() and len(i) < 19  # "²" is a digit int() refuses
    ]
    action = request.POST.get("action", "")
    if action == "tag":
        kwargs["add"] = request.POST.get("tags", "").split(",")
    try:
        result = services.mentions_bulk(
            actor=request.user, mention_ids=ids, action=action, offered=offered, **kwargs
        )
    except DomainError as exc:
        messages.error(request, for_people(exc))
    else:
        if result["done"]:
            messages.success(request, f"{len(result['done'])} mention(s) updated.")
        for mention_id, error in list(result["failed"].items())[:10]:
            messages.error(request, f"#{mention_id}: {error}")


@login_required
@require_POST
def queue_bulk(request, slug):
    department = _department_or_404(request.user, slug)
    kwargs = {}
    if request.POST.get("action") == "assign":
        username = request.POST.get("assignee", "")
        kwargs["assignee"] = (
            request.user
            if username in ("", "me")
            else (User.objects.filter(username=username).first())
        )
        if kwargs["assignee"] is None:
            messages.error(request, "assignee: no such user.")
            return redirect("spokes:queue", slug=department.slug)
    _bulk(request, **kwargs)
    return redirect(_safe_next(request, reverse("spokes:queue", args=[department.slug])))


@login_required
@require_POST
def mine_bulk(request):
    """The "Mine" page's bulk form: each mention is checked on its own (one of a department
    the user no longer works, or cannot see, fails alone); then the page as it was filtered."""
    _bulk(request, offered=MINE_BULK_ACTIONS.keys())
    return redirect(_safe_next(request, reverse("spokes:mine")))


# --- saved views (personal) ------------------------------------------------------------------
def _see_other(url: str) -> HttpResponse:
    response = redirect(url)
    response.status_code = 303  # after a POST, the queue is fetched with GET
    return response


@login_required
@require_http_methods(["GET", "POST"])
def saved_view_save(request, slug):
    """Save the queue's filters (the form's query string) under the name typed; then the
    queue with that view's filters. A refusal shows the queue again, the message and the
    name typed kept (400); that page's links and filter form are relative to this URL, so a
    GET here is sent on to the queue with the same query."""
    if request.method == "GET":
        department = _department_or_404(request.user, slug)
        url = reverse("spokes:queue", args=[department.slug])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    name = request.POST.get("name", "")
    try:
        view = services.saved_view_save(
            actor=request.user, department_slug=slug, name=name, params=request.GET
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        department = _department_or_404(request.user, slug)
        messages.error(request, for_people(exc))
        return _queue_page(request, department, status=exc.status_code, view_name=name)
    messages.success(request, f"View “{view.name}” saved.")
    url = reverse("spokes:queue", args=[slug])
    return _see_other(f"{url}?{view.params}" if view.params else url)


@login_required
@require_POST
def saved_view_delete(request, slug, view_id):
    """Delete one of the caller's saved views; then back to the queue as it was shown."""
    department = _department_or_404(request.user, slug)
    response = _run(
        request,
        lambda: services.saved_view_delete(
            actor=request.user, view_id=view_id, department_slug=department.slug
        ),
        "View deleted.",
    )
    if response is not None:
        return response
    return _see_other(_safe_next(request, reverse("spokes:queue", args=[department.slug])))


# --- spike alerts (central comms) ------------------------------------------------------------
def _alert_or_404(user, alert_id):
    from spokes import spikes

    try:
        return spikes.alert_get(user=user, alert_id=alert_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def alerts(request):
    """Central comms' early-warning page: open spike alerts first, live over the hub group."""
    from spokes import spikes
    from spokes.models import SpikeStatus

    if not request.user.is_central_comms:
        raise Http404("No such page.")
    rows = list(spikes.alerts_visible(request.user).order_by("-created_at", "-id")[:100])
    context = {
        "open_alerts": [a for a in rows if a.status == SpikeStatus.OPEN],
        "closed_alerts": [a for a in rows if a.status != SpikeStatus.OPEN][:30],
        "live_kind": "hub",
        "live_key": "",
    }
    template = "spokes/alerts_list.html" if request.htmx else "spokes/alerts.html"
    return render(request, template, context)


@login_required
def alert_detail(request, alert_id):
    from incidents.models import Severity
    from spokes import spikes

    alert = _alert_or_404(request.user, alert_id)
    version = spikes.proposed_holding_statement(user=request.user, alert=alert)
    context = {
        "alert": alert,
        "samples": spikes.samples(alert, 10),
        "holding_version": version,
        "severities": Severity.choices,
        "live_kind": "hub",
        "live_key": "",
    }
    return render(request, "spokes/alerts_detail.html", context)


@login_required
@require_POST
def alert_action(request, alert_id):
    from spokes import spikes

    user, data = request.user, request.POST
    action = data.get("action", "")
    _alert_or_404(user, alert_id)
    try:
        if action == "declare":
            version_id = data.get("guideline_version_id") or None
            incident = spikes.spike_alert_declare(
                actor=user,
                alert_id=alert_id,
                title=data.get("title", ""),
                severity=data.get("severity", "major"),
                holding_statement=data.get("holding_statement", "")
                if data.get("use_holding")
                else "",
                guideline_version_id=int(version_id) if str(version_id or "").isdigit() else None,
            )
            messages.success(request, "Incident declared; the alert's mentions are linked.")
            return redirect("incidents:detail", incident_id=incident.pk)
        if action == "dismiss":
            spikes.spike_alert_dismiss(actor=user, alert_id=alert_id, reason=data.get("reason", ""))
            messages.success(request, "Alert dismissed.")
            return redirect("spokes:alerts")
        raise DomainError("Unknown action.", field="action")
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, for_people(exc))
        return redirect("spokes:alert", alert_id=alert_id)

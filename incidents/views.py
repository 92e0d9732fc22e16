"""Incident pages: thin views that parse input, call one selector or service, render.

The page is made of panels (``templates/incidents/_panel_<name>.html``); each has its own URL so
the browser refetches just the panel a live event names.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound, for_people
from core.events import PRESENCE_SHOWN, incident_group, presence_read
from incidents import selectors, services
from incidents.models import Severity
from spokes.models import Department
from spokes.selectors import departments_for, mention_get

User = get_user_model()

PANELS = (
    "header",
    "holding",
    "team",
    "facts",
    "updates",
    "discussion",
    "mentions",
    "outreach",
    "summary",
)
FILTER_PARAMS = (
    "status",
    "priority",
    "source",
    "contact_point",
    "sentiment",
    "assignee",
    "tag",
    "q",
)


def _incident_or_404(user, incident_id):
    try:
        return selectors.incident_get(user=user, incident_id=incident_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _panel_context(request, incident, name: str) -> dict:
    user = request.user
    context = {"incident": incident, "can": selectors.permissions_for(user, incident)}
    if name == "team":
        context["team"] = selectors.team(incident)
        if context["can"]["manage"]:
            context["candidates"] = User.objects.filter(is_active=True).only(
                "username", "first_name", "last_name"
            )
    elif name == "facts":
        context["facts"] = selectors.facts(incident)
    elif name == "updates":
        context["updates"] = selectors.updates(incident, user)
        context["bulks"] = selectors.bulk_responses(incident, user)
    elif name == "discussion":
        context["discussion"] = selectors.messages(incident)
    elif name == "mentions":
        context["stats"] = selectors.mention_stats(incident)
        context["linked"] = selectors.latest_linked(incident, user)
        context["departments"] = departments_for(user)
    elif name == "outreach":
        context["outreach"] = selectors.outreach(incident, user)
    elif name == "header":
        context["departments_involved"] = incident.departments.all()
    return context


@login_required
def incident_list(request):
    return _list_page(request)


def _list_page(request, form=None, error: str = "", status: int = 200):
    """The incidents, and the form to declare one (as it was typed when it was refused)."""
    form = form or {"severity": Severity.MAJOR, "departments": []}
    return render(
        request,
        "incidents/list.html",
        {
            "incidents": selectors.incidents_list(request.user)[:100],
            "may_declare": request.user.is_central_comms
            or departments_for(request.user, "lead_queue").exists(),
            "departments": Department.objects.all(),
            "severities": Severity.choices,
            "form": form,
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def incident_declare(request):
    data = request.POST
    departments = list(Department.objects.filter(slug__in=data.getlist("departments")))
    try:
        incident = services.incident_declare(
            actor=request.user,
            title=data.get("title", ""),
            severity=data.get("severity", Severity.MAJOR),
            departments=departments,
            keywords=data.get("keywords", ""),
            summary=data.get("summary", ""),
        )
    except DomainError as exc:
        form = {name: data.get(name, "") for name in ("title", "severity", "keywords", "summary")}
        form["departments"] = data.getlist("departments")
        error = for_people(exc)
        return _list_page(request, form, error, status=exc.status_code)
    return redirect("incidents:detail", incident_id=incident.pk)


@login_required
def incident_detail(request, incident_id):
    incident = _incident_or_404(request.user, incident_id)
    context = {"incident": incident, "can": selectors.permissions_for(request.user, incident)}
    for name in PANELS:
        context.update(_panel_context(request, incident, name))
    viewers = presence_read(incident_group(incident.pk))
    context.update(
        panels=PANELS,
        viewers_shown=viewers[:PRESENCE_SHOWN],
        viewers_more=max(0, len(viewers) - PRESENCE_SHOWN),
        live_kind="incident",
        live_key=incident.pk,
    )
    return render(request, "incidents/detail.html", context)


@login_required
def incident_panel(request, incident_id, name):
    if name not in PANELS:
        raise Http404("No such panel.")
    incident = _incident_or_404(request.user, incident_id)
    return render(request, f"incidents/_panel_{name}.html", _panel_context(request, incident, name))


def _member(user, data):
    target = User.objects.filter(username=data.get("username", ""), is_active=True).first()
    if target is None:
        raise DomainError("No such active user.", field="username")
    return target


OPERATIONS = {
    # op: (panel to return, call)
    "status": (
        "header",
        lambda user, pk, data: services.incident_change_status(
            actor=user, incident_id=pk, action=data.get("action", "")
        ),
    ),
    "resolve": (
        "header",
        lambda user, pk, data: services.incident_resolve(
            actor=user, incident_id=pk, note=data.get("note", "")
        ),
    ),
    "reopen": (
        "header",
        lambda user, pk, data: services.incident_reopen(actor=user, incident_id=pk),
    ),
    "edit": (
        "header",
        lambda user, pk, data: services.incident_edit(
            actor=user,
            incident_id=pk,
            severity=data.get("severity") or None,
            keywords=data.get("keywords") if "keywords" in data else None,
        ),
    ),
    "fact": (
        "facts",
        lambda user, pk, data: services.incident_add_fact(
            actor=user,
            incident_id=pk,
            text=data.get("text", ""),
            source=data.get("source", ""),
            confirmed_by=data.get("confirmed_by", ""),
        ),
    ),
    "holding": (
        "holding",
        lambda user, pk, data: services.incident_set_holding_statement(
            actor=user,
            incident_id=pk,
            text=data.get("text", ""),
            guideline_version_id=data.get("guideline_version_id") or None,
        ),
    ),
    "draft-update": (
        "updates",
        lambda user, pk, data: services.incident_draft_update(
            actor=user, incident_id=pk, body=data.get("body", "")
        ),
    ),
    "approve-update": (
        "updates",
        lambda user, pk, data: services.incident_approve_update(
            actor=user, incident_id=pk, update_id=data.get("update_id")
        ),
    ),
    "bulk-respond": (
        "updates",
        lambda user, pk, data: (
            services.incident_bulk_respond(
                actor=user,
                incident_id=pk,
                update_id=data.get("update_id") or None,
                params={k: data[k] for k in FILTER_PARAMS if data.get(k)},
            )
            if data.get("confirm") == "yes"
            else _unconfirmed()
        ),
    ),
    "message": (
        "discussion",
        lambda user, pk, data: services.incident_post_message(
            actor=user, incident_id=pk, body=data.get("body", "")
        ),
    ),
    "add-member": (
        "team",
        lambda user, pk, data: services.incident_add_member(
            actor=user,
            incident_id=pk,
            user=_member(user, data),
            role=data.get("role", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            on_call=data.get("on_call") == "on",
        ),
    ),
    "remove-member": (
        "team",
        lambda user, pk, data: services.incident_remove_member(
            actor=user, incident_id=pk, user=_member(user, data)
        ),
    ),
    "link": (
        "mentions",
        lambda user, pk, data: services.incident_link_mention(
            actor=user, incident_id=pk, mention_id=data.get("mention_id")
        ),
    ),
    "link-filter": (
        "mentions",
        lambda user, pk, data: services.incident_link_mentions_by_filter(
            actor=user,
            incident_id=pk,
            params={k: data[k] for k in FILTER_PARAMS if k in data},
            department_slug=data.get("department", ""),
        ),
    ),
    "unlink": (
        "mentions",
        lambda user, pk, data: services.incident_unlink_mention(
            actor=user, incident_id=pk, mention_id=data.get("mention_id")
        ),
    ),
}


def _unconfirmed():
    """One click sent public replies to every linked customer: a box says it is meant."""
    raise DomainError(
        "Tick the box to confirm: every linked mention gets a public reply.", field="confirm"
    )


# What a page says once an operation whose effect is out of sight is done.
DONE = {
    "bulk-respond": lambda bulk: (
        f"{bulk.queued} repl{'y' if bulk.queued == 1 else 'ies'} approved and queued"
        + (f"; {bulk.skipped} already answered, skipped." if bulk.skipped else ".")
    ),
    "link-filter": lambda count: f"{count} mention{'' if count == 1 else 's'} linked.",
}


@login_required
@require_POST
def incident_action(request, incident_id, op):
    if op not in OPERATIONS:
        raise Http404("No such action.")
    panel, call = OPERATIONS[op]
    try:
        result = call(request.user, incident_id, request.POST)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        text = for_people(exc)
        if request.htmx:
            return HttpResponse(text, status=exc.status_code, content_type="text/plain")
        messages.error(request, text)
        return redirect(_back(request, incident_id))
    if op in DONE:
        messages.success(request, DONE[op](result))
    if request.htmx:
        incident = _incident_or_404(request.user, incident_id)
        response = render(
            request, f"incidents/_panel_{panel}.html", _panel_context(request, incident, panel)
        )
        # The panel the form named when it was sent may have been replaced meanwhile by a
        # live refresh (outerHTML): swapped into that detached element, the answer showed
        # nowhere and the page kept the older panel. Named again, it is found at swap time.
        response["HX-Retarget"] = f"#panel-{panel}"
        return response
    return redirect(_back(request, incident_id))


def _back(request, incident_id) -> str:
    from django.urls import reverse

    if request.POST.get("from_mention"):
        try:
            mention = mention_get(user=request.user, mention_id=request.POST["from_mention"])
            return reverse("spokes:mention", args=[mention.pk])
        except NotFound:
            pass
    try:
        selectors.incident_get(user=request.user, incident_id=incident_id)
    except NotFound:
        return reverse("incidents:list")
    return reverse("incidents:detail", args=[incident_id])


@login_required
def incidents_for_mention(request, mention_id):
    """A small fragment for the mention page: its incidents, and a form to link it to one."""
    try:
        mention = mention_get(user=request.user, mention_id=mention_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    visible = selectors.incidents_visible(request.user)
    return render(
        request,
        "incidents/_for_mention.html",
        {
            "mention": mention,
            "linked": visible.filter(links__mention=mention),
            "open_incidents": selectors.open_incidents_for_mention(request.user, mention),
        },
    )

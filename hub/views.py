"""Hub pages: thin views that parse a form, call one selector or service, render.

Central comms and administrators edit; department staff read; anyone else gets 403.
"""

import difflib
from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound, for_people
from core.errors import PermissionDenied as DomainForbidden
from hub import forms, rendering, routing, selectors, services
from hub.models import (
    BusinessHours,
    CompensationPolicy,
    DiscretionLimit,
    EscalationRule,
    GuidelineKind,
    GuidelineStatus,
    Holiday,
    RoutingRule,
    Severity,
    SlaPolicy,
)
from hub.services.rules import ESCALATION_FIELDS
from spokes.models import Department

User = get_user_model()


# --- access ------------------------------------------------------------------------------------
def hub_reader(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.can_read_hub(request.user):
            raise HttpForbidden("The hub is for department staff and central communications.")
        request.hub_editor = selectors.can_edit_hub(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def hub_editor(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.can_edit_hub(request.user):
            raise HttpForbidden("Only central communications and administrators edit the hub.")
        request.hub_editor = True
        return view(request, *args, **kwargs)

    return wrapped


def _page(request, template, context, section=""):
    context.setdefault("can_edit", getattr(request, "hub_editor", False))
    context["section"] = section
    if request.user.is_central_comms:
        context.setdefault("live_kind", "hub")
        context.setdefault("live_key", "hub")
    return render(request, template, context)


def _apply_error(form, exc: DomainError) -> None:
    field = exc.field
    if field in form.fields:
        form.add_error(field, exc.message)
    elif f"{field}_min" in form.fields:
        form.add_error(f"{field}_min", exc.message)
    else:
        form.add_error(None, exc.message)


def _attempt(request, form, operation, success: str):
    """Run a service; on a domain error, put it on the form. Returns the result or None."""
    try:
        result = operation()
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainForbidden as exc:
        raise HttpForbidden(exc.message) from None
    except DomainError as exc:
        if form is None:
            messages.error(request, for_people(exc))
        else:
            _apply_error(form, exc)
        return None
    messages.success(request, success)
    return result if result is not None else True


def _department(slug) -> Department:
    department = Department.objects.filter(slug=slug).first()
    if department is None:
        raise Http404("No such department.")
    return department


def _guideline(request, guideline_id):
    try:
        return selectors.guideline_get(user=request.user, guideline_id=guideline_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


# --- overview ------------------------------------------------------------------------------------
@hub_reader
def index(request):
    guidelines = selectors.guidelines_visible(request.user)
    context = {
        "guideline_count": guidelines.filter(status=GuidelineStatus.APPROVED)
        .exclude(kind=GuidelineKind.FAQ)
        .count(),
        "faq_count": guidelines.filter(
            status=GuidelineStatus.APPROVED, kind=GuidelineKind.FAQ
        ).count(),
        "draft_count": guidelines.filter(status=GuidelineStatus.DRAFT).count()
        if request.hub_editor
        else 0,
        "policy_count": CompensationPolicy.objects.filter(is_active=True).count(),
        "awaiting": selectors.offers_awaiting_approval(user=request.user)[:20],
        "spend": selectors.compensation_spend(user=request.user, by="department"),
    }
    return _page(request, "hub/index.html", context, "index")


# --- guidelines ----------------------------------------------------------------------------------
@hub_reader
def guideline_list(request):
    guidelines = selectors.guidelines_visible(request.user).exclude(kind=GuidelineKind.FAQ)
    kind, status, query = (request.GET.get(k, "") for k in ("kind", "status", "q"))
    if kind in GuidelineKind.values:
        guidelines = guidelines.filter(kind=kind)
    if status in GuidelineStatus.values:
        guidelines = guidelines.filter(status=status)
    elif request.hub_editor:
        guidelines = guidelines.exclude(status=GuidelineStatus.RETIRED)
    if query:
        guidelines = guidelines.filter(
            Q(title__icontains=query) | Q(current_version__body__icontains=query)
        )
    context = {
        "guidelines": guidelines,
        "kinds": [c for c in GuidelineKind.choices if c[0] != GuidelineKind.FAQ],
        "statuses": GuidelineStatus.choices,
        "kind": kind,
        "status": status,
        "q": query,
    }
    return _page(request, "hub/guideline_list.html", context, "guidelines")


@hub_reader
def faq_list(request):
    entries = selectors.guidelines_visible(request.user).filter(
        kind=GuidelineKind.FAQ, status=GuidelineStatus.APPROVED
    )
    query = request.GET.get("q", "")
    if query:
        entries = entries.filter(
            Q(title__icontains=query) | Q(current_version__body__icontains=query)
        )
    return _page(request, "hub/faq.html", {"entries": entries, "q": query}, "faq")


@hub_editor
def guideline_new(request):
    form = forms.GuidelineCreateForm(
        request.POST or None, initial={"kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        guideline = _attempt(
            request,
            form,
            lambda: services.guideline_create(actor=request.user, **form.cleaned_data),
            "Draft saved. Approve it to make it available to departments.",
        )
        if guideline:
            return redirect("hub:guideline", guideline_id=guideline.pk)
    return _page(request, "hub/guideline_form.html", {"form": form, "creating": True}, "guidelines")


@hub_reader
def guideline_detail(request, guideline_id):
    guideline = _guideline(request, guideline_id)
    versions = list(selectors.guideline_versions(user=request.user, guideline=guideline))
    for newer, older in zip(versions, versions[1:], strict=False):
        newer.previous_number = older.number
    pending = [
        v
        for v in versions
        if guideline.current_version is None or v.number > guideline.current_version.number
    ]
    context = {
        "guideline": guideline,
        "versions": versions,
        "pending": pending[0] if pending and request.hub_editor else None,
        "preview_form": forms.PreviewForm(
            initial={
                "body": (pending[0] if pending else guideline.current_version or versions[0]).body
                if versions
                else "",
                "source": guideline.source,
            }
        ),
    }
    if request.hub_editor and versions:
        shown = context["pending"] or guideline.current_version or versions[0]
        try:
            context["preview"] = services.guideline_preview(
                body=shown.body, actor=request.user, source=guideline.source or "twitter"
            )
        except DomainError as exc:
            context["preview_error"] = exc.message
    return _page(request, "hub/guideline_detail.html", context, "guidelines")


@hub_editor
def guideline_edit(request, guideline_id):
    guideline = _guideline(request, guideline_id)
    initial = {
        "title": guideline.title,
        "kind": guideline.kind,
        "department": guideline.department_id,
        "contact_point": guideline.contact_point,
        "source": guideline.source,
        "tone": guideline.tone,
        "topics": guideline.topics,
    }
    form = forms.GuidelineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            request,
            form,
            lambda: services.guideline_update(
                actor=request.user, guideline_id=guideline.pk, **form.cleaned_data
            ),
            "Guideline updated.",
        )
        if done:
            return redirect("hub:guideline", guideline_id=guideline.pk)
    return _page(
        request, "hub/guideline_form.html", {"form": form, "guideline": guideline}, "guidelines"
    )


@hub_editor
def guideline_version_new(request, guideline_id):
    guideline = _guideline(request, guideline_id)
    latest = guideline.versions.order_by("-number").first()
    form = forms.VersionForm(request.POST or None, initial={"body": latest.body if latest else ""})
    if request.method == "POST" and form.is_valid():
        version = _attempt(
            request,
            form,
            lambda: services.guideline_version_create(
                actor=request.user, guideline_id=guideline.pk, **form.cleaned_data
            ),
            "New version saved; approve it to publish.",
        )
        if version:
            return redirect("hub:guideline", guideline_id=guideline.pk)
    context = {"form": form, "guideline": guideline, "placeholders": rendering.PLACEHOLDERS}
    return _page(request, "hub/version_form.html", context, "guidelines")


@hub_editor
@require_POST
def guideline_approve(request, guideline_id):
    guideline = _guideline(request, guideline_id)
    _attempt(
        request,
        None,
        lambda: services.guideline_approve(
            actor=request.user, guideline_id=guideline.pk, version_id=request.POST.get("version")
        ),
        "Approved: departments now use this version.",
    )
    return redirect("hub:guideline", guideline_id=guideline.pk)


@hub_editor
@require_POST
def guideline_retire(request, guideline_id):
    guideline = _guideline(request, guideline_id)
    _attempt(
        request,
        None,
        lambda: services.guideline_retire(
            actor=request.user, guideline_id=guideline.pk, reason=request.POST.get("reason", "")
        ),
        "Retired: no longer suggested.",
    )
    return redirect("hub:guideline", guideline_id=guideline.pk)


@hub_reader
def guideline_diff(request, guideline_id):
    guideline = _guideline(request, guideline_id)
    versions = {
        str(v.number): v
        for v in selectors.guideline_versions(user=request.user, guideline=guideline)
    }
    old, new = versions.get(request.GET.get("a", "")), versions.get(request.GET.get("b", ""))
    if old is None or new is None:
        raise Http404("Choose two versions of this guideline.")
    matcher = difflib.SequenceMatcher(None, old.body.split(" "), new.body.split(" "))
    a_words, b_words = old.body.split(" "), new.body.split(" ")
    chunks = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            chunks.append(("same", " ".join(a_words[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(("removed", " ".join(a_words[i1:i2])))
        if j2 > j1:
            chunks.append(("added", " ".join(b_words[j1:j2])))
    context = {"guideline": guideline, "old": old, "new": new, "chunks": chunks}
    return _page(request, "hub/guideline_diff.html", context, "guidelines")


@hub_editor
@require_POST
def preview(request):
    form = forms.PreviewForm(request.POST)
    context = {}
    if form.is_valid():
        try:
            context["preview"] = services.guideline_preview(
                body=form.cleaned_data["body"],
                actor=request.user,
                source=form.cleaned_data["source"] or "",
            )
        except DomainError as exc:
            context["preview_error"] = exc.message
    else:
        context["preview_error"] = "Write something to preview."
    return render(request, "hub/_preview.html", context)


# --- compensation --------------------------------------------------------------------------------
@hub_reader
def compensation(request):
    limits = DiscretionLimit.objects.select_related("department", "policy")
    context = {
        "policies": selectors.compensation_policies(user=request.user),
        "limits": limits,
        "limit_form": forms.LimitForm() if request.hub_editor else None,
        "severities": Severity.choices,
        "spend_by_policy": selectors.compensation_spend(user=request.user, by="policy"),
    }
    return _page(request, "hub/compensation.html", context, "compensation")


@hub_editor
def compensation_policy_form(request, policy_id=None):
    policy = None
    initial = {"is_active": True}
    if policy_id is not None:
        policy = CompensationPolicy.objects.prefetch_related("tiers").filter(pk=policy_id).first()
        if policy is None:
            raise Http404("No such compensation policy.")
        initial = {
            "name": policy.name,
            "kind": policy.kind,
            "unit": policy.unit,
            "unit_value": policy.unit_value,
            "description": policy.description,
            "is_active": policy.is_active,
        }
        for tier in policy.tiers.all():
            initial[f"tier_{tier.severity}_min"] = tier.min_amount
            initial[f"tier_{tier.severity}_max"] = tier.max_amount
    form = forms.CompensationPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "kind", "unit", "unit_value")}
        data.update(
            description=form.cleaned_data["description"],
            is_active=form.cleaned_data["is_active"],
            tiers=form.tiers(),
        )
        saved = _attempt(
            request,
            form,
            lambda: services.compensation_policy_save(
                actor=request.user, policy_id=policy.pk if policy else None, **data
            ),
            "Compensation policy saved.",
        )
        if saved:
            return redirect("hub:compensation")
    context = {"form": form, "policy": policy}
    return _page(request, "hub/compensation_form.html", context, "compensation")


@hub_editor
@require_POST
def limit_set(request):
    form = forms.LimitForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            None,
            lambda: services.discretion_limit_set(actor=request.user, **form.cleaned_data),
            "Discretion limit saved.",
        )
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect("hub:compensation")


@hub_editor
@require_POST
def limit_delete(request, limit_id):
    _attempt(
        request,
        None,
        lambda: services.discretion_limit_delete(actor=request.user, limit_id=limit_id),
        "Limit removed.",
    )
    return redirect("hub:compensation")


# --- SLA and hours -------------------------------------------------------------------------------
@hub_reader
def sla(request):
    departments = Department.objects.prefetch_related(
        Prefetch("business_hours", queryset=BusinessHours.objects.order_by("weekday", "opens"))
    )
    context = {
        "policies": SlaPolicy.objects.select_related("department"),
        "departments": [
            (d, selectors.availability_statement(d), list(d.business_hours.all()))
            for d in departments
        ],
        "holidays": Holiday.objects.select_related("department"),
        "policy_form": forms.SlaPolicyForm() if request.hub_editor else None,
        "holiday_form": forms.HolidayForm() if request.hub_editor else None,
    }
    return _page(request, "hub/sla.html", context, "sla")


@hub_editor
@require_POST
def sla_policy_set(request):
    form = forms.SlaPolicyForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            None,
            lambda: services.sla_policy_set(actor=request.user, **form.cleaned_data),
            "SLA policy saved.",
        )
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect("hub:sla")


@hub_editor
@require_POST
def sla_policy_delete(request, policy_id):
    _attempt(
        request,
        None,
        lambda: services.sla_policy_delete(actor=request.user, policy_id=policy_id),
        "SLA policy removed.",
    )
    return redirect("hub:sla")


@hub_editor
def department_hours(request, slug):
    department = _department(slug)
    hours = department.business_hours.order_by("weekday", "opens")
    form = forms.HoursForm(
        request.POST or None,
        initial={"hours": forms.format_hours(hours), "availability": department.availability},
    )
    if request.method == "POST" and form.is_valid():

        def save():
            services.business_hours_set(
                actor=request.user, department=department, intervals=form.cleaned_data["hours"]
            )
            services.availability_set(
                actor=request.user, department=department, text=form.cleaned_data["availability"]
            )

        if _attempt(request, form, save, f"Hours of {department.name} saved."):
            return redirect("hub:sla")
    context = {"form": form, "department": department}
    return _page(request, "hub/hours_form.html", context, "sla")


@hub_editor
@require_POST
def holiday_add(request):
    form = forms.HolidayForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            None,
            lambda: services.holiday_add(actor=request.user, **form.cleaned_data),
            "Holiday added.",
        )
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{field}: {' '.join(errors)}")
    return redirect("hub:sla")


@hub_editor
@require_POST
def holiday_delete(request, holiday_id):
    _attempt(
        request,
        None,
        lambda: services.holiday_delete(actor=request.user, holiday_id=holiday_id),
        "Holiday removed.",
    )
    return redirect("hub:sla")


# --- escalation ----------------------------------------------------------------------------------
@hub_reader
def escalation(request):
    rules = EscalationRule.objects.select_related(
        "department", "move_to_department"
    ).prefetch_related("notify_users")
    return _page(request, "hub/escalation.html", {"rules": rules}, "escalation")


@hub_editor
def escalation_form(request, rule_id=None):
    rule = None
    initial = {"is_active": True, "sla_minutes": 0}
    if rule_id is not None:
        rule = EscalationRule.objects.prefetch_related("notify_users").filter(pk=rule_id).first()
        if rule is None:
            raise Http404("No such escalation rule.")
        initial = {name: getattr(rule, name) for name in ESCALATION_FIELDS}
        initial["department"] = rule.department_id
        initial["move_to_department"] = rule.move_to_department_id
        initial["notify_usernames"] = [u.username for u in rule.notify_users.all()]
    form = forms.EscalationRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        usernames = data.pop("notify_usernames")
        people = list(User.objects.filter(username__in=usernames, is_active=True))
        missing = set(usernames) - {u.username for u in people}
        if missing:
            form.add_error("notify_usernames", f"No such user: {', '.join(sorted(missing))}.")
        else:
            saved = _attempt(
                request,
                form,
                lambda: services.escalation_rule_save(
                    actor=request.user,
                    rule_id=rule.pk if rule else None,
                    notify_users=people,
                    **data,
                ),
                "Escalation rule saved.",
            )
            if saved:
                return redirect("hub:escalation")
    return _page(
        request,
        "hub/rule_form.html",
        {"form": form, "rule": rule, "what": "escalation rule"},
        "escalation",
    )


@hub_editor
@require_POST
def escalation_delete(request, rule_id):
    _attempt(
        request,
        None,
        lambda: services.escalation_rule_delete(actor=request.user, rule_id=rule_id),
        "Escalation rule removed.",
    )
    return redirect("hub:escalation")


# --- routing -------------------------------------------------------------------------------------
@hub_reader
def routing_rules(request):
    rules = RoutingRule.objects.select_related("department")
    test_form = forms.RouteTestForm(request.GET or None)
    result = None
    if test_form.is_bound and test_form.is_valid():
        data = test_form.cleaned_data
        result = routing.load_router().explain(
            data["text"],
            data["source"],
            data["language"],
            author_handle=data["author_handle"],
            url=data["url"],
        )
    context = {
        "rules": rules,
        "test_form": test_form,
        "result": result,
        "departments": Department.objects.all(),
        "default": Department.objects.filter(is_default=True).first(),
    }
    return _page(request, "hub/routing.html", context, "routing")


@hub_editor
def routing_form(request, rule_id=None):
    rule = None
    initial = {"is_active": True}
    if rule_id is not None:
        rule = RoutingRule.objects.filter(pk=rule_id).first()
        if rule is None:
            raise Http404("No such routing rule.")
        initial = {
            name: getattr(rule, name)
            for name in (
                "name",
                "is_active",
                "sources",
                "keywords",
                "languages",
                "author_handles",
                "url_pattern",
            )
        }
        initial["department"] = rule.department_id
    form = forms.RoutingRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            request,
            form,
            lambda: services.routing_rule_save(
                actor=request.user, rule_id=rule.pk if rule else None, **form.cleaned_data
            ),
            "Routing rule saved.",
        )
        if saved:
            return redirect("hub:routing")
    return _page(
        request,
        "hub/rule_form.html",
        {"form": form, "rule": rule, "what": "routing rule"},
        "routing",
    )


@hub_editor
@require_POST
def routing_move(request, rule_id):
    _attempt(
        request,
        None,
        lambda: services.routing_rule_move(
            actor=request.user, rule_id=rule_id, direction=request.POST.get("direction", "")
        ),
        "Order changed.",
    )
    return redirect("hub:routing")


@hub_editor
@require_POST
def routing_delete(request, rule_id):
    _attempt(
        request,
        None,
        lambda: services.routing_rule_delete(actor=request.user, rule_id=rule_id),
        "Routing rule removed.",
    )
    return redirect("hub:routing")


@hub_editor
@require_POST
def routing_default(request):
    department = _department(request.POST.get("department", ""))
    _attempt(
        request,
        None,
        lambda: services.routing_default_set(actor=request.user, department=department),
        f"{department.name} now receives unrouted mentions.",
    )
    return redirect("hub:routing")


# --- department policies -------------------------------------------------------------------------
@hub_reader
def department_policies(request):
    departments = Department.objects.select_related("hub_policy")
    return _page(request, "hub/departments.html", {"departments": departments}, "departments")


@hub_editor
def department_policy(request, slug):
    department = _department(slug)
    policy = selectors.department_policy(department)
    fields = forms.DepartmentPolicyForm.base_fields
    form = forms.DepartmentPolicyForm(
        request.POST or None, initial={name: getattr(policy, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        saved = _attempt(
            request,
            form,
            lambda: services.department_policy_set(
                actor=request.user, department=department, **form.cleaned_data
            ),
            f"Policy of {department.name} saved.",
        )
        if saved:
            return redirect("hub:departments")
    context = {"form": form, "department": department}
    return _page(request, "hub/department_policy.html", context, "departments")

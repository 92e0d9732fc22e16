"""Insights pages: thin views that parse the period and scope, compute, render."""

import csv
import re

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.errors import DomainError, NotFound
from insights import metrics, snapshots
from insights.periods import PRESETS, period_from
from insights.selectors import scope_get

TAG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def _context(request) -> metrics.Context:
    """Scope, period and subject from the query string; NotFound / DomainError on bad input."""
    params = request.GET
    scope = scope_get(user=request.user, department_slug=params.get("department", "").strip())
    period = period_from(params)
    tag = params.get("tag", "").strip()
    if tag and not TAG.match(tag):
        raise DomainError("tag: letters, digits, - and _ only (at most 50).", field="tag")
    keyword = params.get("keyword", "").strip()
    if len(keyword) > 100:
        raise DomainError("keyword: at most 100 characters.", field="keyword")
    incident = None
    raw_incident = params.get("incident", "").strip()
    if raw_incident:
        if not raw_incident.isdigit():
            raise DomainError("incident: expected an incident number.", field="incident")
        if not metrics.app_ready("incidents"):
            raise DomainError("incident: incidents are not available.", field="incident")
        from incidents.selectors import incident_get

        incident = incident_get(user=request.user, incident_id=raw_incident)
    return metrics.Context(
        scope=scope, period=period, now=timezone.now(), tag=tag, keyword=keyword, incident=incident
    )


def _form(request) -> dict:
    params = request.GET
    return {
        "days": params.get("days", "") if not (params.get("start") or params.get("end")) else "",
        "start": params.get("start", ""),
        "end": params.get("end", ""),
        "tag": params.get("tag", ""),
        "keyword": params.get("keyword", ""),
        "incident": params.get("incident", ""),
        "department": params.get("department", ""),
    }


@login_required
@require_GET
def dashboard(request):
    try:
        ctx = _context(request)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        scope = scope_get(user=request.user)  # a 404 above already for people without insights
        context = {"scope": scope, "form": _form(request), "presets": PRESETS, "error": exc}
        return render(request, "insights/dashboard.html", context, status=400)
    tables, snapshot = snapshots.dashboard_tables(ctx)
    query = request.GET.copy()
    query.pop("metric", None)
    context = {
        "scope": ctx.scope,
        "period": ctx.period,
        "ctx": ctx,
        "form": _form(request),
        "presets": PRESETS,
        "tables": tables,
        "headline": metrics.headline(tables, ctx),
        "verdict": metrics.verdict(tables["representativeness"]),
        "query": query.urlencode(),
        "customer_base": metrics.customer_base(),
        "snapshot": snapshot,
    }
    return render(request, "insights/dashboard.html", context)


def _csv_safe(value: str) -> str:
    """Keep spreadsheet formulas out of exported text (numbers stay as they are)."""
    if value[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"-?\d+(\.\d+)?", value):
        return "'" + value
    return value


@login_required
@require_GET
def export_csv(request):
    try:
        ctx = _context(request)
        key = request.GET.get("metric", "")
        if key not in metrics.TABLE_SECTION:
            raise DomainError(
                f"metric: choose one of {', '.join(sorted(metrics.TABLE_SECTION))}.",
                field="metric",
            )
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    table = snapshots.table_for(ctx, key)
    scope = ctx.scope.department.slug if ctx.scope.department else "all"
    name = f"insights-{key}-{scope}-{ctx.period.first_day}-{ctx.period.last_day}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(table.columns)
    for row in table.cells:
        writer.writerow([_csv_safe(v) for v in row])
    return response

"""Administrators' pages: integration keys (shown once) and webhooks with their delivery log.

A key or a webhook is created by a POST that redirects (303) back to its page, which shows the
new key or signing secret once, taken from the session: reloading the page does not create a
second one, and the secret never travels in a URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from api import services
from api.models import SCOPES, WEBHOOK_EVENTS, IntegrationKey, WebhookSubscription
from core.errors import DomainError
from core.views import administrators_only
from spokes.models import Department

NEW_KEY = "api.new_key"  # session: {"id": ..., "plain": ...} until the keys page shows it
NEW_WEBHOOK = "api.new_webhook"  # session: the new subscription's id until its secret is shown


def _see_other(viewname: str):
    response = redirect(viewname)
    response.status_code = 303  # the browser follows with a GET, so a reload does not re-POST
    return response


def _no_store(response):
    response["Cache-Control"] = "no-store"  # the page may hold a secret shown once
    return response


@login_required
def keys(request):
    administrators_only(request)
    departments = Department.objects.all()
    context = {"departments": departments, "scopes": SCOPES, "errors": {}, "form": {}}
    if request.method == "POST":
        chosen = request.POST.getlist("departments")
        form = {
            "name": request.POST.get("name", ""),
            "departments": chosen,
            "scopes": request.POST.getlist("scopes"),
        }
        try:
            scoped = list(departments.filter(slug__in=chosen))
            unknown = sorted(set(chosen) - {d.slug for d in scoped})
            if unknown:
                raise DomainError(f"No such department: {', '.join(unknown)}.", field="departments")
            key, plain = services.integration_key_create(
                actor=request.user, name=form["name"], departments=scoped, scopes=form["scopes"]
            )
        except DomainError as exc:
            context.update(errors={exc.field or "form": exc.message}, form=form)
        else:
            request.session[NEW_KEY] = {"id": key.pk, "plain": plain}
            return _no_store(_see_other("api:keys"))
    else:
        new = request.session.pop(NEW_KEY, None)
        if new:
            context.update(
                new_key=IntegrationKey.objects.filter(pk=new["id"]).first(),
                plain_key=new["plain"],
            )
    context["keys"] = IntegrationKey.objects.select_related("created_by").prefetch_related(
        "departments"
    )
    status = 400 if context["errors"] else 200
    return _no_store(render(request, "api/keys.html", context, status=status))


@login_required
@require_POST
def key_revoke(request, prefix):
    administrators_only(request)
    key = IntegrationKey.objects.filter(prefix=prefix).first()
    if key is None:
        raise Http404("No such key.")
    try:
        services.integration_key_revoke(actor=request.user, key=key)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Key {key.prefix} ({key.name}) revoked.")
    return redirect("api:keys")


@login_required
def webhooks(request):
    administrators_only(request)
    departments = Department.objects.all()
    context = {
        "departments": departments,
        "events": WEBHOOK_EVENTS,
        "errors": {},
        "form": {},
    }
    if request.method == "POST":
        slug = request.POST.get("department", "")
        form = {
            "url": request.POST.get("url", ""),
            "department": slug,
            "events": request.POST.getlist("events"),
            "description": request.POST.get("description", ""),
        }
        department = departments.filter(slug=slug).first() if slug else None
        try:
            if slug and department is None:
                raise DomainError("Choose a department or the hub.", field="department")
            subscription, _secret = services.webhook_subscription_create(
                actor=request.user,
                url=form["url"],
                events=form["events"],
                department=department,
                description=form["description"],
            )
        except DomainError as exc:
            context.update(errors={exc.field or "form": exc.message}, form=form)
        else:
            # the secret is stored with the subscription (it signs each delivery), so only
            # the id goes through the session
            request.session[NEW_WEBHOOK] = subscription.pk
            return _no_store(_see_other("api:webhooks"))
    else:
        new_id = request.session.pop(NEW_WEBHOOK, None)
        if new_id is not None:
            subscription = WebhookSubscription.objects.filter(pk=new_id).first()
            if subscription is not None:
                context.update(new_subscription=subscription, secret=subscription.secret)
    context["subscriptions"] = WebhookSubscription.objects.select_related("department")
    status = 400 if context["errors"] else 200
    return _no_store(render(request, "api/webhooks.html", context, status=status))


@login_required
def webhook_detail(request, subscription_id):
    administrators_only(request)
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise Http404("No such webhook.")
    deliveries = subscription.deliveries.all()[:100]
    return render(
        request, "api/webhook.html", {"subscription": subscription, "deliveries": deliveries}
    )


@login_required
@require_POST
def webhook_set_active(request, subscription_id):
    administrators_only(request)
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise Http404("No such webhook.")
    active = request.POST.get("active") == "1"
    services.webhook_subscription_set_active(
        actor=request.user, subscription=subscription, active=active
    )
    messages.success(request, f"Webhook {'enabled' if active else 'disabled'}.")
    return redirect("api:webhook", subscription_id=subscription.pk)

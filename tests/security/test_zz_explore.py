import re
import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, URLPattern, URLResolver

SKIP = ("admin/", "api/schema/", "api/docs/")


def routes():
    out = []

    def walk(res, prefix=""):
        for p in res.url_patterns:
            r = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p, r)
            else:
                out.append(r)

    walk(get_resolver())
    return [r for r in out if not r.startswith(SKIP)]


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def fill(route, ids):
    def sub(m):
        name = m.group(2)
        if name == "policy_id":
            return str(ids["sla_policy" if route.startswith("hub/sla") else "compensation_policy"])
        if name == "rule_id":
            return str(
                ids["escalation_rule" if route.startswith("hub/escalation") else "routing_rule"]
            )
        if name == "name":
            return "facts"
        if name == "op":
            return "fact"
        k = {
            "mention_id": "mention",
            "slug": "slug",
            "reply_id": "reply",
            "incident_id": "incident",
            "guideline_id": "guideline",
            "alert_id": "alert",
            "subscription_id": "webhook",
            "prefix": "key_prefix",
            "limit_id": "limit",
            "holiday_id": "holiday",
        }[name]
        return str(ids[k])

    return "/" + PARAM.sub(sub, route)


def test_explore(world):
    missing = {
        k: (999999 if isinstance(v, int) else "nowhere") for k, v in world.ids["billing"].items()
    }
    lines = []
    import time

    t0 = time.time()
    for route in routes():
        for method in ("get", "post"):
            t1=time.time()
            row = []
            for role, user in world.users.items():
                c = Client()
                if user:
                    c.force_login(user)
                cells = []
                for target in ("billing", "support", "missing"):
                    ids = missing if target == "missing" else world.ids[target]
                    url = fill(route, ids)
                    try:
                        with transaction.atomic():
                            r = getattr(c, method)(url, HTTP_HX_REQUEST="true")
                            transaction.set_rollback(True)
                        cells.append(str(r.status_code))
                    except Exception as e:
                        cells.append("E:" + type(e).__name__)
                    if "<" not in route:
                        break
                row.append(f"{role}=" + "/".join(cells))
            if route.startswith("api/v1"):
                for role, key in world.keys.items():
                    c = Client(HTTP_AUTHORIZATION=f"Api-Key {key}")
                    cells = []
                    for target in ("billing", "support", "missing"):
                        ids = missing if target == "missing" else world.ids[target]
                        url = fill(route, ids)
                        try:
                            with transaction.atomic():
                                r = getattr(c, method)(
                                    url, data={}, content_type="application/json"
                                )
                                transaction.set_rollback(True)
                            cells.append(str(r.status_code))
                        except Exception as e:
                            cells.append("E:" + type(e).__name__)
                        if "<" not in route:
                            break
                    row.append(f"{role}=" + "/".join(cells))
            lines.append(f"{time.time()-t1:5.1f} {method.upper():4} {route:55} " + " ".join(row))
    open("/tmp/sec/explore.txt", "w").write("\n".join(lines) + f"\n{time.time() - t0:.1f}s\n")

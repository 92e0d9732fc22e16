"""The demo incident: the Amsterdam baggage outage, open, with its team, facts, holding
statement and the demo mentions that talk about it. Idempotent; runs after spokes' seed_demo."""

import re

from django.contrib.auth import get_user_model
from django.db import transaction

from incidents import services
from incidents.models import Incident
from spokes import demo_content as content
from spokes.models import Department, Mention

User = get_user_model()

TEAM = [
    # username, role in the incident, on call
    ("hana.comms", "Incident lead (central comms)", True),
    ("oscar.comms", "Spokesperson", False),
    ("mateo.flights-lead", "Flights operations liaison", True),
    ("mia.support-lead", "Support lead", False),
    ("sofia.flights", "Front line (flights and support)", False),
]


def _matches(keywords: list[str]):
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keywords) + r")\b", re.I)
    return pattern.search


@transaction.atomic
def seed_incident_demo() -> dict:
    spec = content.INCIDENT
    existing = Incident.objects.filter(title=spec["title"]).first()
    if existing is not None:
        return {"incident_id": existing.pk, "created": False, "linked": existing.links.count()}
    people = {u.username: u for u in User.objects.filter(username__in=[t[0] for t in TEAM])}
    comms = people.get("hana.comms")
    if comms is None:
        return {"incident_id": None, "created": False, "linked": 0}  # seed_demo has not run
    departments = list(Department.objects.filter(slug__in=spec["departments"]))
    incident = services.incident_declare(
        actor=comms,
        title=spec["title"],
        severity=spec["severity"],
        departments=departments,
        keywords=spec["keywords"],
        summary=spec["summary"],
        role=TEAM[0][1],
    )
    for username, role, on_call in TEAM[1:]:
        if username in people:
            services.incident_add_member(
                actor=comms,
                incident_id=incident.pk,
                user=people[username],
                role=role,
                phone=f"+31 20 555 01{len(username):02d}",
                on_call=on_call,
            )
    for fact in spec["facts"]:
        services.incident_add_fact(
            actor=comms,
            incident_id=incident.pk,
            text=fact,
            source="Airport operations desk",
            confirmed_by="Mateo Rinaldi (flights)",
        )
    services.incident_set_holding_statement(
        actor=comms, incident_id=incident.pk, text=spec["holding_statement"]
    )
    services.incident_change_status(actor=comms, incident_id=incident.pk, action="identify")
    matches = _matches(spec["keywords"])
    linked = 0
    for mention_id, text in Mention.objects.order_by("pk").values_list("pk", "text"):
        if matches(text):
            services.incident_link_mention(
                actor=comms, incident_id=incident.pk, mention_id=mention_id
            )
            linked += 1
    return {"incident_id": incident.pk, "created": True, "linked": linked}

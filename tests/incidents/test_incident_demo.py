from incidents.demo import seed_incident_demo
from incidents.models import Incident
from spokes import demo_content
from spokes.demo import seed_demo
from spokes.selectors import mention_get


def test_the_demo_incident_is_open_staffed_and_linked_and_seeding_twice_changes_nothing(db):
    seed_demo(password="demo-pass-123")  # seeds the incident too
    incident = Incident.objects.get()
    assert incident.is_open and incident.title == demo_content.INCIDENT["title"]
    assert incident.links.count() > 5 and incident.facts.count() == len(
        demo_content.INCIDENT["facts"]
    )
    assert incident.holding_statement == demo_content.INCIDENT["holding_statement"]
    assert {d.slug for d in incident.departments.all()} == {"flights", "support"}
    assert incident.members.filter(on_call=True).exists()

    # a team member outside a linked mention's department may open it
    sofia = incident.members.get(user__username="sofia.flights").user
    outside = incident.links.exclude(mention__department__slug__in=["flights", "support"]).first()
    if outside is not None:
        assert mention_get(user=sofia, mention_id=outside.mention_id)

    again = seed_incident_demo()
    assert again == {"incident_id": incident.pk, "created": False, "linked": incident.links.count()}
    assert Incident.objects.count() == 1


def test_seeding_the_incident_alone_creates_it_once(db):
    from spokes.demo import _ensure_departments, _ensure_users

    _ensure_users(_ensure_departments(), "demo-pass-123")
    assert seed_incident_demo()["created"] is True
    assert seed_incident_demo()["created"] is False
    assert Incident.objects.count() == 1


def test_without_the_demo_organisation_it_does_nothing(db):
    assert seed_incident_demo() == {"incident_id": None, "created": False, "linked": 0}
    assert not Incident.objects.exists()

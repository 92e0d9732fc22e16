"""Seed a throw-away database for the incident browser test; run in a subprocess.

Prints ``{"incident_id": ...}`` as the last line.
"""

import json

import django


def main() -> None:
    django.setup()
    from incidents import services
    from spokes.services import department_create, membership_set
    from tests.factories import UserFactory

    billing = department_create(actor=None, name="Billing", slug="billing")
    comms = UserFactory(username="comms", first_name="Hana", last_name="Comms", org_role="comms")
    agent = UserFactory(username="agent", first_name="Ava", last_name="Agent")
    membership_set(actor=None, user=agent, department=billing, role="agent")
    incident = services.incident_declare(
        actor=comms, title="Card payments failing", departments=[billing], keywords=["card"]
    )
    assert agent.is_active
    print(json.dumps({"incident_id": incident.pk}))


if __name__ == "__main__":
    main()

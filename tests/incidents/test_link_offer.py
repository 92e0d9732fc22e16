"""The mention page offers to link a mention only to the incidents its viewer may add to."""

from incidents.services import incident_add_member, incident_declare


def _offered(client, user, mention) -> str:
    client.force_login(user)
    return client.get(f"/incidents/for-mention/{mention.pk}/").content.decode()


def test_only_those_who_may_link_are_offered_the_buttons(
    client, comms, lead, agent, mention, billing
):
    incident = incident_declare(
        actor=comms, title="Card payments failing", departments=[billing], keywords=["card"]
    )
    button = f"/incidents/{incident.pk}/do/link/"
    # an agent off the team saw the button, and clicking it was refused
    assert button not in _offered(client, agent, mention)
    assert button in _offered(client, lead, mention)
    assert button in _offered(client, comms, mention)
    incident_add_member(actor=comms, incident_id=incident.pk, user=agent, role="Scribe")
    assert button in _offered(client, agent, mention)
    response = client.post(button, {"mention_id": mention.pk})
    assert response.status_code == 302
    assert incident.links.filter(mention=mention).exists()

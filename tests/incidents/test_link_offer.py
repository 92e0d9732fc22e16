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


def test_a_refused_declaration_says_why_and_keeps_what_was_typed(client, lead, support):
    """A lead who named no department of theirs was told only central comms could declare,
    and the title, keywords and summary were gone."""
    client.force_login(lead)
    form = {
        "title": "Card <payments> failing",
        "severity": "critical",
        "keywords": "card, payment",
        "summary": "Since 09:00.",
    }
    for departments in ([], ["support"]):
        response = client.post("/incidents/declare/", {**form, "departments": departments})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Departments: Include a department you lead" in page
        assert 'value="Card &lt;payments&gt; failing"' in page
        assert 'value="card, payment"' in page and ">Since 09:00.</textarea>" in page
        assert '<option value="critical" selected>' in page
    assert '<option value="support" selected>' in page
    done = client.post("/incidents/declare/", {**form, "departments": ["billing"]})
    assert done.status_code == 302

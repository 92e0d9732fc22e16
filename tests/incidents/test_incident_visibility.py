import pytest

from core.errors import NotFound
from incidents import selectors, services


def test_comms_admin_department_members_and_team_see_the_incident(
    incident, comms, admin_user, agent, lead, other_agent
):
    services.incident_add_member(
        actor=comms, incident_id=incident.pk, user=other_agent, role="Liaison"
    )
    for user in (comms, admin_user, agent, lead, other_agent):
        assert selectors.incident_get(user=user, incident_id=incident.pk) == incident


@pytest.mark.parametrize("who", ["other_agent", "other_lead", "outsider"])
def test_anyone_else_gets_a_404(incident, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(NotFound):
        selectors.incident_get(user=user, incident_id=incident.pk)
    assert not selectors.incidents_visible(user).exists()


def test_a_garbage_id_is_a_404(agent):
    with pytest.raises(NotFound):
        selectors.incident_get(user=agent, incident_id="1 OR 1=1")

import pytest

from core.errors import DomainError, NotFound, PermissionDenied
from incidents import selectors, services
from incidents.models import IncidentMention
from tests.factories import MentionFactory
from tests.incidents.conftest import events_named


def test_linking_from_a_mention_is_idempotent_and_announced(
    incident, lead, mention, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.incident_link_mention(
            actor=lead, incident_id=incident.pk, mention_id=mention.pk
        )
        assert not services.incident_link_mention(
            actor=lead, incident_id=incident.pk, mention_id=mention.pk
        )
    assert IncidentMention.objects.get().linked_by == lead
    [(payload, _)] = events_named(published, "incident.mentions_linked")
    assert payload["mention_ids"] == [mention.pk] and "mentions" in payload["panels"]


def test_a_mention_the_actor_cannot_see_is_a_404(incident, lead, foreign_mention):
    with pytest.raises(NotFound):
        services.incident_link_mention(
            actor=lead, incident_id=incident.pk, mention_id=foreign_mention.pk
        )
    assert not IncidentMention.objects.exists()


def test_an_agent_not_on_the_team_cannot_link(incident, agent, mention):
    with pytest.raises(PermissionDenied):
        services.incident_link_mention(actor=agent, incident_id=incident.pk, mention_id=mention.pk)


def test_bulk_linking_from_a_queue_filter_links_only_matches_the_actor_sees(
    incident, comms, billing, support
):
    hit = MentionFactory(department=billing, text="card payment declined", sentiment=-0.5)
    MentionFactory(department=billing, text="card payment declined", sentiment=0.5)
    MentionFactory(department=billing, text="lovely flight", sentiment=-0.5)
    MentionFactory(department=support, text="card payment declined", sentiment=-0.5)
    count = services.incident_link_mentions_by_filter(
        actor=comms,
        incident_id=incident.pk,
        params={"q": "payment", "sentiment": "negative"},
        department_slug="billing",
    )
    assert count == 1
    assert list(IncidentMention.objects.values_list("mention_id", flat=True)) == [hit.pk]
    stats = selectors.mention_stats(incident)
    assert stats["volume"] == 1 and stats["negative_share"] == 100 and stats["sparkline"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"sentiment": "furious"}, "sentiment"), ({}, "q"), ({"q": "  "}, "q")],
)
def test_a_bad_or_empty_filter_names_the_field(incident, comms, params, field):
    with pytest.raises(DomainError) as exc:
        services.incident_link_mentions_by_filter(
            actor=comms, incident_id=incident.pk, params=params
        )
    assert exc.value.field == field


def test_outreach_lists_unanswered_authors_matching_keywords_not_yet_linked(
    incident, comms, support, billing
):
    waiting = MentionFactory(department=support, text="My card payment bounced twice")
    MentionFactory(department=support, text="nice staff")
    linked = MentionFactory(department=billing, text="payment failed")
    services.incident_link_mention(actor=comms, incident_id=incident.pk, mention_id=linked.pk)
    people = selectors.outreach(incident, comms)
    assert waiting in people and linked not in people
    assert all(m.department_id == billing.pk or "payment" in m.text for m in people)

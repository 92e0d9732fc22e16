import pytest

from core.errors import NotFound
from hub import selectors, services
from spokes.models import Tag
from tests.factories import MentionFactory


@pytest.fixture
def problem_mention(billing):
    return MentionFactory(
        department=billing,
        contact_point="problem",
        source="twitter",
        sentiment=-0.6,
        text="You charged my card twice for one booking",
    )


def titles(suggestions):
    return [s.guideline.title for s in suggestions]


def test_suggestions_fit_department_contact_point_and_channel(
    approved, agent, billing, support, problem_mention
):
    approved(title="General problem", contact_point="problem", tone="empathetic")
    approved(title="Billing charge", contact_point="problem", department=billing, tone="empathetic")
    approved(title="Support only", department=support)
    approved(title="Presale", contact_point="presale")
    approved(title="Facebook only", source="facebook")
    approved(title="Any situation")
    result = selectors.guidelines_for_mention(user=agent, mention=problem_mention)
    assert titles(result) == ["Billing charge", "General problem", "Any situation"]
    assert result[0].version == result[0].guideline.current_version
    assert result[0].length_limit == 280


def test_topics_raise_matching_guidelines(approved, agent, problem_mention):
    approved(title="Generic")
    approved(title="Double charge", topics=["charged", "double-charge"])
    problem_mention.tags.add(Tag.objects.create(name="double-charge"))
    result = selectors.guidelines_for_mention(user=agent, mention=problem_mention)
    assert titles(result)[0] == "Double charge"
    assert "topic: charged" in result[0].reasons


def test_drafts_retired_and_faq_are_not_suggested_but_faq_has_its_own_list(
    comms, approved, agent, problem_mention
):
    services.guideline_create(actor=comms, title="Draft", kind="template", body="x")
    retired = approved(title="Retired")
    services.guideline_retire(actor=comms, guideline_id=retired.pk)
    approved(title="Refund FAQ", kind="faq", body="Refunds take 7 days.", topics=["charged"])
    assert selectors.guidelines_for_mention(user=agent, mention=problem_mention) == []
    assert titles(selectors.faq_for_mention(user=agent, mention=problem_mention)) == ["Refund FAQ"]


def test_a_newly_approved_version_is_what_gets_suggested(comms, approved, agent, problem_mention):
    guideline = approved(title="Sorry")
    new = services.guideline_version_create(
        actor=comms, guideline_id=guideline.pk, body="v2 {customer_name}"
    )
    assert (
        selectors.guidelines_for_mention(user=agent, mention=problem_mention)[0].version.number == 1
    )
    services.guideline_approve(actor=comms, guideline_id=guideline.pk, version_id=new.pk)
    assert selectors.guidelines_for_mention(user=agent, mention=problem_mention)[0].version == new


def test_no_suggestions_for_a_mention_the_user_cannot_see(approved, other_agent, problem_mention):
    approved()
    with pytest.raises(NotFound):
        selectors.guidelines_for_mention(user=other_agent, mention=problem_mention)


def test_suggesting_costs_a_constant_number_of_queries(
    approved, agent, problem_mention, django_assert_num_queries
):
    for n in range(5):
        approved(title=f"G{n}", topics=["card"])
    with django_assert_num_queries(3):
        assert len(selectors.guidelines_for_mention(user=agent, mention=problem_mention)) == 5


def test_staff_read_approved_guidelines_of_their_departments_only(
    approved, agent, other_agent, outsider, billing, comms
):
    mine = approved(title="Billing", department=billing)
    everyone = approved(title="Everyone")
    draft = services.guideline_create(actor=comms, title="Draft", kind="template", body="x")
    assert set(selectors.guidelines_visible(agent)) == {mine, everyone}
    assert set(selectors.guidelines_visible(other_agent)) == {everyone}
    assert not selectors.guidelines_visible(outsider).exists()
    assert set(selectors.guidelines_visible(comms)) == {mine, everyone, draft}
    with pytest.raises(NotFound):
        selectors.guideline_get(user=other_agent, guideline_id=mine.pk)
    with pytest.raises(NotFound):
        selectors.guideline_version_get(user=agent, version_id=draft.versions.get().pk)
    assert selectors.guideline_version_get(user=agent, version_id=mine.current_version_id)

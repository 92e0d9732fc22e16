import pytest

from core.errors import DomainError, NotFound
from hub import rendering, services
from hub.models import DepartmentPolicy
from tests.factories import AuthorFactory, MentionFactory


@pytest.fixture
def contacts(billing):
    return DepartmentPolicy.objects.create(
        department=billing,
        contact_phone="+31 20 555 0100",
        contact_email="billing@example.com",
        dm_link="https://social.example/dm",
    )


@pytest.fixture
def customer_mention(billing):
    return MentionFactory(
        department=billing,
        author=AuthorFactory(handle="jamie", display_name="Jamie"),
        source="twitter",
    )


def test_placeholders_are_filled_for_the_mention_and_agent(
    approved, agent, contacts, customer_mention
):
    guideline = approved(body="Hi {customer_name}, call {phone} or DM {dm_link} ^{agent_initials}")
    text = services.guideline_render(
        version=guideline.current_version, mention=customer_mention, actor=agent
    )
    assert text == "Hi Jamie, call +31 20 555 0100 or DM https://social.example/dm ^AA"


def test_extra_values_fill_the_incident_title(approved, agent, customer_mention):
    guideline = approved(
        body="We are aware of {incident_title}. ^{agent_initials}", kind="holding_statement"
    )
    text = services.guideline_render(
        version=guideline.current_version,
        mention=customer_mention,
        actor=agent,
        extra={"incident_title": "the AMS baggage outage"},
    )
    assert text.startswith("We are aware of the AMS baggage outage.")


def test_a_placeholder_without_a_value_is_a_clear_error(approved, agent, customer_mention):
    guideline = approved(body="Email us at {email}")
    with pytest.raises(DomainError) as error:
        services.guideline_render(
            version=guideline.current_version, mention=customer_mention, actor=agent
        )
    assert error.value.field == "text" and "{email}" in error.value.message


def test_unknown_extra_placeholders_are_refused(approved, agent, customer_mention):
    guideline = approved()
    with pytest.raises(DomainError) as error:
        services.guideline_render(
            version=guideline.current_version,
            mention=customer_mention,
            actor=agent,
            extra={"x": "1"},
        )
    assert error.value.field == "extra"


def test_text_over_the_channel_limit_is_refused(approved, agent, customer_mention):
    guideline = approved(body="{customer_name} " + "a" * 300)
    with pytest.raises(DomainError) as error:
        services.guideline_render(
            version=guideline.current_version, mention=customer_mention, actor=agent
        )
    assert error.value.field == "text" and "280" in error.value.message


def test_the_same_text_fits_a_channel_without_a_tight_limit(approved, agent, billing):
    mention = MentionFactory(department=billing, source="email")
    guideline = approved(body="{customer_name} " + "a" * 300)
    assert (
        len(
            services.guideline_render(
                version=guideline.current_version, mention=mention, actor=agent
            )
        )
        > 280
    )


def test_a_channel_specific_guideline_too_long_for_it_cannot_be_approved(comms):
    guideline = services.guideline_create(
        actor=comms, title="Long", kind="template", body="a" * 290, source="twitter"
    )
    with pytest.raises(DomainError) as error:
        services.guideline_approve(actor=comms, guideline_id=guideline.pk)
    assert error.value.field == "body"


def test_replies_are_signed_when_the_department_signs(approved, agent, customer_mention):
    guideline = approved(body="Hi {customer_name}, sorry!")
    text = services.guideline_render(
        version=guideline.current_version, mention=customer_mention, actor=agent
    )
    assert text == "Hi Jamie, sorry! ^AA"


def test_an_agents_signature_is_used_when_set(approved, agent, customer_mention):
    agent.signature = "– Ava"
    agent.save()
    guideline = approved(body="Hi {customer_name}, sorry!")
    text = services.guideline_render(
        version=guideline.current_version, mention=customer_mention, actor=agent
    )
    assert text == "Hi Jamie, sorry! – Ava"


def test_a_department_that_does_not_sign_loses_the_initials(
    approved, agent, billing, customer_mention
):
    billing.sign_replies = False
    billing.save()
    guideline = approved(body="Hi {customer_name}, sorry! ^{agent_initials}")
    text = services.guideline_render(
        version=guideline.current_version, mention=customer_mention, actor=agent
    )
    assert text == "Hi Jamie, sorry!"


def test_drafts_faq_and_other_departments_guidelines_are_not_rendered(
    comms, approved, agent, support, customer_mention
):
    draft = services.guideline_create(actor=comms, title="Draft", kind="template", body="Hi")
    faq = approved(title="FAQ", kind="faq", body="Internal")
    foreign = approved(title="Support only", department=support)
    for version in (draft.versions.get(), faq.current_version, foreign.current_version):
        with pytest.raises(DomainError) as error:
            services.guideline_render(version=version, mention=customer_mention, actor=agent)
        assert error.value.field == "guideline"


def test_rendering_for_a_mention_the_actor_cannot_see_is_not_found(
    approved, other_agent, customer_mention
):
    guideline = approved()
    with pytest.raises(NotFound):
        services.guideline_render(
            version=guideline.current_version, mention=customer_mention, actor=other_agent
        )


@pytest.mark.parametrize(
    "body",
    [
        "{customer_name.__class__}",
        "{0}",
        "{}",
        "{customer_name!r}",
        "{customer_name:>10}",
        "{a[0]}",
        "oops {",
    ],
)
def test_only_plain_known_placeholder_names_are_accepted(body):
    with pytest.raises(DomainError) as error:
        rendering.placeholders_in(body)
    assert error.value.field == "body"


def test_double_braces_are_literal():
    assert rendering.fill("{{not}} {customer_name}", {"customer_name": "Jo"}) == "{not} Jo"


def test_similarity_measures_deviation_from_the_template():
    assert rendering.similarity("Hello there", "Hello there") == 1.0
    assert rendering.similarity("Hello there", "Completely different words") < 0.5

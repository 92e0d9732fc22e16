"""Each rule that sends a reply to central comms, and the reply that goes straight out."""

from decimal import Decimal

import pytest

from hub.models import CompensationOffer
from replies import services
from replies.models import Reply, ReplyState
from tests.factories import MentionFactory


def _send(actor, mention, text="Sorry about that, we are on it.", **kwargs):
    reply = services.reply_draft(actor=actor, mention_id=mention.pk, text=text, **kwargs)
    return services.reply_submit(actor=actor, reply_id=reply.pk)


def test_an_ordinary_reply_goes_straight_out(agent, mention, policy):
    reply = _send(agent, mention)
    assert reply.state == ReplyState.QUEUED
    assert reply.approval_reasons == []


def test_department_requiring_approval_for_everything(agent, mention, policy):
    policy.require_approval_all = True
    policy.save()
    reply = _send(agent, mention)
    assert reply.state == ReplyState.PENDING_APPROVAL
    assert "requires approval for every reply" in reply.approval_reasons[0]
    mention.refresh_from_db()
    assert mention.status == "awaiting_approval"


def test_reach_above_the_threshold(agent, billing, policy):
    policy.approval_reach_threshold = 10_000
    policy.save()
    small = MentionFactory(department=billing, reach=9_999)
    big = MentionFactory(department=billing, reach=10_000)
    assert _send(agent, small).approval_reasons == []
    assert "reach (10,000)" in _send(agent, big).approval_reasons[0]


def test_incident_linked_mentions_need_approval_and_jump_the_queue(agent, comms, mention, policy):
    from incidents.models import Incident, IncidentMention

    incident = Incident.objects.create(title="Outage", severity="major", declared_by=comms)
    IncidentMention.objects.create(incident=incident, mention=mention)
    reply = _send(agent, mention)
    assert reply.state == ReplyState.PENDING_APPROVAL
    assert reply.is_priority
    assert "incident" in reply.approval_reasons[0]


def test_no_template_where_the_department_demands_one(agent, mention, policy, template_version):
    policy.require_template = True
    policy.save()
    assert "start from a template" in _send(agent, mention).approval_reasons[0]


def test_departing_from_the_template_beyond_the_threshold(agent, billing, policy, template_version):
    policy.deviation_threshold = 0.8
    policy.save()
    close = MentionFactory(department=billing)
    far = MentionFactory(department=billing)
    template = "Hi Customer 1, sorry about the double charge. We have refunded it."
    near = _send(
        agent,
        close,
        text=template.replace("Hi", "Hello"),
        guideline_version_id=template_version.pk,
        template_text=template,
    )
    assert near.approval_reasons == []
    assert near.similarity > 0.8
    away = _send(
        agent,
        far,
        text="Not our fault, read the terms.",
        guideline_version_id=template_version.pk,
        template_text=template,
    )
    assert away.state == ReplyState.PENDING_APPROVAL
    assert "departs from the template" in away.approval_reasons[0]


@pytest.mark.parametrize(("amount", "needs"), [("50", False), ("50.01", True), ("200", True)])
def test_compensation_over_the_agents_discretion_limit(
    agent, mention, policy, voucher, amount, needs
):
    from hub.services.compensation import compensation_offer_create

    offer = compensation_offer_create(
        actor=agent, mention_id=mention.pk, policy_id=voucher.pk, amount=Decimal(amount)
    ).offer
    reply = _send(agent, mention, compensation_offer_id=offer.pk)
    assert (reply.state == ReplyState.PENDING_APPROVAL) == needs
    assert any("discretion limit" in r for r in reply.approval_reasons) == needs


def test_a_lead_has_a_higher_limit(lead, mention, policy, voucher):
    from hub.services.compensation import compensation_offer_create

    offer = compensation_offer_create(
        actor=lead, mention_id=mention.pk, policy_id=voucher.pk, amount=Decimal("200")
    ).offer
    assert _send(lead, mention, compensation_offer_id=offer.pk).approval_reasons == []


def test_the_composer_says_before_sending_whether_approval_is_needed(
    client, agent, mention, policy, voucher
):
    client.force_login(agent)
    url = f"/replies/m/{mention.pk}/check/"
    ok = client.post(url, {"text": "Sorry!", "kind": "public"})
    assert "No approval needed" in ok.content.decode()
    over = client.post(
        url,
        {
            "text": "Sorry!",
            "kind": "public",
            "compensation_policy": voucher.pk,
            "compensation_amount": "120",
        },
    )
    assert "Needs approval" in over.content.decode()
    assert "discretion limit" in over.content.decode()
    bad = client.post(
        url, {"text": "Sorry!", "compensation_policy": voucher.pk, "compensation_amount": "lots"}
    )
    assert "compensation_amount" in bad.content.decode()
    assert not mention.replies_out.exists()


@pytest.mark.parametrize("amount", ["0.004", "20.005"])
def test_an_offer_is_never_rounded(client, agent, mention, policy, voucher, amount):
    """An amount with more than two decimals is refused by name: rounded, 0.004 was an offer
    of 0.00 (and 20.005 one of 20.00, not what the agent typed)."""
    client.force_login(agent)
    response = client.post(
        f"/replies/m/{mention.pk}/compose/",
        {
            "text": "Sorry!",
            "kind": "public",
            "compensation_policy": voucher.pk,
            "compensation_amount": amount,
        },
        follow=True,
    )
    assert "at most two decimals" in response.content.decode()
    assert not Reply.objects.filter(mention=mention).exists()
    assert not CompensationOffer.objects.filter(mention=mention).exists()


def test_a_reply_over_the_channel_limit_names_the_field(agent, mention, policy):
    from core.errors import DomainError

    with pytest.raises(DomainError) as excinfo:
        services.reply_draft(actor=agent, mention_id=mention.pk, text="x" * 300)
    assert excinfo.value.field == "text"


def test_an_escalation_rule_can_require_approval(agent, billing, policy):
    flagged = MentionFactory(department=billing, flags=["approval_required"])
    assert "escalation rule" in _send(agent, flagged).approval_reasons[0]


@pytest.mark.parametrize("amount", ["20", "120"])  # within the agent's limit, and over it
@pytest.mark.parametrize("intent", ["send", "draft"])
def test_a_refused_reply_leaves_no_offer_behind(
    client, agent, mention, policy, voucher, amount, intent
):
    """The offer is made before the draft: a draft refused afterwards (here too long for the
    channel) took the offer with it only in the API; from the web composer an offer stayed,
    granted or waiting in the hub's approval queue, with no reply to go with it."""
    client.force_login(agent)
    response = client.post(
        f"/replies/m/{mention.pk}/compose/",
        {
            "text": "x" * 300,
            "kind": "public",
            "compensation_policy": voucher.pk,
            "compensation_amount": amount,
            "intent": intent,
        },
        follow=True,
    )
    assert "Text:" in response.content.decode()
    assert not Reply.objects.filter(mention=mention).exists()
    assert not CompensationOffer.objects.filter(mention=mention).exists()
    # The same form with a text that fits makes both.
    response = client.post(
        f"/replies/m/{mention.pk}/compose/",
        {
            "text": "Sorry about that!",
            "kind": "public",
            "compensation_policy": voucher.pk,
            "compensation_amount": amount,
            "intent": intent,
        },
    )
    assert response.status_code == 302
    reply = Reply.objects.get(mention=mention)
    assert CompensationOffer.objects.get(mention=mention).pk == reply.compensation_offer_id


def test_a_refused_composer_form_comes_back_as_it_was_typed(
    client, agent, mention, policy, voucher
):
    """The composer's error sent the agent back with an empty form (the text, kind, policy
    and amount gone) and the reason at the top of a page scrolled to the composer."""
    client.force_login(agent)
    form = {
        "text": "So sorry <about> this & more",
        "kind": "direct",
        "compensation_policy": voucher.pk,
        "compensation_amount": "abc",
        "intent": "send",
    }
    response = client.post(f"/replies/m/{mention.pk}/compose/", form, follow=True)
    page = response.content.decode()
    assert "Compensation amount: The amount must be a number." in page
    assert ">So sorry &lt;about&gt; this &amp; more</textarea>" in page
    assert '<option value="direct" selected>' in page
    assert f'<option value="{voucher.pk}" selected>' in page
    assert 'value="abc"' in page
    # shown once: the next visit starts afresh
    again = client.get(f"/m/{mention.pk}/").content.decode()
    assert "must be a number" not in again and "So sorry" not in again
    assert not Reply.objects.filter(mention=mention).exists()

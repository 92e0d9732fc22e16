from hub.services.guidelines import guideline_approve, guideline_version_create
from replies import composer, services
from replies.models import Reply


def test_a_reply_keeps_the_version_it_started_from(agent, comms, mention, policy, template_version):
    prepared = composer.prepare(
        actor=agent,
        mention_id=mention.pk,
        data={
            "text": "Hi, sorry about the double charge.",
            "guideline_version": str(template_version.pk),
        },
    )
    reply = services.reply_draft(actor=agent, mention_id=mention.pk, **prepared)
    snapshot = reply.template_text
    guideline_version_create(
        actor=comms, guideline_id=template_version.guideline_id, body="Completely new wording."
    )
    guideline_approve(actor=comms, guideline_id=template_version.guideline_id)
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.guideline_version_id == template_version.pk
    assert reply.template_text == snapshot
    assert "double charge" in snapshot

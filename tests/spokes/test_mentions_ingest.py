from spokes.ingest import mentions_ingest
from spokes.models import Mention


def _item(external_id="tw-1", text="My invoice charged me twice, refund please", **extra):
    return {
        "source": "twitter",
        "external_id": external_id,
        "author": {"handle": "jo", "display_name": "Jo", "followers": 50},
        "text": text,
        **extra,
    }


def test_a_new_mention_is_stored_and_triaged_after_commit(
    billing, support, django_capture_on_commit_callbacks
):
    billing.routing_keywords = ["invoice", "refund"]
    billing.save()
    support.is_default = True
    support.save()
    with django_capture_on_commit_callbacks(execute=True):
        [result] = mentions_ingest(items=[_item()])
    mention = Mention.objects.get(pk=result.mention.pk)
    assert result.created
    assert mention.department == billing
    assert mention.triaged_at is not None and mention.sla_due_at is not None
    assert mention.sentiment is not None
    assert mention.activities.filter(verb="triaged").count() == 1


def test_a_repeat_returns_the_existing_mention_and_changes_nothing(
    billing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        [first] = mentions_ingest(items=[_item()])
    with django_capture_on_commit_callbacks(execute=True):
        [again] = mentions_ingest(items=[_item(text="something else entirely")])
    assert not again.created and again.mention.pk == first.mention.pk
    assert Mention.objects.get().text.startswith("My invoice")


def test_unrouted_mentions_go_to_the_default_department_and_threads_follow_their_root(
    billing, support, django_capture_on_commit_callbacks
):
    support.is_default = True
    support.save()
    with django_capture_on_commit_callbacks(execute=True):
        mentions_ingest(
            items=[
                _item("a", text="hello there", department=billing),
                _item("b", text="reply in the thread", parent_external_id="a"),
                _item("c", text="nothing routable"),
            ]
        )
    by_id = {m.external_id: m for m in Mention.objects.all()}
    assert by_id["a"].department == billing
    assert by_id["b"].department == billing and by_id["b"].thread_root == by_id["a"]
    assert by_id["c"].department == support


def test_threats_that_read_neutral_are_flagged_urgent(billing, django_capture_on_commit_callbacks):
    billing.is_default = True
    billing.save()
    with django_capture_on_commit_callbacks(execute=True):
        [r] = mentions_ingest(items=[_item(text="Refund me now or I sue")])
    mention = Mention.objects.get(pk=r.mention.pk)
    assert "legal" in mention.flags
    assert mention.priority == 4


def test_each_department_is_told_how_many_of_the_batch_are_its_own(
    billing, support, published, django_capture_on_commit_callbacks
):
    """A batch (or a shared transaction of single mentions) naming several departments:
    each department's sockets hear of its own new mentions, not the whole batch's."""
    items = [_item(f"tw-b{i}", department=billing) for i in range(3)]
    items += [_item("tw-s1", department=support), _item("tw-none")]
    items.append(_item("tw-b0", department=billing))  # a repeat: not new
    with django_capture_on_commit_callbacks(execute=True):
        mentions_ingest(items=items)
    received = {
        tuple(groups): payload
        for event, payload, groups in published
        if event == "mention.received"
    }
    assert received == {
        (f"dept.{billing.pk}",): {"department_id": billing.pk, "count": 3},
        (f"dept.{support.pk}",): {"department_id": support.pk, "count": 1},
    }

"""A viral post's thread: the mention page, the approval page and the API show the
conversation around a mention (its root, up to 20 replies each side), not every reply."""

from datetime import timedelta

import pytest
from django.utils import timezone

from replies.models import Reply
from spokes.selectors import THREAD_EACH_SIDE, thread_around
from tests.factories import MentionFactory

T0 = timezone.now() - timedelta(days=1)


@pytest.fixture
def viral(billing, support):
    """A root and 60 replies a minute apart, 5 of them (the 3rd, 25th, 40th, 45th and 58th) in
    another department."""
    root = MentionFactory(department=billing, posted_at=T0, text="our new app is out")
    replies = []
    for i in range(60):
        department = support if i in (3, 25, 40, 45, 58) else billing
        replies.append(
            MentionFactory(
                department=department,
                parent=root,
                thread_root=root,
                posted_at=T0 + timedelta(minutes=i + 1),
                text=f"reply {i}",
            )
        )
    return root, replies


def test_a_reply_deep_in_the_thread_shows_its_neighbours_and_counts_the_rest(agent, viral):
    root, replies = viral
    mine = [r for r in replies if r.department_id == root.department_id]  # the agent's
    current = replies[30]
    thread = thread_around(current, agent)
    at = mine.index(current)
    assert thread.rows == [root, *mine[at - 20 : at], current, *mine[at + 1 : at + 21]]
    assert thread.omitted_before == at - 20  # visible ones only: 28 earlier, 20 shown
    assert thread.omitted_after == len(mine) - at - 1 - 20


def test_the_root_shows_the_first_replies(agent, viral):
    root, replies = viral
    mine = [r for r in replies if r.department_id == root.department_id]
    thread = thread_around(root, agent)
    assert thread.rows == [root, *mine[:THREAD_EACH_SIDE]]
    assert (thread.omitted_before, thread.omitted_after) == (0, len(mine) - THREAD_EACH_SIDE)


def test_a_short_thread_is_shown_whole(agent, billing):
    root = MentionFactory(department=billing, posted_at=T0)
    replies = [
        MentionFactory(
            department=billing, parent=root, thread_root=root, posted_at=T0 + timedelta(minutes=m)
        )
        for m in (3, 1, 2, 2)  # two at the same moment: by id
    ]
    thread = thread_around(replies[0], agent)
    assert thread.rows == [root, replies[1], replies[2], replies[3], replies[0]]
    assert (thread.omitted_before, thread.omitted_after) == (0, 0)


def test_the_mention_page_lists_a_bounded_thread(
    client, agent, viral, django_assert_max_num_queries
):
    root, replies = viral
    client.force_login(agent)
    with django_assert_max_num_queries(40):
        html = client.get(f"/m/{replies[30].pk}/").content.decode()
    thread = html.split('<ol class="thread">')[1].split("</ol>")[0]
    assert thread.count('<li class="muted thread-omitted">') == 2
    assert "… 8 earlier replies not shown" in thread and "… 6 later replies not shown" in thread
    assert thread.count("<li") == 1 + 20 + 1 + 20 + 2
    assert "reply 3<" not in thread and "reply 25<" not in thread  # support's


def test_the_approval_page_shows_the_conversation_around_the_reply(client, comms, agent, viral):
    root, replies = viral
    reply = Reply.objects.create(
        mention=replies[59], author=agent, text="Sorry about that", state="pending_approval"
    )
    client.force_login(comms)
    html = client.get(f"/replies/{reply.pk}/review/").content.decode()
    thread = html.split('<ol class="thread">')[1].split("</ol>")[0]
    assert thread.count("<li") == 1 + 1 + 20 + 1  # root, the gap, 20 before, itself
    assert "… 39 earlier not shown" in thread  # comms sees every department's replies


def test_a_root_the_reader_may_not_see_is_left_out_and_the_gap_still_shown(
    client, agent, billing, support
):
    root = MentionFactory(department=support, posted_at=T0, text="another team's post")
    replies = [
        MentionFactory(
            department=billing,
            parent=root,
            thread_root=root,
            posted_at=T0 + timedelta(minutes=i + 1),
            text=f"reply {i}",
        )
        for i in range(25)
    ]
    thread = thread_around(replies[-1], agent)
    assert thread.root is None and thread.rows == replies[-21:]
    assert thread.omitted_before == 4
    client.force_login(agent)
    html = client.get(f"/m/{replies[-1].pk}/").content.decode()
    listed = html.split('<ol class="thread">')[1].split("</ol>")[0]
    assert listed.index("… 4 earlier replies not shown") < listed.index("reply 4<")
    assert "another team" not in listed

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from spokes import services
from spokes.models import Tag
from tests.factories import MentionFactory


def _ids(response):
    return [int(i) for i in re.findall(r'data-mention-id="(\d+)"', response.content.decode())]


def _make(billing, n, **kwargs):
    mentions = MentionFactory.create_batch(n, department=billing, **kwargs)
    tag, _ = Tag.objects.get_or_create(name="vip")
    for m in mentions:
        m.tags.add(tag)
    return mentions


def test_query_count_does_not_grow_with_the_rows(
    client, agent, billing, django_assert_max_num_queries
):
    client.force_login(agent)
    _make(billing, 3, assignee=agent)
    with django_assert_max_num_queries(13) as small:
        client.get(reverse("spokes:queue", args=["billing"]))
    _make(billing, 60, assignee=agent)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("spokes:queue", args=["billing"]))
    assert len(_ids(response)) == 50


def test_keyset_pages_cover_every_row_once_in_order(client, agent, billing):
    client.force_login(agent)
    created = {m.pk for m in _make(billing, 120)}
    seen, url = [], reverse("spokes:queue", args=["billing"])
    while url:
        response = client.get(url)
        seen.extend(_ids(response))
        match = re.search(
            r'id="next-page"|href="(\?[^"]*cursor=[^"]*)" rel="next"', response.content.decode()
        )
        next_link = re.search(r'href="(\?[^"]*)" rel="next"', response.content.decode())
        url = (
            reverse("spokes:queue", args=["billing"]) + next_link.group(1).replace("&amp;", "&")
            if next_link
            else None
        )
        assert match or not next_link
    assert len(seen) == len(set(seen)) == 120
    assert set(seen) == created
    assert seen == sorted(seen, reverse=True)  # same received_at order as ids here


def test_a_forged_cursor_is_a_clear_error_not_a_crash(client, agent, billing):
    client.force_login(agent)
    _make(billing, 2)
    response = client.get(reverse("spokes:queue", args=["billing"]) + "?cursor=%%%garbage")
    assert response.status_code == 200
    assert "cursor is not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=invoice", {"invoice"}),
        ("priority=4", {"urgent"}),
        ("source=email", {"email"}),
        ("assignee=me", {"mine"}),
        ("assignee=none&status=all", {"invoice", "urgent", "email", "resolved"}),
        ("status=resolved", {"resolved"}),
        ("sentiment=positive", {"email"}),
        ("tag=refund", {"urgent"}),
    ],
)
def test_filters(client, agent, billing, support, query, expected):
    client.force_login(agent)
    rows = {
        "invoice": MentionFactory(department=billing, text="I was charged twice on my invoice"),
        "urgent": MentionFactory(department=billing, priority=4, text="Lawyer time"),
        "email": MentionFactory(department=billing, source="email", sentiment=0.8, text="Thanks!"),
        "mine": MentionFactory(department=billing, text="Mine", assignee=agent, status="assigned"),
        "resolved": MentionFactory(department=billing, status="resolved", text="Done"),
    }
    MentionFactory(department=support, text="invoice elsewhere", priority=4, source="email")
    services.mention_set_tags(actor=agent, mention_id=rows["urgent"].pk, add=["refund"])
    response = client.get(reverse("spokes:queue", args=["billing"]) + "?" + query)
    names = {name for name, m in rows.items() if m.pk in _ids(response)}
    assert names == expected


def test_an_invalid_filter_value_names_the_field(client, agent, billing):
    client.force_login(agent)
    response = client.get(reverse("spokes:queue", args=["billing"]) + "?priority=99")
    assert response.status_code == 200
    assert "priority:" in response.content.decode()


def test_status_counts_are_shown(client, agent, billing):
    client.force_login(agent)
    MentionFactory.create_batch(3, department=billing)
    MentionFactory(department=billing, status="resolved")
    content = client.get(reverse("spokes:queue", args=["billing"])).content.decode()
    assert re.search(r"New <b>3</b>", content)
    assert re.search(r"Resolved <b>1</b>", content)


def test_mine_lists_assigned_mentions_across_departments(client, lead, billing, support):
    services.membership_set(actor=None, user=lead, department=support, role="agent")
    a = MentionFactory(department=billing, assignee=lead, status="assigned")
    b = MentionFactory(department=support, assignee=lead, status="assigned")
    MentionFactory(department=support)
    client.force_login(lead)
    assert set(_ids(client.get(reverse("spokes:mine")))) == {a.pk, b.pk}


def test_bulk_actions_apply_to_each_selected_mention(client, agent, billing):
    client.force_login(agent)
    mentions = MentionFactory.create_batch(3, department=billing)
    client.post(
        reverse("spokes:bulk", args=["billing"]),
        {"ids": [m.pk for m in mentions[:2]], "action": "assign", "assignee": "me"},
    )
    assert [m.assignee_id for m in type(mentions[0]).objects.order_by("pk")] == [
        agent.pk,
        agent.pk,
        None,
    ]


def test_social_text_is_escaped(client, agent, billing):
    client.force_login(agent)
    m = MentionFactory(
        department=billing, text="<script>alert(1)</script><img src=x onerror=alert(2)>"
    )
    queue = client.get(reverse("spokes:queue", args=["billing"])).content.decode()
    detail = client.get(reverse("spokes:mention", args=[m.pk])).content.decode()
    for page in (queue, detail):
        assert "<script>alert(1)" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(1)" in page


def test_the_queue_page_asks_for_permissions_once(
    client, agent, billing, django_assert_max_num_queries
):
    """Session, user, every department permission at once (the header, the view and the
    template share them), the department, the rows and their tags, the counts, the
    notifications, the session's last-seen time."""
    client.force_login(agent)
    _make(billing, 3, assignee=agent)
    with django_assert_max_num_queries(13) as captured:
        client.get(reverse("spokes:queue", args=["billing"]))
    sqls = [q["sql"].lower() for q in captured.captured_queries]
    assert sum("departmentuserobjectpermission" in sql for sql in sqls) == 1, sqls


def test_status_counts_are_shared_for_a_few_seconds(client, agent, billing, settings):
    from django.core.cache import cache

    settings.QUEUE_COUNTS_SECONDS = 10
    cache.delete(f"queue-counts:{billing.pk}")
    client.force_login(agent)
    _make(billing, 2)
    url = reverse("spokes:queue", args=["billing"])

    def open_count():
        html = client.get(url).content.decode()
        return int(re.search(r'data-open-count="(\d+)"', html).group(1))

    assert open_count() == 2
    _make(billing, 1)
    assert open_count() == 2  # the cached counts, until they expire
    cache.delete(f"queue-counts:{billing.pk}")
    assert open_count() == 3


def test_a_row_reads_its_labels_times_and_link(client, agent, billing):
    now = timezone.now()
    mention = MentionFactory(
        department=billing,
        priority=4,
        source="facebook",
        status="new",
        received_at=now - datetime.timedelta(hours=3, minutes=10, seconds=30),
        sla_due_at=now + datetime.timedelta(minutes=45, seconds=30),
        text="é" * 170,
    )
    client.force_login(agent)
    response = client.get(reverse("spokes:queue", args=["billing"]) + "?status=all")
    row = re.search(
        rf'<tr [^>]*data-mention-id="{mention.pk}".*?</tr>', response.content.decode(), re.S
    ).group(0)
    assert 'class="pill prio">Urgent<' in row
    assert ">Facebook<" in row and 'class="pill status">New<' in row
    assert f'data-href="{reverse("spokes:mention", args=[mention.pk])}"' in row
    assert ">3\xa0hours, 10\xa0minutes<" in row and ">45\xa0minutes<" in row
    assert "é" * 159 + "…<" in row


def test_each_row_shows_its_own_tags_alphabetically(client, agent, billing):
    client.force_login(agent)
    tagged = MentionFactory(department=billing, text="Tagged")
    plain = MentionFactory(department=billing, text="Plain")
    for name in ("vip", "refund", "<b>a</b>"):
        tag, _ = Tag.objects.get_or_create(name=name)
        tagged.tags.add(tag)
    html = client.get(reverse("spokes:queue", args=["billing"])).content.decode()
    rows = dict(re.findall(r'data-mention-id="(\d+)"(.*?)</tr>', html, re.S))
    assert re.findall(r'<span class="tag">(.*?)</span>', rows[str(tagged.pk)]) == [
        "&lt;b&gt;a&lt;/b&gt;",
        "refund",
        "vip",
    ]
    assert '<span class="tag">' not in rows[str(plain.pk)]


def test_the_header_links_the_users_departments_and_counts_unread_notifications(
    client, lead, billing, support, other_agent
):
    from core.models import Notification
    from spokes.services import membership_set
    from tests.factories import DepartmentFactory

    stores = DepartmentFactory(slug="stores", name="Airport <Stores>")
    membership_set(actor=None, user=lead, department=stores, role="agent")
    Notification.objects.create(user=lead, kind="note", text="one")
    Notification.objects.create(user=lead, kind="note", text="two")
    Notification.objects.create(user=lead, kind="note", text="read", read_at=timezone.now())
    Notification.objects.create(user=other_agent, kind="note", text="someone else's")
    client.force_login(lead)
    page = client.get(reverse("spokes:queue", args=["billing"])).content.decode()
    nav = page[page.index("<nav") : page.index("</nav>")]
    links = re.findall(r'<a href="/d/([^/]+)/"[^>]*>([^<]*)</a>', nav)
    assert links == [("stores", "Airport &lt;Stores&gt;"), ("billing", "Billing")]  # by name
    assert 'href="/d/billing/" aria-current="page"' in nav
    assert '<span class="badge">2</span>' in page
    client.force_login(other_agent)
    page = client.get(reverse("spokes:queue", args=["support"])).content.decode()
    nav = page[page.index("<nav") : page.index("</nav>")]
    assert re.findall(r'<a href="/d/([^/]+)/"', nav) == ["support"]
    assert '<span class="badge">1</span>' in page


def test_the_filters_empty_choice_says_any(client, agent, billing):
    client.force_login(agent)
    page = client.get(f"/d/{billing.slug}/").content.decode()
    assert '<option value="">Any</option>' in page and "---------" not in page


def test_signing_in_lands_where_the_work_is(client, agent, comms, billing):
    """Central comms landed on a department's queue they may only read."""
    client.force_login(comms)
    assert client.get("/")["Location"] == "/replies/approvals/"
    client.force_login(agent)
    assert client.get("/")["Location"] == f"/d/{billing.slug}/"


def test_a_row_names_its_sentiment_in_words_beside_the_score(client, agent, billing):
    client.force_login(agent)
    scores = {"Negative -0.62": -0.62, "Neutral 0.01": 0.01, "Positive 0.80": 0.8}
    for score in scores.values():
        MentionFactory(department=billing, sentiment=score)
    MentionFactory(department=billing, sentiment=None)
    content = client.get(reverse("spokes:queue", args=["billing"])).content.decode()
    shown = re.findall(r'class="muted sentiment[^"]*"[^>]*>([^<]*)</span>', content)
    assert sorted(shown) == sorted(scores)
    assert 'title="Sentiment score -0.62 (-1 to 1)"' in content


def test_mine_offers_no_assignee_filter_a_queue_does(client, agent, billing):
    client.force_login(agent)
    assert 'name="assignee"' not in client.get(reverse("spokes:mine")).content.decode()
    queue = client.get(reverse("spokes:queue", args=["billing"])).content.decode()
    assert 'id="f-assignee"' in queue

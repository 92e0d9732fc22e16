"""GET /api/v1/mentions/: UI filters, keyset cursor pages, constant queries, detail thread."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import MentionFactory

URL = "/api/v1/mentions/"


def _make(billing, n, **extra):
    now = timezone.now()
    return [
        MentionFactory(department=billing, received_at=now - timedelta(minutes=i), **extra)
        for i in range(n)
    ]


def test_pages_follow_the_cursor_newest_first_without_gaps(billing_api, billing):
    made = _make(billing, 7)
    seen, url = [], f"{URL}?page_size=3"
    while url:
        body = billing_api.get(url).json()
        seen += [m["id"] for m in body["results"]]
        url = body["next"]
    assert seen == [m.pk for m in made]


def test_a_page_costs_a_constant_number_of_queries(
    billing_api, billing, django_assert_max_num_queries
):
    _make(billing, 60)
    with django_assert_max_num_queries(8):
        assert len(billing_api.get(f"{URL}?page_size=50").json()["results"]) == 50


def test_the_ui_filters_apply(billing_api, billing, agent):
    urgent = MentionFactory(department=billing, priority=4, source="facebook")
    mine = MentionFactory(department=billing, assignee=agent, status="assigned")
    MentionFactory(department=billing, status="resolved")

    def ids(query):
        return {m["id"] for m in billing_api.get(f"{URL}?{query}").json()["results"]}

    assert ids("priority=4") == {urgent.pk}
    assert ids("source=facebook") == {urgent.pk}
    assert ids("assignee=agent") == {mine.pk}
    assert ids("status=open") == {urgent.pk, mine.pk}
    assert len(ids("status=all")) == 3


def test_a_bad_filter_or_cursor_is_a_400_naming_it(billing_api, billing):
    for query, field in [("priority=9", "priority"), ("cursor=@@", "cursor"),
                         ("page_size=0", "page_size")]:  # fmt: skip
        response = billing_api.get(f"{URL}?{query}")
        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]


def test_the_detail_shows_the_visible_thread(billing_api, billing, support):
    root = MentionFactory(department=billing)
    reply = MentionFactory(department=billing, parent=root, thread_root=root)
    MentionFactory(department=support, parent=root, thread_root=root)  # not the key's
    thread = billing_api.get(f"{URL}{reply.pk}/").json()["thread"]
    assert [m["id"] for m in thread] == [root.pk, reply.pk]

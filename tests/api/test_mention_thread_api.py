"""The API's mention detail lists the conversation around the mention, not a viral post's
every reply (tests/spokes/test_thread_around.py has the thread)."""

from tests.spokes.test_thread_around import viral  # noqa: F401 - the fixture


def test_the_api_detail_lists_the_same_and_counts_what_it_left_out(billing_api, viral):  # noqa: F811
    root, replies = viral
    body = billing_api.get(f"/api/v1/mentions/{replies[30].pk}/").json()
    assert len(body["thread"]) == 42 and body["thread"][0]["id"] == root.pk
    assert body["thread_omitted"] == {"before": 8, "after": 6}

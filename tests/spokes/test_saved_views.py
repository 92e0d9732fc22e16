"""Personal saved views on a department's queue ("Views"): saved, replaced by name, listed
for their owner only, deleted by their owner only; the filters only, validated."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from core.errors import DomainError, NotFound
from spokes import services
from spokes.models import SavedView

QUEUE = reverse("spokes:queue", args=["billing"])
SAVE = reverse("spokes:view_save", args=["billing"])


def _delete_url(view, slug="billing"):
    return reverse("spokes:view_delete", args=[slug, view.pk])


def _save(actor, name, params=None, slug="billing"):
    return services.saved_view_save(
        actor=actor, department_slug=slug, name=name, params=params or {}
    )


# --- saving ----------------------------------------------------------------------------------
def test_it_saves_the_filters_only_in_canonical_order(client, agent, billing):
    client.force_login(agent)
    response = client.post(
        f"{SAVE}?tag=vip&status=new&cursor=abc&partial=1&priority=&sort=oldest&utm=x",
        {"name": "  New VIPs  "},
    )
    view = SavedView.objects.get()
    assert (view.user, view.department, view.name) == (agent, billing, "New VIPs")
    # sorted by name; empty, paging, unknown dropped; the order kept (not the default)
    assert view.params == "sort=oldest&status=new&tag=vip"
    assert response.status_code == 303
    assert response["Location"] == f"{QUEUE}?sort=oldest&status=new&tag=vip"


def test_saving_a_name_again_replaces_its_filters(agent, billing):
    first = _save(agent, "Mine", {"assignee": "me"})
    second = _save(agent, "Mine", {"assignee": "me", "status": "assigned"})
    assert second.pk == first.pk
    assert list(SavedView.objects.values_list("name", "params")) == [
        ("Mine", "assignee=me&status=assigned")
    ]


def test_it_writes_an_audit_row_for_a_save_and_a_replacement(agent, billing):
    view = _save(agent, "Mine", {"assignee": "me"})
    _save(agent, "Mine", {"status": "new"})
    rows = AuditEvent.objects.filter(action="saved_view.saved").order_by("id")
    assert [(r.actor, r.target_type, r.target_id) for r in rows] == [
        (agent, "spokes.savedview", str(view.pk))
    ] * 2
    assert [r.data["replaced"] for r in rows] == [False, True]
    assert rows[1].data == {
        "department": "billing",
        "name": "Mine",
        "params": "status=new",
        "replaced": True,
    }


@pytest.mark.parametrize(
    "name, message",
    [("", "Give the view a name."), ("   ", "Give the view a name."), ("x" * 61, "60")],
)
def test_a_bad_name_is_refused_naming_the_field(agent, billing, name, message):
    with pytest.raises(DomainError) as caught:
        _save(agent, name)
    assert caught.value.field == "name"
    assert message in caught.value.message
    assert not SavedView.objects.exists()


def test_a_name_of_sixty_characters_is_kept(agent, billing):
    assert _save(agent, "x" * 60).name == "x" * 60


@pytest.mark.parametrize(
    "params, field",
    [({"status": "bogus"}, "status"), ({"priority": "99"}, "priority"), ({"q": "x" * 201}, "q")],
)
def test_an_invalid_filter_value_is_refused_naming_the_field(agent, billing, params, field):
    with pytest.raises(DomainError) as caught:
        _save(agent, "Broken", params)
    assert caught.value.field == field
    assert not SavedView.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="saved_view.").exists()


def test_a_refused_save_shows_the_queue_the_message_and_the_name_typed(client, agent, billing):
    client.force_login(agent)
    response = client.post(f"{SAVE}?status=new", {"name": "x" * 61})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Name: At most 60 characters." in html
    assert f'value="{"x" * 61}"' in html  # the name typed, to shorten
    assert "?status=new" in html  # the form still carries the filters
    assert not SavedView.objects.exists()


def test_an_invalid_filter_on_the_page_is_a_400_naming_it(client, agent, billing):
    client.force_login(agent)
    response = client.post(f"{SAVE}?priority=99", {"name": "Urgent"})
    assert response.status_code == 400
    assert "priority: Select a valid choice" in response.content.decode()
    assert not SavedView.objects.exists()


def test_the_thirty_first_view_is_refused_but_a_thirtieth_may_be_replaced(agent, billing):
    for n in range(services.SAVED_VIEWS_MAX):
        _save(agent, f"View {n:02}")
    with pytest.raises(DomainError, match="30 saved views"):
        _save(agent, "One too many")
    _save(agent, "View 00", {"status": "new"})  # replacing is no new view
    assert SavedView.objects.count() == 30
    assert SavedView.objects.get(name="View 00").params == "status=new"


def test_the_limit_is_per_department(agent, lead, billing, support, admin_user):
    for n in range(services.SAVED_VIEWS_MAX):
        _save(admin_user, f"View {n:02}")
    assert _save(admin_user, "Support's", slug="support").department == support
    assert _save(lead, "Lead's").user == lead  # and per person


# --- who may ---------------------------------------------------------------------------------
def test_another_departments_queue_is_not_found(client, agent, billing, support):
    with pytest.raises(NotFound):
        _save(agent, "Theirs", slug="support")
    client.force_login(agent)
    response = client.post(reverse("spokes:view_save", args=["support"]), {"name": "Theirs"})
    assert response.status_code == 404
    assert not SavedView.objects.exists()


def test_a_missing_department_and_another_ones_answer_alike(client, agent, billing, support):
    client.force_login(agent)
    statuses = {
        client.post(reverse("spokes:view_save", args=[slug]), {"name": ""}).status_code
        for slug in ("support", "nowhere")
    }
    assert statuses == {404}  # no "name required" before the department is found


def test_central_comms_saves_views_on_a_queue_it_reads(comms, billing):
    assert _save(comms, "Escalated", {"priority": "4"}).user == comms


def test_the_queue_lists_only_my_views_marking_the_current_one(client, agent, lead, billing):
    _save(agent, "Assigned", {"status": "assigned"})
    _save(agent, "New", {"status": "new", "tag": "vip"})
    _save(lead, "Lead secret view", {"status": "resolved"})
    client.force_login(agent)
    response = client.get(f"{QUEUE}?tag=vip&status=new&cursor=")
    views = response.context["saved_views"]
    assert [v.name for v in views] == ["Assigned", "New"]  # by name, mine only
    assert response.context["current_view"].name == "New"
    html = response.content.decode()
    assert 'href="?status=new&amp;tag=vip" aria-current="true">New</a>' in html
    assert 'href="?status=assigned">Assigned</a>' in html
    assert "Lead secret view" not in html


def test_a_view_is_listed_only_on_its_own_department(client, admin_user, billing, support):
    _save(admin_user, "Billing only")
    client.force_login(admin_user)
    assert "Billing only" in client.get(QUEUE).content.decode()
    assert (
        "Billing only" not in client.get(reverse("spokes:queue", args=["support"])).content.decode()
    )


def test_view_names_are_shown_as_text(client, agent, billing):
    _save(agent, '<script>alert("x")</script>')
    client.force_login(agent)
    html = client.get(QUEUE).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# --- deleting --------------------------------------------------------------------------------
def test_the_owner_deletes_their_view_and_it_is_audited(client, agent, billing):
    view = _save(agent, "Old")
    client.force_login(agent)
    response = client.post(_delete_url(view), {"next": f"{QUEUE}?status=new"})
    assert response.status_code == 303
    assert response["Location"] == f"{QUEUE}?status=new"
    assert not SavedView.objects.exists()
    row = AuditEvent.objects.get(action="saved_view.deleted")
    assert (row.actor, row.target_id, row.data["name"]) == (agent, str(view.pk), "Old")


@pytest.mark.parametrize("who", ["lead", "admin_user", "comms"])
def test_someone_elses_view_is_not_found(client, agent, billing, request, who):
    view = _save(agent, "Mine")
    client.force_login(request.getfixturevalue(who))
    assert client.post(_delete_url(view)).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert not AuditEvent.objects.filter(action="saved_view.deleted").exists()


def test_a_view_is_deleted_only_through_its_own_department(client, admin_user, billing, support):
    view = _save(admin_user, "Billing's")
    client.force_login(admin_user)
    assert client.post(_delete_url(view, slug="support")).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_deleting_through_another_departments_queue_is_not_found(
    client, agent, billing, other_agent, support
):
    view = _save(other_agent, "Support's", slug="support")
    client.force_login(agent)
    assert client.post(_delete_url(view, slug="support")).status_code == 404
    with pytest.raises(NotFound):
        services.saved_view_delete(actor=agent, view_id=view.pk)
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_deleting_takes_a_post_only(client, agent, billing):
    view = _save(agent, "Mine")
    client.force_login(agent)
    assert client.get(_delete_url(view)).status_code == 405
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_a_get_of_the_save_url_goes_on_to_the_queue(client, agent, billing, support):
    """A refused save's page is shown at the save URL: its filter form and links, relative,
    ask it with GET."""
    client.force_login(agent)
    response = client.get(f"{SAVE}?status=new&sort=oldest")
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?status=new&sort=oldest"
    assert client.get(reverse("spokes:view_save", args=["support"])).status_code == 404
    assert not SavedView.objects.exists()


# --- cost ------------------------------------------------------------------------------------
# The queue page took 8 queries before saved views (an empty queue, measured): one more
# reads the person's views, however many there are.
QUEUE_QUERIES = 9


@pytest.mark.parametrize("views", [0, 10])
def test_the_views_cost_the_queue_page_one_query(
    client, agent, billing, django_assert_num_queries, views
):
    for n in range(views):
        _save(agent, f"View {n}", {"status": "new"})
    client.force_login(agent)
    client.get(QUEUE)  # warm the session
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(f"{QUEUE}?status=new")
    assert len(response.context["saved_views"]) == views


# --- the order -------------------------------------------------------------------------------
def test_a_view_saved_while_sorted_keeps_the_sort_and_its_link_carries_it(client, agent, billing):
    client.force_login(agent)
    response = client.post(f"{SAVE}?status=new&sort=priority", {"name": "Urgent first"})
    view = SavedView.objects.get()
    assert view.params == "sort=priority&status=new"
    assert response["Location"] == f"{QUEUE}?sort=priority&status=new"
    page = client.get(response["Location"])
    assert page.context["sort"] == "priority"  # opening the view shows the same order
    assert page.context["current_view"] == view
    html = page.content.decode()
    assert 'href="?sort=priority&amp;status=new" aria-current="true">Urgent first</a>' in html
    assert AuditEvent.objects.get(action="saved_view.saved").data["params"] == view.params


def test_only_a_known_sort_other_than_the_default_is_kept(agent, billing):
    saved = {
        sort: _save(agent, f"By {sort or 'nothing'}", {"status": "new", "sort": sort}).params
        for sort in ("oldest", "priority", "newest", "bogus", " ", "")
    }
    assert saved == {
        "oldest": "sort=oldest&status=new",
        "priority": "sort=priority&status=new",
        "newest": "status=new",  # the default: the same view as no sort at all
        "bogus": "status=new",  # the queue shows it newest first
        " ": "status=new",
        "": "status=new",
    }
    assert _save(agent, "Just the order", {"sort": "oldest"}).params == "sort=oldest"


def test_the_current_view_is_the_one_of_the_same_filters_in_the_same_order(client, agent, billing):
    oldest = _save(agent, "New, oldest first", {"status": "new", "sort": "oldest"})
    newest = _save(agent, "New", {"status": "new"})
    client.force_login(agent)

    def current(query):
        return client.get(f"{QUEUE}?{query}").context["current_view"]

    assert current("sort=oldest&status=new&cursor=") == oldest
    assert current("status=new") == newest
    assert current("status=new&sort=newest") == newest  # the default, said or not
    assert current("status=new&sort=bogus") == newest  # shown newest first
    assert current("status=new&sort=priority") is None

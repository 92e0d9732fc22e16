"""Your account: everyone edits their own name, initials, signature, phone and time zone and
changes their own password, audited; every page shows times in their zone and names it."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from spokes.models import SpikeAlert
from tests.conftest import PASSWORD
from tests.factories import MentionFactory

STRONG = "Tidal-Lantern-42"
PROFILE = {
    "first_name": "Eva",
    "last_name": "Agent-Ito",
    "initials": "EA",
    "signature": "Eva, Billing team",
    "phone": "+44 20 7946 0000",
    "time_zone": "Asia/Tokyo",
}
NOON_UTC = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(response) -> str:
    return response.content.decode()


# --- the page ------------------------------------------------------------------------------
def test_the_account_page_is_linked_from_the_name_in_every_pages_header(agent):
    page = _page(_signed_in(agent).get("/notifications/"))
    assert '<a class="who" href="/account/"' in page


def test_the_account_page_shows_the_form_filled_in(agent):
    agent.signature = "Ava from Billing"
    agent.save(update_fields=["signature"])
    response = _signed_in(agent).get("/account/")
    assert response.status_code == 200
    page = _page(response)
    assert 'name="first_name"' in page and 'value="Ava"' in page
    assert 'value="Ava from Billing"' in page and 'name="old_password"' in page
    assert '<option value="Asia/Tokyo">' in page  # the zones to choose from


# --- the profile ---------------------------------------------------------------------------
def test_a_person_updates_their_profile_and_it_is_audited(agent):
    client = _signed_in(agent)
    response = client.post("/account/", PROFILE)
    assert response.status_code == 302 and response["Location"] == "/account/"
    agent.refresh_from_db()
    assert {f: getattr(agent, f) for f in PROFILE} == PROFILE
    event = AuditEvent.objects.get(action="user.profile_changed")
    assert (event.actor, event.target_id, event.ip_address) == (agent, str(agent.pk), "127.0.0.1")
    assert event.data == {"username": "agent", **PROFILE}
    assert "Your account is saved." in _page(client.get("/account/"))


def test_saving_an_unchanged_profile_writes_no_audit_row(agent):
    client = _signed_in(agent)
    client.post("/account/", PROFILE)
    client.post("/account/", PROFILE)
    assert AuditEvent.objects.filter(action="user.profile_changed").count() == 1


def test_a_blank_time_zone_means_the_organisations(agent):
    agent.time_zone = "Asia/Tokyo"
    agent.save(update_fields=["time_zone"])
    assert _signed_in(agent).post("/account/", {"time_zone": ""}).status_code == 302
    agent.refresh_from_db()
    assert agent.time_zone == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus_Mons"),
        ("time_zone", "asia/tokyo"),  # zone names are exact
        ("initials", "ABCDEFGHI"),  # at most 8
        ("signature", "x" * 121),
    ],
)
def test_bad_input_is_refused_next_to_its_field_keeping_what_was_typed(agent, field, value):
    typed = {**PROFILE, field: value}
    response = _signed_in(agent).post("/account/", typed)
    assert response.status_code == 400
    page = _page(response)
    assert f'id="{field}-error"' in page and 'aria-invalid="true"' in page
    for name, text in typed.items():
        assert f'name="{name}"' in page and f'value="{text}"' in page  # kept as typed
    agent.refresh_from_db()
    assert (agent.first_name, agent.time_zone, agent.initials) == ("Ava", "", "")
    assert not AuditEvent.objects.filter(action="user.profile_changed").exists()


def test_an_unknown_time_zone_is_named_in_the_message(agent):
    response = _signed_in(agent).post("/account/", {"time_zone": "Mars/Olympus_Mons"})
    assert "&#x27;Mars/Olympus_Mons&#x27; is not a time zone" in _page(response)


def test_anonymous_callers_are_sent_to_sign_in(client, agent):
    for response in (
        client.get("/account/"),
        client.post("/account/", PROFILE),
        client.post("/account/password/", {"old_password": PASSWORD}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(settings.LOGIN_URL_PATH)
    agent.refresh_from_db()
    assert agent.time_zone == "" and agent.check_password(PASSWORD)


# --- the password --------------------------------------------------------------------------
def _change(client, old=PASSWORD, new=STRONG, again=None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password": new, "new_password_again": again or new},
    )


def test_a_password_change_keeps_this_session_and_signs_out_the_others(
    agent, closed, django_capture_on_commit_callbacks
):
    client, elsewhere = _signed_in(agent), _signed_in(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = _change(client)
    assert response.status_code == 302 and response["Location"] == "/account/"
    agent.refresh_from_db()
    assert agent.check_password(STRONG) and not agent.check_password(PASSWORD)
    assert client.get("/account/").status_code == 200  # still signed in here
    gone = elsewhere.get("/account/")
    assert gone.status_code == 302 and gone["Location"].startswith(settings.LOGIN_URL_PATH)
    assert agent.pk in closed  # open pages reconnect (and the other session's are refused)


def test_a_password_change_is_audited_without_the_password(agent):
    _change(_signed_in(agent))
    event = AuditEvent.objects.get(action="user.password_changed")
    assert (event.actor, event.target_id) == (agent, str(agent.pk))
    recorded = json.dumps(event.data)
    assert STRONG not in recorded and PASSWORD not in recorded
    assert event.data == {"username": "agent"}


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"old": "not-my-password"}, "old_password"),
        ({"old": ""}, "old_password"),
        ({"new": "password"}, "new_password"),  # too common
        ({"new": "Ava-Agent"}, "new_password"),  # too short, and like the name
        ({"new": "83920417562"}, "new_password"),  # numbers only
        ({"new": PASSWORD}, "new_password"),  # the current one
        ({"again": "Tidal-Lantern-43"}, "new_password_again"),
    ],
)
def test_a_refused_password_change_changes_nothing(agent, form, field):
    client = _signed_in(agent)
    response = _change(client, **form)
    assert response.status_code == 400
    page = _page(response)
    assert f'id="{field}-error"' in page
    assert STRONG not in page and PASSWORD not in page  # passwords are never echoed
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password_changed").exists()
    assert client.get("/account/").status_code == 200


def test_the_password_page_takes_only_posts(agent):
    assert _signed_in(agent).get("/account/password/").status_code == 405


def test_after_five_wrong_current_passwords_even_the_right_one_waits(agent):
    """A session left open must not let its finder try passwords at leisure."""
    client = _signed_in(agent)
    for _ in range(5):
        assert _change(client, old="guess-again").status_code == 400
    refused = _change(client)
    assert refused.status_code == 429
    assert "Too many wrong passwords" in _page(refused)
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_a_right_current_password_starts_the_count_again(agent):
    client = _signed_in(agent)
    for _ in range(4):
        _change(client, old="guess-again")
    assert _change(client).status_code == 302
    for _ in range(4):
        assert _change(client, old="guess-again").status_code == 400
    assert _change(client, old=STRONG, new="Quiet-Harbour-77").status_code == 302


# --- times in the reader's zone ------------------------------------------------------------
@pytest.fixture
def posted_at_noon_utc(billing):
    return MentionFactory(department=billing, posted_at=NOON_UTC)


def test_a_reader_in_tokyo_sees_tokyo_time_and_the_zone_named(agent, posted_at_noon_utc):
    agent.time_zone = "Asia/Tokyo"
    agent.save(update_fields=["time_zone"])
    page = _page(_signed_in(agent).get(f"/m/{posted_at_noon_utc.pk}/"))
    assert "Posted 15 Jan 2026 21:00" in page
    assert 'Times in <a href="/account/">Asia/Tokyo</a>' in page


def test_a_reader_without_a_zone_sees_the_organisations(agent, posted_at_noon_utc):
    page = _page(_signed_in(agent).get(f"/m/{posted_at_noon_utc.pk}/"))
    assert "Posted 15 Jan 2026 12:00" in page
    assert 'Times in <a href="/account/">UTC</a>' in page


def test_the_audit_log_is_in_the_readers_zone(admin_user):
    admin_user.time_zone = "America/New_York"
    admin_user.save(update_fields=["time_zone"])
    client = _signed_in(admin_user)
    client.post("/account/", {"first_name": "Ada"})
    AuditEvent.objects.filter(action="user.profile_changed").update(created_at=NOON_UTC)
    page = _page(client.get("/audit/"))
    assert "15 Jan 2026 07:00:00" in page  # EST, five hours behind
    assert 'Times in <a href="/account/">America/New_York</a>' in page


def test_an_alerts_window_names_the_readers_zone_not_utc(comms):
    comms.time_zone = "Asia/Tokyo"
    comms.save(update_fields=["time_zone"])
    alert = SpikeAlert.objects.create(
        scope="kw:checkout", label="Keyword checkout", metric="volume",
        window_start=NOON_UTC - timedelta(hours=1), window_end=NOON_UTC, observed=60,
        baseline=2, baseline_std=1, z_score=40, mention_count=3, unique_authors=3,
        total_reach=300,
    )  # fmt: skip
    page = _page(_signed_in(comms).get(f"/alerts/{alert.pk}/"))
    assert "Window Thu 20:00–21:00 Asia/Tokyo." in page and " UTC." not in page


def test_the_zone_costs_the_queue_page_no_query(
    agent, billing, settings, django_assert_max_num_queries
):
    """Measured against the same page with the time zone middleware taken out."""
    MentionFactory.create_batch(3, department=billing)
    url = reverse("spokes:queue", args=["billing"])
    zone = "accounts.middleware.TimeZoneMiddleware"
    assert zone in settings.MIDDLEWARE
    _signed_in(agent).get(url)  # warm the per-process caches (content types, templates)
    with_it = settings.MIDDLEWARE
    settings.MIDDLEWARE = [m for m in with_it if m != zone]
    client = _signed_in(agent)
    with django_assert_max_num_queries(13) as without:
        assert client.get(url).status_code == 200
    settings.MIDDLEWARE = with_it
    agent.time_zone = "Asia/Tokyo"
    agent.save(update_fields=["time_zone"])
    client = _signed_in(agent)
    with django_assert_max_num_queries(len(without.captured_queries)):
        page = _page(client.get(url))
    assert "Asia/Tokyo" in page


def test_the_json_api_answers_in_utc_whoever_is_signed_in(agent, posted_at_noon_utc):
    """An integration's payloads do not change with the zone of a browser's session."""
    agent.time_zone = "Asia/Tokyo"
    agent.save(update_fields=["time_zone"])
    response = _signed_in(agent).get(f"/api/v1/mentions/{posted_at_noon_utc.pk}/")
    assert response.status_code == 200
    assert response.json()["posted_at"] == "2026-01-15T12:00:00Z"

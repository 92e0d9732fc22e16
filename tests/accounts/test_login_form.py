"""Signing in at /login/: a failed attempt keeps the username; a locked-out one says so."""

import re

from django.urls import reverse

from tests.conftest import PASSWORD


def _input(html: str, name: str) -> str:
    match = re.search(rf'<input\b[^>]*\bname="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_a_failed_sign_in_keeps_the_username_and_shows_the_error(client, agent):
    response = client.post(reverse("login"), {"username": "agent", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert re.search(r'role="alert"[^>]*>Your username and password didn\'t match', html)
    username = _input(html, "username")
    assert 'value="agent"' in username and "autofocus" not in username
    password = _input(html, "password")
    assert "value=" not in password and "autofocus" in password  # typed again, never echoed


def test_the_kept_username_is_escaped(client, db):
    response = client.post(reverse("login"), {"username": '"><b>x', "password": "wrong"})

    assert 'value="&quot;&gt;&lt;b&gt;x"' in _input(response.content.decode(), "username")


def test_a_locked_out_sign_in_shows_a_page_that_says_so(client, agent, settings):
    login = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(login, {"username": "agent", "password": "no"}).status_code == 200

    last_try = client.post(login, {"username": "agent", "password": "no"})
    right_password = client.post(login, {"username": "agent", "password": PASSWORD})

    for response in (last_try, right_password):
        html = response.content.decode()
        assert response.status_code == 429 and response["Content-Type"].startswith("text/html")
        assert "<title>Too many attempts" in html and 'href="/login/"' in html
        assert re.search(r'role="alert">Too many failed sign-ins for “agent”', html)
        assert "locked for 15 minutes" in html
    assert "_auth_user_id" not in client.session

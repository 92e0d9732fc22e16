"""A NUL character in a form field or a query parameter: a 400 naming it, nothing written.

PostgreSQL cannot store NUL in text; before ``core.middleware.NulInputMiddleware`` a note, a
transfer reason or an incident title carrying one failed in the database with a 500 (the
form fuzz in ``test_form_fuzz`` found fifteen such forms on PostgreSQL).
"""

import pytest

from spokes.models import Note

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_form_field_is_refused_by_name_and_writes_nothing(client, agent, mention):
    client.force_login(agent)
    response = client.post(f"/m/{mention.pk}/notes/", {"body": "call back\x00 later"})
    assert response.status_code == 400
    assert response.content.decode().startswith("body: ")
    assert "NUL" in response.content.decode()
    assert not Note.objects.filter(mention=mention).exists()


def test_a_nul_in_a_form_fields_name_is_refused_too(client, agent, mention):
    client.force_login(agent)
    response = client.post(f"/m/{mention.pk}/notes/", {"body": "ok", "x\x00": "1"})
    assert response.status_code == 400
    assert response.content.decode().startswith("x\\x00: ")


def test_a_nul_in_a_query_parameter_is_refused_by_name(client, agent, billing):
    client.force_login(agent)
    response = client.get("/d/billing/", {"q": "refund\x00"})
    assert response.status_code == 400
    assert response.content.decode().startswith("q: ")


def test_a_nul_in_the_path_is_a_404(client, agent, mention):
    client.force_login(agent)
    assert client.get("/d/bill%00ing/").status_code == 404


def test_text_without_nul_still_goes_through(client, agent, mention):
    client.force_login(agent)
    response = client.post(f"/m/{mention.pk}/notes/", {"body": "call back later \\x00"})
    assert response.status_code == 302
    assert Note.objects.get(mention=mention).body == "call back later \\x00"


# Django's cookie parser undoes quoting: this cookie arrives as a session key holding a NUL.
QUOTED_NUL = b'sessionid="abcdefgh\\000zz"'


def test_a_session_cookie_no_key_can_be_is_no_session(client, agent):
    """It was looked up as it came: on PostgreSQL every page answered 500 to it."""
    response = client.get("/d/billing/", HTTP_COOKIE=QUOTED_NUL.decode())
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_live_socket_treats_such_a_cookie_as_no_session(db):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"), (b"cookie", QUOTED_NUL)]
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, code = await communicator.connect()
    assert not connected or code == 4401  # anonymous: closed before any subscription
    await communicator.disconnect()

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


def test_text_without_nul_still_goes_through(client, agent, mention):
    client.force_login(agent)
    response = client.post(f"/m/{mention.pk}/notes/", {"body": "call back later \\x00"})
    assert response.status_code == 302
    assert Note.objects.get(mention=mention).body == "call back later \\x00"

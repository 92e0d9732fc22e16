"""The API answers a NUL in a query parameter with a 400 in its own error shape, and one in
the path with a 404 (the web pages' side: tests/security/test_nul_input.py)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_refuses_a_nul_in_a_query_parameter_in_its_error_shape(billing_api, mention):
    response = billing_api.get("/api/v1/mentions/", {"q": "refund\x00"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == ["q"]


def test_a_nul_in_the_path_is_a_404(billing_api, billing):
    """``/departments/bill%00ing/`` was looked up as it came: a 500 on PostgreSQL."""
    response = billing_api.get("/api/v1/departments/bill%00ing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"

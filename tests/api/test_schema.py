"""The OpenAPI schema generates without warnings and documents auth, errors and examples."""

import pytest
import yaml
from django.core.management import call_command


def test_the_schema_validates_without_warnings(tmp_path, db):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["components"]["securitySchemes"]["ApiKey"]["name"] == "Authorization"
    ingest = schema["paths"]["/api/v1/mentions/"]["post"]
    assert {"200", "201", "207", "400", "401", "403", "429"} <= set(ingest["responses"])
    assert ingest["requestBody"]["content"]["application/json"]["examples"]
    detail = schema["paths"]["/api/v1/mentions/{mention_id}/"]["get"]
    assert "404" in detail["responses"]
    # A PATCH body is documented as the API validates it: a draft's text is required.
    edit = schema["paths"]["/api/v1/replies/{reply_id}/"]["patch"]["requestBody"]
    assert edit["required"] is True
    body = edit["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][body]["required"] == ["text"]
    transfer = schema["paths"]["/api/v1/mentions/{mention_id}/transfer/"]["post"]
    assert transfer["requestBody"]["content"]["application/json"]["examples"]


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_served_without_a_cdn(client, db, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content

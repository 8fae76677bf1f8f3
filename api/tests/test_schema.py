"""The OpenAPI schema: served at /api/schema/, valid, and complete enough to use."""

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_the_schema_validates_without_a_warning(tmp_path):
    # --validate checks it against the OpenAPI 3 JSON schema; any warning fails the command.
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert yaml.safe_load(out.read_text())["openapi"].startswith("3.")


def test_the_schema_is_served_to_anyone(anonymous_api, db):
    response = anonymous_api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Voice Interviews API"
    assert {
        "/api/v1/jobs/",
        "/api/v1/candidates/{id}/",
        "/api/v1/resumes/",
        "/api/v1/interviews/{id}/link/",
        "/api/v1/interviews/{id}/cancel/",
        "/api/v1/interviews/{id}/transcript/",
        "/api/v1/interviews/{id}/report/",
        "/api/v1/tokens/",
    } <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token made on /api/tokens/.",
    }


def test_the_schema_describes_the_error_shape_and_the_upload(anonymous_api, db):
    schema = anonymous_api.get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    ).json()
    upload = schema["paths"]["/api/v1/resumes/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    for code in ("400", "401", "403", "429", "500"):
        content = upload["responses"][code]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "404" in schema["paths"]["/api/v1/interviews/{id}/"]["get"]["responses"]
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["properties"]) == {"code", "message", "fields"}

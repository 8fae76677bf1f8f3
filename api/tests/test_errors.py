"""Every API error has one JSON shape: {"error": {"code", "message", "fields"}}."""

import pytest

from api.views import CandidateList
from resumes.models import Candidate


def error_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["message"]
    return body["error"]


def test_an_unknown_endpoint_is_a_json_404(api):
    error = error_of(api.get("/api/v1/nothing-here/"), 404)
    assert error["code"] == "not_found"
    assert "There is no API endpoint at /api/v1/nothing-here/." in error["message"]


def test_a_missing_thing_is_a_404_that_names_it(api):
    error = error_of(api.get("/api/v1/candidates/999999/"), 404)
    assert error["message"] == "There is no candidate with id 999999."


def test_a_wrong_method_is_a_405(api):
    error = error_of(api.delete("/api/v1/jobs/"), 405)
    assert error["code"] == "method_not_allowed"
    assert "DELETE" in error["message"]


def test_invalid_input_is_a_400_with_each_fields_problem(api):
    error = error_of(
        api.post("/api/v1/interviews/", {"candidate": 999999, "max_duration_minutes": 500}), 400
    )
    assert error["code"] == "invalid"
    assert error["fields"]["candidate"] == ["There is no candidate with id 999999."]
    assert error["fields"]["max_duration_minutes"] == [
        "Ensure this value is less than or equal to 90."
    ]


def test_a_body_that_is_not_json_is_a_400(api):
    response = api.post("/api/v1/interviews/", "{not json", content_type="application/json")
    assert error_of(response, 400)["code"] == "parse_error"


def test_a_page_past_the_end_is_a_404(api):
    error = error_of(api.get("/api/v1/candidates/?page=9"), 404)
    assert "There is no page 9" in error["message"]


def test_an_unexpected_failure_is_a_json_500_without_details(api, monkeypatch, caplog):
    def broken():
        raise RuntimeError("database on fire: internal detail")

    monkeypatch.setattr(CandidateList, "get_queryset", lambda _view: broken())
    error = error_of(api.get("/api/v1/candidates/"), 500)
    assert error["code"] == "server_error"
    assert "internal detail" not in error["message"]
    assert any("API error on GET /api/v1/candidates/" in r.getMessage() for r in caplog.records)


def test_lists_are_paged_by_page_number(api, db):
    for n in range(3):
        Candidate.objects.create(name=f"Candidate {n}")
    first = api.get("/api/v1/candidates/?page_size=2").json()
    assert first["count"] == 3
    assert [c["name"] for c in first["results"]] == ["Candidate 2", "Candidate 1"]
    assert first["previous"] is None
    second = api.get(first["next"]).json()
    assert [c["name"] for c in second["results"]] == ["Candidate 0"]
    assert second["next"] is None


@pytest.mark.parametrize("path", ["/api/v1/jobs/", "/api/v1/interviews/"])
def test_lists_answer_with_an_empty_page_when_there_is_nothing(api, path):
    assert api.get(path).json() == {"count": 0, "next": None, "previous": None, "results": []}

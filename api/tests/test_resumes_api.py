"""Resumes through the API: upload one (multipart), watch a real Celery worker parse it,
read the parsed record and the candidate it made."""

import json
import time

from django.core.files.uploadedfile import SimpleUploadedFile

from resumes.tests import files
from resumes.tests.conftest import make_profile
from tests.fake_openai import Reply

REPLY = {
    "basics": {"name": "Jane Doe", "email": "jane.doe@example.com"},
    "skills": [{"name": "Python"}],
    "total_years_experience": 9,
}


def upload(api, content, name):
    return api.post(
        "/api/v1/resumes/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


def wait_for_parse(api, resume_id, *, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = api.get(f"/api/v1/resumes/{resume_id}/").json()
        if body["status"] in ("parsed", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError("the worker did not finish the resume")


def test_an_uploaded_resume_is_parsed_by_a_real_worker(
    celery_worker, fake_openai, api, recruiter_token, tmp_path, settings
):
    # Polled five times a second, a slow worker would run into the token's rate limit.
    settings.API_RATE_PER_TOKEN = "1000/m"
    make_profile(fake_openai.url)
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    response = upload(api, files.docx_file(), "jane.docx")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["duplicate"] is False
    assert body["resume"]["status"] in ("uploaded", "extracting", "parsing", "parsed")

    resume = wait_for_parse(api, body["resume"]["id"])
    assert resume["status"] == "parsed", resume["failure_reason"]
    assert resume["parsed"]["basics"]["name"] == "Jane Doe"
    assert resume["kind"] == "docx"

    candidate = api.get(f"/api/v1/candidates/{resume['candidate']}/").json()
    assert candidate["name"] == "Jane Doe"
    assert candidate["json_resume"]["basics"]["email"] == "jane.doe@example.com"
    assert [r["status"] for r in candidate["resumes"]] == ["parsed"]
    # The worker's log never sees the token either.
    assert recruiter_token[1] not in (tmp_path / "celery.log").read_text()


def test_the_same_file_twice_is_one_resume(api, db):
    content = files.pdf()
    first = upload(api, content, "jane.pdf")
    second = upload(api, content, "jane-again.pdf")
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["resume"]["id"] == first.json()["resume"]["id"]


def test_a_file_that_is_no_resume_is_refused_in_plain_words(api, db):
    response = upload(api, b"\x00\x01binary junk" * 50, "photo.exe")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["file"][0].startswith("“photo.exe” was not uploaded.")


def test_an_upload_without_a_file_says_which_field_to_use(api, db):
    response = api.post("/api/v1/resumes/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "file": ["Choose a file to upload (the form field “file”)."]
    }

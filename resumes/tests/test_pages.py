import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from resumes.models import Candidate, ParseAttempt, Resume
from resumes.services import skills_text
from resumes.tests import files

pytestmark = pytest.mark.django_db


def make_resume(n, *, status=Resume.Status.PARSED, skills=("Python",), name=None, content=None):
    candidate = Candidate.objects.create(
        name=name or f"Person {n}", email=f"person{n}@example.com", location="Lisbon"
    )
    resume = Resume(
        candidate=candidate,
        original_name=f"cv-{n}.pdf",
        kind="pdf",
        content_type="application/pdf",
        sha256=f"{n:064d}",
        status=status,
        skills_text=skills_text(skills),
        parsed={
            "basics": {"name": candidate.name, "email": candidate.email},
            "skills": [{"name": skill} for skill in skills],
            "work": [{"name": "Acme", "position": "Engineer"}],
            "summary": "Builds things.",
            "total_years_experience": 4,
        },
        failure_reason="This PDF is damaged." if status == Resume.Status.FAILED else "",
    )
    resume.file.save(f"{n}.pdf", ContentFile(content or files.pdf()), save=False)
    resume.save()
    return resume


def names(response):
    return [row.candidate.name for row in response.context["rows"]]


def test_the_empty_list_invites_an_upload(recruiter_client):
    response = recruiter_client.get(reverse("resumes:list"))
    assert response.status_code == 200
    assert "No candidates yet" in response.text
    assert 'id="upload-input"' in response.text


def test_the_list_shows_status_chips_and_failure_reasons(recruiter_client):
    make_resume(1, name="Ann Parsed")
    failed = make_resume(2, name="Bob Failed", status=Resume.Status.FAILED)
    response = recruiter_client.get(reverse("resumes:list"))
    assert names(response) == ["Bob Failed", "Ann Parsed"]
    assert f'data-resume-id="{failed.pk}">Failed</span>' in response.text
    assert "This PDF is damaged." in response.text


def test_search_matches_name_email_or_skill(recruiter_client):
    make_resume(1, name="Ann Lee", skills=("Rust",))
    make_resume(2, name="Bob Stone", skills=("Python", "Django"))
    url = reverse("resumes:list")
    assert names(recruiter_client.get(url, {"q": "lee"})) == ["Ann Lee"]
    assert names(recruiter_client.get(url, {"q": "person2@"})) == ["Bob Stone"]
    assert names(recruiter_client.get(url, {"q": "django"})) == ["Bob Stone"]
    response = recruiter_client.get(url, {"q": "nobody"})
    assert "No resumes match" in response.text


def test_filters_by_status_and_by_whole_skill_names(recruiter_client):
    make_resume(1, name="Ann", skills=("Go",))
    make_resume(2, name="Bob", skills=("Golang", "Python"))
    make_resume(3, name="Cid", status=Resume.Status.FAILED, skills=())
    url = reverse("resumes:list")
    assert names(recruiter_client.get(url, {"skill": "go"})) == ["Ann"]
    assert names(recruiter_client.get(url, {"skill": "PYTHON"})) == ["Bob"]
    assert names(recruiter_client.get(url, {"status": "failed"})) == ["Cid"]
    assert names(recruiter_client.get(url, {"status": "nonsense"})) == ["Cid", "Bob", "Ann"]


def test_pages_take_the_same_number_of_queries_however_many_resumes(
    recruiter_client, django_assert_num_queries
):
    for n in range(60):
        make_resume(n)
    url = reverse("resumes:list")
    # Session, user, the page of rows, the status counts.
    with django_assert_num_queries(4):
        first = recruiter_client.get(url)
    with django_assert_num_queries(4):
        last = recruiter_client.get(url, {"page": 3, "q": "person"})
    assert len(first.context["rows"]) == 25 and first.context["has_next"]
    assert len(last.context["rows"]) == 10 and not last.context["has_next"]
    assert names(last)[-1] == "Person 0"


def test_the_candidate_page_shows_the_parsed_record_next_to_the_original(recruiter_client):
    resume = make_resume(1, name="Ann Lee", skills=("Rust", "Go"))
    response = recruiter_client.get(reverse("resumes:detail", args=[resume.candidate_id]))
    assert response.status_code == 200
    text = response.text
    assert "Ann Lee" in text
    assert "Engineer</strong> at Acme" in text
    assert "4 years" in text
    assert f'src="{reverse("resumes:file", args=[resume.pk])}"' in text
    assert f"{reverse('resumes:file', args=[resume.pk])}?download=1" in text


def test_a_failed_resume_shows_its_reason_and_a_retry_button(recruiter_client):
    resume = make_resume(1, status=Resume.Status.FAILED)
    response = recruiter_client.get(reverse("resumes:detail", args=[resume.candidate_id]))
    assert "Parsing failed." in response.text
    assert "This PDF is damaged." in response.text
    assert "Try again</button>" in response.text


def test_a_recruiter_edits_the_candidate_and_the_parsed_record(recruiter_client):
    resume = make_resume(1, name="Ann Lee", skills=("Rust",))
    url = reverse("resumes:detail", args=[resume.candidate_id])
    record = dict(resume.parsed, education=[{"institution": "Lisbon Tech", "area": "Physics"}])
    response = recruiter_client.post(
        url,
        {
            "name": "Ann M. Lee",
            "email": "ann@lee.dev",
            "phone": "+351 21 000 0000",
            "location": "Porto",
            "summary": "Physicist turned engineer.",
            "skills": "Rust, Elixir",
            "total_years_experience": "6",
            "parsed_json": json.dumps(record),
        },
    )
    assert response.status_code == 302
    resume.refresh_from_db()
    candidate = resume.candidate
    candidate.refresh_from_db()
    assert (candidate.name, candidate.email, candidate.location) == (
        "Ann M. Lee",
        "ann@lee.dev",
        "Porto",
    )
    assert candidate.edited_at is not None
    assert [s["name"] for s in resume.parsed["skills"]] == ["Rust", "Elixir"]
    assert resume.parsed["education"][0]["institution"] == "Lisbon Tech"
    assert resume.parsed["summary"] == "Physicist turned engineer."
    assert resume.skills_text == "|rust|elixir|"


def test_invalid_json_in_the_edit_form_is_explained_and_the_input_kept(recruiter_client):
    resume = make_resume(1, name="Ann Lee")
    url = reverse("resumes:detail", args=[resume.candidate_id])
    response = recruiter_client.post(url, {"name": "Changed", "parsed_json": '{"work": [}'})
    assert response.status_code == 200
    assert "This is not valid JSON (line 1, column 11" in response.text
    assert "{&quot;work&quot;: [}" in response.text
    resume.candidate.refresh_from_db()
    assert resume.candidate.name == "Ann Lee"


def test_the_export_is_a_json_resume_download(recruiter_client):
    resume = make_resume(7, name="Ann Lee", skills=("Rust",))
    response = recruiter_client.get(reverse("resumes:export", args=[resume.candidate_id]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="candidate-{resume.candidate_id}.json"'
    )
    document = json.loads(response.content)
    assert document["basics"]["name"] == "Ann Lee"
    assert document["basics"]["email"] == "person7@example.com"
    assert document["basics"]["summary"] == "Builds things."
    assert document["skills"] == [{"name": "Rust"}]
    assert document["work"][0]["name"] == "Acme"
    assert document["meta"]["totalYearsExperience"] == 4


def test_recruiters_and_admins_download_the_original(recruiter_client, admin_user, client):
    content = files.pdf(["Only for recruiters"])
    resume = make_resume(1, content=content)
    url = reverse("resumes:file", args=[resume.pk])
    download = recruiter_client.get(url, {"download": "1"})
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    inline = recruiter_client.get(url)
    assert inline["Content-Disposition"].startswith("inline")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_a_cp1252_text_resume_is_shown_as_utf8(recruiter_client):
    text = "Ren\u00e9e \u201cZo\u00eb\u201d M\u00fcller \u2013 \u20ac"
    resume = make_resume(1, content=text.encode("cp1252"))
    resume.kind = "txt"
    resume.save()
    response = recruiter_client.get(reverse("resumes:file", args=[resume.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode("utf-8") == text


@pytest.mark.parametrize("name", ["list", "detail", "export", "file", "reparse"])
def test_anonymous_visitors_see_nothing(client, name):
    resume = make_resume(1)
    args = {
        "list": [],
        "detail": [resume.candidate_id],
        "export": [resume.candidate_id],
        "file": [resume.pk],
        "reparse": [resume.pk],
    }[name]
    url = reverse(f"resumes:{name}", args=args)
    response = client.post(url) if name == "reparse" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_reparse_button_queues_a_new_attempt(
    recruiter_client, django_capture_on_commit_callbacks
):
    resume = make_resume(1, status=Resume.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=False):
        response = recruiter_client.post(reverse("resumes:reparse", args=[resume.pk]), follow=True)
    resume.refresh_from_db()
    assert resume.status == Resume.Status.UPLOADED
    assert ParseAttempt.objects.filter(resume=resume).count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Parsing queued, but no model provider profile is active yet."]

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resumes.models import Candidate, ParseAttempt, Resume
from resumes.tests import files

pytestmark = pytest.mark.django_db

URL = reverse("resumes:upload")


def post(client, content, name):
    return client.post(
        URL, {"file": SimpleUploadedFile(name, content)}, HTTP_ACCEPT="application/json"
    )


def test_an_upload_creates_a_candidate_keeps_the_file_and_queues_parsing(
    recruiter_client, recruiter, django_capture_on_commit_callbacks
):
    content = files.pdf()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(recruiter_client, content, "Jane Doe CV.pdf")
    assert response.status_code == 201
    body = response.json()
    resume = Resume.objects.get()
    assert body["resume"]["id"] == resume.pk
    assert body["resume"]["candidate_url"] == reverse("resumes:detail", args=[resume.candidate_id])
    assert body["resume"]["status_label"] == "Uploaded"
    assert resume.original_name == "Jane Doe CV.pdf"
    assert resume.kind == "pdf"
    assert resume.uploaded_by == recruiter
    assert resume.file.read() == content
    assert resume.file.name.endswith(".pdf")
    assert ParseAttempt.objects.get().resume == resume
    # The parse is enqueued only once the upload has committed (plus the live status).
    assert len(callbacks) == 2


def test_a_pdf_named_docx_is_handled_as_a_pdf(recruiter_client):
    response = post(recruiter_client, files.pdf(), "resume.docx")
    assert response.status_code == 201
    resume = Resume.objects.get()
    assert resume.kind == "pdf"
    assert resume.content_type == "application/pdf"
    assert resume.file.name.endswith(".pdf")


def test_an_image_named_pdf_is_refused_naming_what_it_is(recruiter_client):
    response = post(recruiter_client, files.png_file(), "resume.pdf")
    assert response.status_code == 400
    assert response.json()["error"].startswith(
        "\u201cresume.pdf\u201d was not uploaded. This file is a PNG image, which is not supported."
    )
    assert not Resume.objects.exists()
    assert not Candidate.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_its_size_and_the_limit(
    recruiter_client, settings
):
    settings.RESUME_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.txt", b"a" * (3 * 1024 * 1024 // 2))
    response = recruiter_client.post(URL, {"file": big}, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["\u201cbig.txt\u201d is 1.5 MB; the limit is 1 MB."]
    assert not Resume.objects.exists()


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(recruiter_client, settings):
    settings.RESUME_MAX_UPLOAD_MB = 1
    response = post(recruiter_client, b"a" * (3 * 1024 * 1024), "huge.txt")
    assert response.status_code == 400
    assert response.json()["error"] == "The file is 3.0 MB; the limit is 1 MB."
    assert not Resume.objects.exists()


def test_an_empty_file_is_refused(recruiter_client):
    response = post(recruiter_client, b"", "empty.pdf")
    assert response.status_code == 400
    assert response.json()["error"] == "\u201cempty.pdf\u201d is empty (0 bytes)."


def test_the_same_file_twice_points_to_the_existing_candidate(recruiter_client):
    content = files.docx_file(["Jane Doe"])
    first = post(recruiter_client, content, "jane.docx").json()
    second = post(recruiter_client, content, "copy of jane.docx")
    assert second.status_code == 200
    body = second.json()
    assert body["duplicate"] is True
    assert body["resume"]["candidate_url"] == first["resume"]["candidate_url"]
    assert "\u201ccopy of jane.docx\u201d was already uploaded on" in body["message"]
    assert Resume.objects.count() == 1
    assert Candidate.objects.count() == 1


def test_a_plain_form_can_upload_several_files_at_once(recruiter_client):
    response = recruiter_client.post(
        URL,
        {
            "file": [
                SimpleUploadedFile("a.txt", files.text_file("Ann Example\nann@example.com")),
                SimpleUploadedFile("b.pdf", files.pdf(["Bob Example"])),
                SimpleUploadedFile("c.png", files.png_file()),
            ]
        },
        follow=True,
    )
    assert Resume.objects.count() == 2
    texts = [str(message) for message in response.context["messages"]]
    assert "\u201ca.txt\u201d uploaded; parsing has started." in texts
    assert any("This file is a PNG image" in text for text in texts)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = post(client, files.pdf(), "resume.pdf")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Resume.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "contains"),
    [
        (b"<!DOCTYPE html>\n<html><body>Jane Doe</body></html>", "resume.pdf", "a web page (HTML)"),
        (b"  <html>\n<script>alert(1)</script>", "cv.docx", "a web page (HTML)"),
        ("<html><body>Zoë</body></html>".encode("utf-16"), "cv.pdf", "a web page (HTML)"),
        (b"#!/bin/sh\nrm -rf ~\n", "resume.pdf", "a script (it starts with #!)"),
        (b"<?php system($_GET['c']); ?>", "resume.odt", "a PHP script"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "cv.PDF", "an SVG image"),
    ],
)
def test_a_web_page_or_script_named_like_a_document_is_refused_saying_so(
    recruiter_client, content, name, contains
):
    response = post(recruiter_client, content, name)
    assert response.status_code == 400
    error = response.json()["error"]
    described = {"pdf": "a PDF document", "docx": "a Word document (DOCX)"}.get(
        name.rsplit(".", 1)[1].lower(), "an OpenDocument text (ODT)"
    )
    assert error == (
        f"\u201c{name}\u201d was not uploaded. Its name says it is {described}, but it is "
        f"{contains}. Save the resume as a PDF or DOCX from the program that made it and upload "
        "that."
    )
    assert not Resume.objects.exists()
    assert not Candidate.objects.exists()


def test_a_text_resume_that_mentions_html_is_still_a_text_resume(recruiter_client):
    content = files.text_file("Jane Doe\nSkills: <html>, CSS, #!/bin/sh scripting")
    assert post(recruiter_client, content, "jane.txt").status_code == 201
    assert Resume.objects.get().kind == "txt"


def test_the_other_files_of_an_upload_go_through_when_one_is_refused(recruiter_client):
    response = recruiter_client.post(
        URL,
        {
            "file": [
                SimpleUploadedFile("ann.pdf", files.pdf(["Ann Example"])),
                SimpleUploadedFile("trap.pdf", b"<html><script>alert(1)</script></html>"),
                SimpleUploadedFile("bob.docx", files.docx_file(["Bob Example"])),
            ]
        },
        follow=True,
    )
    assert sorted(Resume.objects.values_list("original_name", flat=True)) == [
        "ann.pdf",
        "bob.docx",
    ]
    texts = [str(message) for message in response.context["messages"]]
    assert "\u201cann.pdf\u201d uploaded; parsing has started." in texts
    assert "\u201cbob.docx\u201d uploaded; parsing has started." in texts
    assert any(
        text.startswith("\u201ctrap.pdf\u201d was not uploaded. Its name says it is a PDF")
        for text in texts
    )


def test_a_zip_bomb_is_refused_at_upload_without_being_unpacked(recruiter_client):
    response = post(recruiter_client, files.docx_bomb(1024), "resume.docx")
    assert response.status_code == 400
    assert response.json()["error"] == (
        "\u201cresume.docx\u201d was not uploaded. This file unpacks to more than 50 MB, which "
        "no resume needs; it looks like a zip bomb. Save it again as a normal DOCX or PDF."
    )
    assert not Resume.objects.exists()

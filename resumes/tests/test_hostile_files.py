"""Hostile files and runaway tasks through a real Celery worker process.

Each test ends by parsing a normal resume on the same worker: whatever the
hostile file did, the worker must still be there and working.
"""

import hashlib
import json
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from resumes import services
from resumes.models import Candidate, ParseAttempt, Resume
from resumes.tests import files
from resumes.tests.conftest import make_profile
from resumes.tests.test_worker import REPLY, Worker, status_of, wait_until
from tests.fake_openai import Reply

pytestmark = pytest.mark.django_db(transaction=True)

BOMB = (
    "This file unpacks to more than 50 MB, which no resume needs; it looks like a zip bomb. "
    "Save it again as a normal DOCX or PDF."
)


@pytest.fixture
def answering_model(fake_openai):
    make_profile(fake_openai.url)
    fake_openai.defaults["chat"] = Reply(content=json.dumps(REPLY))
    return fake_openai


def post(client, content, name):
    response = client.post(
        reverse("resumes:upload"),
        {"file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["resume"]["id"]


def finished(resume_id, *, timeout=90):
    wait_until(
        lambda: status_of(resume_id) in (Resume.Status.PARSED, Resume.Status.FAILED),
        timeout=timeout,
        message="the worker did not finish the resume",
    )
    resume = Resume.objects.get(pk=resume_id)
    return resume, resume.attempts.order_by("-id").first()


def stored_before_the_checks(content, name, *, kind, user):
    """A resume uploaded before this version refused such files, now parsed again."""
    resume = Resume(
        candidate=Candidate.objects.create(created_by=user),
        original_name=name,
        kind=kind,
        content_type=services.SUPPORTED[kind],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
        status=Resume.Status.FAILED,
    )
    resume.file.save(f"old.{kind}", ContentFile(content), save=False)
    resume.save()
    services.resume_reparse(resume=resume, user=user)
    return resume.pk


def assert_the_worker_still_parses(client, process):
    resume, _ = finished(post(client, files.docx_file(), "jane.docx"))
    assert resume.status == Resume.Status.PARSED, resume.failure_reason
    assert process.poll() is None


def test_it_refuses_a_docx_that_unpacks_past_the_cap(
    celery_worker, answering_model, recruiter_client, recruiter
):
    # 1 GB of spaces in about 1 MB; the upload refuses it, so it comes in as an old file.
    resume_id = stored_before_the_checks(
        files.docx_bomb(1024), "bomb.docx", kind="docx", user=recruiter
    )
    resume, attempt = finished(resume_id)
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == BOMB
    assert attempt.outcome == ParseAttempt.Outcome.FAILED
    assert attempt.deliveries <= 3
    assert answering_model.requests["chat"] == []
    assert_the_worker_still_parses(recruiter_client, celery_worker)


def test_it_refuses_a_docx_whose_directory_understates_what_it_unpacks(
    celery_worker, answering_model, recruiter_client
):
    # The headers claim 5 KB, so the upload takes it; the worker reads no more than that.
    resume_id = post(recruiter_client, files.docx_bomb(200, claimed_bytes=5000), "understated.docx")
    resume, attempt = finished(resume_id)
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == (
        "This Word document is damaged and can't be opened. Save it again and re-upload it."
    )
    assert attempt.deliveries <= 3
    assert_the_worker_still_parses(recruiter_client, celery_worker)


def test_it_refuses_a_pdf_of_1500_pages_without_reading_them(
    celery_worker, answering_model, recruiter_client
):
    content = files.long_pdf(1500)
    assert len(content) < 1024 * 1024
    resume, attempt = finished(post(recruiter_client, content, "1500 pages.pdf"))
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == (
        "This PDF has 1500 pages, more than the 30 a resume may have here, so its text was not "
        "read. Upload only the pages of the resume."
    )
    assert resume.text == ""
    assert attempt.deliveries <= 3
    assert answering_model.requests["chat"] == []
    assert_the_worker_still_parses(recruiter_client, celery_worker)


@pytest.mark.parametrize(
    ("soft", "hard"),
    [
        # The soft limit raises inside the task, which fails the resume itself.
        (2, 120),
        # With no soft limit, the pool process is killed at the hard limit and the
        # worker's main process fails the resume.
        (0, 2),
    ],
    ids=["soft", "hard"],
)
def test_a_parse_past_the_time_limit_fails_in_words_and_the_worker_goes_on(
    answering_model, recruiter_client, tmp_path, monkeypatch, soft, hard
):
    from dashboard.celery import app
    from resumes.tasks import resume_parse

    # The limits travel in each task's message, so the sender's count: this process's.
    monkeypatch.setattr(resume_parse, "soft_time_limit", soft or None)
    monkeypatch.setattr(resume_parse, "time_limit", hard)
    monkeypatch.setattr(resume_parse, "_exec_options", None)
    # The model takes far longer than the limit to answer the first request.
    answering_model.script("chat", Reply(content=json.dumps(REPLY), delay=10))
    app.control.purge()
    worker = Worker(
        tmp_path, "limited", CELERY_TASK_SOFT_TIME_LIMIT=soft, CELERY_TASK_TIME_LIMIT=hard
    )
    try:
        resume, attempt = finished(post(recruiter_client, files.pdf(), "slow.pdf"))
        assert resume.status == Resume.Status.FAILED
        assert resume.failure_reason.startswith(
            "Parsing this resume was stopped after 2 seconds, the longest a parse may take."
        ), resume.failure_reason
        assert attempt.deliveries == 1
        assert_the_worker_still_parses(recruiter_client, worker.process)
    finally:
        worker.stop()
    assert len(answering_model.requests["chat"]) == 2


def test_a_file_that_stops_the_worker_three_times_fails_instead_of_being_redelivered(
    answering_model, recruiter_client, tmp_path
):
    """Each delivery's worker is killed mid-parse, as a file that crashes a parser would do."""
    from dashboard.celery import app

    visibility = 3
    # Every model call hangs, so each delivery is still parsing when its worker is killed.
    answering_model.defaults["chat"] = Reply(content=json.dumps(REPLY), delay=10)
    app.control.purge()
    resume_id = None
    for number in range(1, 4):
        worker = Worker(tmp_path, f"doomed{number}", CELERY_VISIBILITY_TIMEOUT=visibility)
        try:
            if resume_id is None:
                resume_id = post(recruiter_client, files.pdf(), "crashes.pdf")
            wait_until(
                lambda number=number: len(answering_model.requests["chat"]) == number,
                timeout=60,
                message=f"delivery {number} never reached the model",
            )
            called_at = time.monotonic()
            worker.kill()
        finally:
            worker.stop()
        # A starting worker takes back unacked messages older than the visibility timeout.
        time.sleep(max(0.0, called_at + visibility + 1 - time.monotonic()))

    answering_model.defaults["chat"] = Reply(content=json.dumps(REPLY))
    last = Worker(tmp_path, "last", CELERY_VISIBILITY_TIMEOUT=visibility)
    try:
        resume, attempt = finished(resume_id)
        assert resume.status == Resume.Status.FAILED
        assert resume.failure_reason.startswith(
            "Parsing this file stopped the worker three times; it was not parsed."
        )
        assert attempt.deliveries == 3
        assert len(answering_model.requests["chat"]) == 3
        assert_the_worker_still_parses(recruiter_client, last.process)
    finally:
        last.stop()

"""Resume parsing gives way to live interviews on the same model server, and sends it at
most LLM_BATCH_CONCURRENCY requests at once (providers/llm_slots.py)."""

import json
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dashboard.celery import app
from providers import llm_slots
from resumes import services
from resumes.models import ParseAttempt, Resume
from resumes.tests import files
from resumes.tests.conftest import make_profile, upload
from tests.fake_openai import Reply
from tests.processes import celery_worker_args, child_env, running, wait_for_worker

REPLY = {
    "basics": {"name": "Jane Doe", "email": "jane.doe@example.com"},
    "skills": [{"name": "Python"}],
    "total_years_experience": 9,
}
WAITING = "Waiting for the live interview to finish"


def wait_until(condition, *, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message)


def worker(tmp_path, *, batch_limit):
    """A real Celery worker of 4 processes, that sends at most `batch_limit` at once."""
    app.control.purge()
    return running(
        celery_worker_args(concurrency=4),
        env=child_env(LLM_BATCH_CONCURRENCY=batch_limit, LLM_BATCH_POLL_SECONDS=1),
        log_path=tmp_path / "celery.log",
        ready=lambda _process: wait_for_worker(app),
    )


def upload_resumes(client, count):
    ids = []
    for number in range(count):
        response = client.post(
            reverse("resumes:upload"),
            {"file": SimpleUploadedFile(f"r{number}.txt", files.text_file(f"Resume {number}"))},
            HTTP_ACCEPT="application/json",
        )
        ids.append(response.json()["resume"]["id"])
    return ids


def all_parsed(ids):
    return Resume.objects.filter(pk__in=ids, status=Resume.Status.PARSED).count() == len(ids)


@pytest.mark.django_db(transaction=True)
def test_the_parsing_queue_yields_to_a_live_interview(fake_openai, recruiter_client, tmp_path):
    make_profile(fake_openai.url)
    fake_openai.defaults["chat"] = Reply(content=json.dumps(REPLY), delay=0.5)
    # The interviewer writes the same server's address its own way.
    interviewer_url = fake_openai.url.replace("127.0.0.1", "localhost") + "/"
    llm_slots.live_mark(base_url=interviewer_url, interview_id=7, seconds=120)

    with worker(tmp_path, batch_limit=1):
        ids = upload_resumes(recruiter_client, 4)
        wait_until(
            lambda: Resume.objects.filter(pk__in=ids, failure_reason=WAITING).count() == 4,
            timeout=30,
            message="the resumes did not say they wait for the interview",
        )
        time.sleep(3)  # several looks of every waiting task
        assert fake_openai.requests["chat"] == []
        page = recruiter_client.get(reverse("resumes:list")).content.decode()
        assert page.count(WAITING) == 4

        llm_slots.live_clear(base_url=interviewer_url, interview_id=7)
        wait_until(lambda: all_parsed(ids), timeout=60, message="the resumes were not parsed")
    assert fake_openai.most_at_once["chat"] == 1
    assert len(fake_openai.requests["chat"]) == 4
    # Waiting was no failed try: the whole retry budget is still there.
    assert not ParseAttempt.objects.filter(resume_id__in=ids, transient_failures__gt=0).exists()
    page = recruiter_client.get(reverse("resumes:list")).content.decode()
    assert WAITING not in page


@pytest.mark.django_db(transaction=True)
def test_with_no_live_interview_resumes_parse_at_most_the_limit_at_once(
    fake_openai, recruiter_client, tmp_path
):
    make_profile(fake_openai.url)
    fake_openai.defaults["chat"] = Reply(content=json.dumps(REPLY), delay=1.5)

    with worker(tmp_path, batch_limit=2):
        ids = upload_resumes(recruiter_client, 6)
        wait_until(lambda: all_parsed(ids), timeout=90, message="the resumes were not parsed")
    # Four worker processes could have sent four at once.
    assert fake_openai.most_at_once["chat"] == 2


def test_a_resume_waits_for_an_interview_no_longer_than_the_bound(
    db, fake_openai, settings, django_capture_on_commit_callbacks
):
    make_profile(fake_openai.url)
    fake_openai.defaults["chat"] = Reply(content=json.dumps(REPLY))
    llm_slots.live_mark(base_url=fake_openai.url, interview_id=7, seconds=120)
    with django_capture_on_commit_callbacks():
        resume = upload(files.text_file())
    attempt = resume.attempts.get()

    outcome = services.attempt_run(attempt_id=attempt.pk)
    assert outcome is not None
    resume.refresh_from_db()
    assert resume.status_label == WAITING
    assert fake_openai.requests["chat"] == []

    settings.LLM_BATCH_YIELD_MAX_SECONDS = 0
    assert services.attempt_run(attempt_id=attempt.pk) is None
    resume.refresh_from_db()
    assert resume.status == Resume.Status.PARSED, resume.failure_reason
    assert resume.status_label == "Parsed"
    assert len(fake_openai.requests["chat"]) == 1

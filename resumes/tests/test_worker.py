"""Resumes through a real Celery worker process, including one that dies mid-task."""

import json
import os
import signal
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dashboard.celery import app
from resumes.models import ParseAttempt, Resume
from resumes.tests import files
from resumes.tests.conftest import make_profile
from tests.fake_openai import Reply
from tests.processes import BASE_DIR, celery_worker_args, child_env, wait_for_worker

REPLY = {
    "basics": {"name": "Jane Doe", "email": "jane.doe@example.com"},
    "skills": [{"name": "Python"}],
    "total_years_experience": 9,
}


def wait_until(condition, *, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message)


def status_of(resume_id):
    return Resume.objects.get(pk=resume_id).status


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_parses_an_uploaded_resume(celery_worker, fake_openai, recruiter_client):
    make_profile(fake_openai.url)
    fake_openai.script("chat", Reply(content=json.dumps(REPLY)))
    response = recruiter_client.post(
        reverse("resumes:upload"),
        {"file": SimpleUploadedFile("jane.docx", files.docx_file())},
        HTTP_ACCEPT="application/json",
    )
    resume_id = response.json()["resume"]["id"]
    wait_until(
        lambda: status_of(resume_id) in (Resume.Status.PARSED, Resume.Status.FAILED),
        timeout=60,
        message="the worker did not finish the resume",
    )
    resume = Resume.objects.select_related("candidate").get(pk=resume_id)
    assert resume.status == Resume.Status.PARSED, resume.failure_reason
    assert resume.candidate.name == "Jane Doe"
    assert "Senior Backend Engineer" in resume.text
    attempt = resume.attempts.get()
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert attempt.extract_ms is not None and attempt.llm_ms is not None
    assert "Senior Backend Engineer" in fake_openai.requests["chat"][0]["messages"][1]["content"]


class Worker:
    """A worker in its own process group, so SIGKILL takes its pool children too."""

    def __init__(self, tmp_path, name, **env):
        self.log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop
        self.process = subprocess.Popen(
            celery_worker_args(hostname=name),
            cwd=BASE_DIR,
            env=child_env(**env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_worker(app)

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_parse_leaves_the_resume_parsed_exactly_once(
    fake_openai, recruiter_client, tmp_path
):
    visibility = 3
    make_profile(fake_openai.url)
    # The first call is held open until after the worker is killed; later calls answer at once.
    fake_openai.script("chat", Reply(content=json.dumps(REPLY), delay=10))
    fake_openai.defaults["chat"] = Reply(content=json.dumps(REPLY))
    app.control.purge()
    first = Worker(tmp_path, "doomed", CELERY_VISIBILITY_TIMEOUT=visibility)
    second = None
    try:
        response = recruiter_client.post(
            reverse("resumes:upload"),
            {"file": SimpleUploadedFile("jane.pdf", files.pdf())},
            HTTP_ACCEPT="application/json",
        )
        resume_id = response.json()["resume"]["id"]
        wait_until(
            lambda: len(fake_openai.requests["chat"]) == 1,
            timeout=30,
            message="the first worker never called the model",
        )
        called_at = time.monotonic()
        assert status_of(resume_id) == Resume.Status.PARSING
        first.kill()
        # A starting worker takes back unacked messages older than the visibility
        # timeout (then only every ~100 s), so the replacement comes up after it.
        time.sleep(max(0.0, called_at + visibility + 1 - time.monotonic()))

        second = Worker(tmp_path, "survivor", CELERY_VISIBILITY_TIMEOUT=visibility)
        wait_until(
            lambda: status_of(resume_id) == Resume.Status.PARSED,
            timeout=60,
            message="the task was not redelivered to the new worker",
        )
        parsed_at = Resume.objects.get(pk=resume_id).parsed_at
        # Long enough for any stray redelivery to have happened.
        time.sleep(visibility * 3)
    finally:
        first.stop()
        if second is not None:
            second.stop()

    resume = Resume.objects.get(pk=resume_id)
    assert resume.parsed_at == parsed_at
    assert resume.parsed["basics"]["name"] == "Jane Doe"
    attempt = resume.attempts.get()
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert attempt.deliveries == 2
    assert len(fake_openai.requests["chat"]) == 2

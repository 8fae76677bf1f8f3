"""The reconciler: parse attempts whose task was lost are sent again once, or failed."""

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dashboard.celery import app
from resumes import reconciler, services
from resumes.models import ParseAttempt, Resume
from resumes.tests import files
from resumes.tests.conftest import make_profile
from resumes.tests.test_worker import REPLY, Worker, status_of, wait_until
from tests.fake_openai import Reply

pytestmark = pytest.mark.django_db(transaction=True)


def past_the_lease():
    return timezone.now() - timedelta(seconds=services._lease_seconds() + 60)


@pytest.fixture
def answering_model(fake_openai):
    make_profile(fake_openai.url)
    fake_openai.defaults["chat"] = Reply(content=json.dumps(REPLY))
    return fake_openai


def uploaded_then_lost(recruiter, **attempt_fields):
    """An uploaded resume whose parse task the broker lost (Redis restarted without its data).

    No worker runs yet: the test starts one once the task is lost (starting one purges the
    queue)."""
    result = services.resume_upload(
        uploaded_file=SimpleUploadedFile("jane.docx", files.docx_file()), user=recruiter
    )
    app.control.purge()
    resume = result.resume
    ParseAttempt.objects.filter(resume=resume).update(**attempt_fields)
    return resume


def test_an_attempt_whose_delivery_died_is_sent_again_once_and_parsed(
    answering_model, recruiter, request
):
    resume = uploaded_then_lost(
        recruiter,
        outcome=ParseAttempt.Outcome.RUNNING,
        claimed_at=past_the_lease(),
        deliveries=1,
    )
    Resume.objects.filter(pk=resume.pk).update(status=Resume.Status.PARSING)
    request.getfixturevalue("celery_worker")

    resent, failed = reconciler.resumes_reconcile()
    # A second run, whether the worker took it over yet or not, sends nothing more.
    assert reconciler.resumes_reconcile() == ([], [])

    wait_until(
        lambda: status_of(resume.pk) == Resume.Status.PARSED,
        timeout=60,
        message="the resent task did not parse the resume",
    )
    attempt = resume.attempts.get()
    assert (resent, failed) == ([attempt.pk], [])
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert attempt.deliveries == 2
    assert len(answering_model.requests["chat"]) == 1


def test_a_queued_attempt_whose_task_was_lost_is_sent_again(answering_model, recruiter, request):
    resume = uploaded_then_lost(recruiter)
    ParseAttempt.objects.filter(resume=resume).update(created_at=past_the_lease())

    request.getfixturevalue("celery_worker")

    resent, _failed = reconciler.resumes_reconcile()

    wait_until(
        lambda: status_of(resume.pk) == Resume.Status.PARSED,
        timeout=60,
        message="the resent task did not parse the resume",
    )
    assert resent == [resume.attempts.get().pk]


def test_an_attempt_whose_deliveries_died_three_times_fails_in_words(answering_model, recruiter):
    resume = uploaded_then_lost(
        recruiter,
        outcome=ParseAttempt.Outcome.RUNNING,
        claimed_at=past_the_lease(),
        deliveries=3,
    )

    resent, failed = reconciler.resumes_reconcile()

    resume.refresh_from_db()
    attempt = resume.attempts.get()
    assert (resent, failed) == ([], [attempt.pk])
    assert resume.status == Resume.Status.FAILED
    assert resume.failure_reason == services.STOPPED_THE_WORKER
    assert attempt.outcome == ParseAttempt.Outcome.FAILED
    assert answering_model.requests["chat"] == []


def test_deliveries_handed_to_a_retry_are_not_counted_as_died(answering_model, recruiter):
    resume = uploaded_then_lost(
        recruiter,
        outcome=ParseAttempt.Outcome.RUNNING,
        claimed_at=past_the_lease(),
        deliveries=3,
        transient_failures=2,
    )

    resent, failed = reconciler.resumes_reconcile()

    assert (resent, failed) == ([resume.attempts.get().pk], [])


def test_an_attempt_being_parsed_is_left_alone(answering_model, recruiter):
    resume = uploaded_then_lost(
        recruiter,
        outcome=ParseAttempt.Outcome.RUNNING,
        claimed_at=timezone.now() - timedelta(minutes=5),
        deliveries=1,
    )

    assert reconciler.resumes_reconcile() == ([], [])
    assert resume.attempts.get().outcome == ParseAttempt.Outcome.RUNNING


def test_a_worker_killed_mid_parse_is_replaced_once_its_time_limit_is_over(
    fake_openai, recruiter_client, tmp_path, settings, monkeypatch
):
    # The broker would deliver the task again only after its visibility timeout (an hour);
    # the reconciler knows the delivery died once the task's hard time limit is over.
    settings.CELERY_TASK_TIME_LIMIT = 2
    monkeypatch.setattr(reconciler, "DEAD_AFTER_LIMIT_SECONDS", 1)
    make_profile(fake_openai.url)
    fake_openai.script("chat", Reply(content=json.dumps(REPLY), delay=10))
    fake_openai.defaults["chat"] = Reply(content=json.dumps(REPLY))
    app.control.purge()
    first = Worker(tmp_path, "doomed")
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
        first.kill()
        second = Worker(tmp_path, "survivor")
        wait_until(
            lambda: reconciler.resumes_reconcile()[0],
            timeout=10,
            message="the reconciler never sent the attempt again",
        )
        wait_until(
            lambda: status_of(resume_id) == Resume.Status.PARSED,
            timeout=60,
            message="the resent task did not parse the resume",
        )
    finally:
        first.stop()
        if second is not None:
            second.stop()

    resume = Resume.objects.get(pk=resume_id)
    assert resume.parsed["basics"]["name"] == "Jane Doe"
    attempt = resume.attempts.get()
    assert attempt.outcome == ParseAttempt.Outcome.SUCCEEDED
    assert attempt.deliveries == 2
    assert len(fake_openai.requests["chat"]) == 2

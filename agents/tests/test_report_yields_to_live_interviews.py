"""Report writing gives way to live interviews on the same model server
(providers/llm_slots.py), and waiting for them spends none of its tries."""

import json
import time

import pytest
from celery.exceptions import Retry
from django.urls import reverse

from agents import tasks
from agents.models import Interview
from agents.reports import report_request
from agents.tests.report_support import GOOD, pending_interview
from providers import llm_slots
from tests.fake_openai import Reply
from tests.processes import celery_worker_args, child_env, running, wait_for_worker

WAITING = "Waiting for the live interview to finish; the report is written after that."


def wait_until(condition, *, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message)


def report_status(interview):
    interview.refresh_from_db()
    return interview.report_status, interview.report_error


@pytest.mark.django_db(transaction=True)
def test_a_report_is_written_once_the_live_interview_ends(fake_openai, admin_client, tmp_path):
    from dashboard.celery import app

    fake_openai.defaults["chat"] = Reply(content=json.dumps(GOOD))
    interview = pending_interview(fake_openai.url)
    llm_slots.live_mark(base_url=fake_openai.url, interview_id=interview.pk + 1, seconds=120)
    app.control.purge()
    with running(
        celery_worker_args(concurrency=2),
        env=child_env(LLM_BATCH_POLL_SECONDS=1),
        log_path=tmp_path / "celery.log",
        ready=lambda _process: wait_for_worker(app),
    ):
        report_request(interview_id=interview.pk)
        wait_until(
            lambda: report_status(interview)[1] == WAITING,
            timeout=30,
            message="the report did not say it waits for the interview",
        )
        time.sleep(3)  # several looks of the waiting task
        assert fake_openai.requests["chat"] == []
        page = admin_client.get(reverse("agents:interview_detail", args=[interview.pk]))
        assert WAITING in page.content.decode()

        llm_slots.live_clear(base_url=fake_openai.url, interview_id=interview.pk + 1)
        wait_until(
            lambda: report_status(interview)[0] == Interview.ReportStatus.READY,
            timeout=60,
            message="the report was not written after the interview ended",
        )
    assert len(fake_openai.requests["chat"]) == 1
    assert report_status(interview)[1] == ""


def test_waiting_for_a_live_interview_spends_none_of_the_reports_tries(
    db, fake_openai, monkeypatch
):
    interview = pending_interview(fake_openai.url)
    retries = []

    def retry(**options):
        retries.append(options)
        return Retry()

    monkeypatch.setattr(tasks.interview_report_write, "retry", retry)
    llm_slots.live_mark(base_url=fake_openai.url, interview_id=interview.pk + 1, seconds=120)
    with pytest.raises(Retry):
        tasks.interview_report_write(interview.pk, failures=2)
    assert retries[-1]["kwargs"] == {"failures": 2}
    assert fake_openai.requests["chat"] == []

    llm_slots.live_clear(base_url=fake_openai.url, interview_id=interview.pk + 1)
    fake_openai.script("chat", Reply.error(503, "overloaded"))
    with pytest.raises(Retry):
        tasks.interview_report_write(interview.pk, failures=2)
    assert retries[-1]["kwargs"] == {"failures": 3}

"""Events reach a real receiver through a real Celery worker, signed as the README says."""

import json
import logging
import time

import pytest

from agents.services import interview_mark_completed
from webhooks import services
from webhooks.models import Delivery, Event
from webhooks.tests.receiver import Answer

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "whsec_test-secret-that-must-stay-hidden"


def wait_until(condition, *, timeout, message):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.1)


def test_a_completed_interview_reaches_a_receiver_that_checks_its_signature_with_the_readme_recipe(
    fast_retry_worker, receiver, readme_verify, scheduled_interview
):
    interview, link_secret = scheduled_interview
    endpoint = services.endpoint_create(
        url=receiver.url, events=[Event.INTERVIEW_COMPLETED], secret=SECRET
    )
    services.endpoint_create(
        url=receiver.url + "/reports", events=[Event.REPORT_READY], secret=SECRET
    )

    interview_mark_completed(interview_id=interview.pk, reason="The candidate said goodbye.")

    (request,) = receiver.wait_for(1, timeout=30)
    headers = request.headers
    assert readme_verify(SECRET, request.body, headers["X-Webhook-Signature"])
    assert not readme_verify(
        "whsec_another-secret-entirely", request.body, headers["X-Webhook-Signature"]
    )
    assert not readme_verify(SECRET, request.body + b" ", headers["X-Webhook-Signature"])
    payload = json.loads(request.body)
    delivery = Delivery.objects.get()
    assert delivery.endpoint == endpoint
    assert payload["id"] == str(delivery.pk) == headers["X-Webhook-Id"]
    assert payload["type"] == "interview.completed"
    assert payload["data"]["candidate"]["name"] == "Grace Hopper"
    assert payload["data"]["interview"]["status"] == "completed"
    assert payload["data"]["interview"]["url"] == (
        f"http://localhost:8000/interviews/{interview.pk}/"
    )
    assert link_secret not in request.body.decode()
    wait_until(
        lambda: Delivery.objects.get().status == Delivery.Status.SUCCEEDED,
        timeout=10,
        message="the delivery was not marked delivered",
    )
    (attempt,) = delivery.attempts.all()
    assert (attempt.status_code, attempt.response_excerpt) == (200, "ok")


def test_a_failing_receiver_gets_retries_with_growing_delays_until_it_answers(
    fast_retry_worker, receiver, caplog
):
    caplog.set_level(logging.DEBUG)
    long_error = b"Internal error: " + b"x" * 2000
    receiver.answers = [Answer(500, long_error)] * 3 + [Answer(200, b"thanks")]
    endpoint = services.endpoint_create(
        url=receiver.url, events=[Event.RESUME_PARSED], secret=SECRET
    )

    (delivery,) = services.event_publish(
        event=Event.RESUME_PARSED, data=lambda: {"resume": {"id": 1}}
    )

    requests = receiver.wait_for(4, timeout=40)
    gaps = [later.at - earlier.at for earlier, later in zip(requests, requests[1:], strict=False)]
    # 1, 2 and 4 seconds (WEBHOOK_RETRY_BASE_SECONDS=1, doubling).
    assert gaps[0] >= 0.9 and gaps[1] >= 1.8 and gaps[2] >= 3.6, gaps
    assert gaps[0] < gaps[1] < gaps[2], gaps
    assert {request.body for request in requests} == {requests[0].body}
    assert {request.headers["X-Webhook-Id"] for request in requests} == {str(delivery.pk)}
    wait_until(
        lambda: Delivery.objects.get().status == Delivery.Status.SUCCEEDED,
        timeout=10,
        message="the delivery was not marked delivered",
    )
    attempts = list(Delivery.objects.get().attempts.all())
    assert [attempt.status_code for attempt in attempts] == [500, 500, 500, 200]
    assert attempts[0].response_excerpt == long_error[:500].decode()
    assert attempts[-1].response_excerpt == "thanks"
    time.sleep(5)  # no further try comes once it was delivered
    assert len(receiver.received) == 4

    worker_log = fast_retry_worker.read_text()
    assert "delivery_send" in worker_log  # the log is the worker's, and it logged the tasks
    assert SECRET not in worker_log
    assert SECRET not in caplog.text
    assert endpoint.secret == SECRET

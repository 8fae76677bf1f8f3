"""Replays, tries that get no answer, and giving up at the end of the retry window."""

import json
import logging
import time

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.processes import free_port
from webhooks import services
from webhooks.models import Delivery, Event
from webhooks.tests.receiver import Answer

pytestmark = pytest.mark.django_db

SECRET = "whsec_replay-secret-0123456789abcdef"


def publish(url, event=Event.INTERVIEW_FAILED):
    services.endpoint_create(url=url, events=[event], secret=SECRET)
    (delivery,) = services.event_publish(event=event, data=lambda: {"interview": {"id": 3}})
    return delivery


def attempt(delivery):
    delivery.refresh_from_db()
    return services.delivery_attempt(delivery_id=delivery.pk, due=delivery.next_attempt_at)


def test_a_replay_sends_the_same_payload_and_id_with_a_new_signature(
    admin_client, receiver, readme_verify, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    delivery = publish(receiver.url)
    assert attempt(delivery) is None
    time.sleep(1.1)  # signatures carry whole seconds

    with django_capture_on_commit_callbacks() as enqueued:
        response = admin_client.post(
            reverse("webhooks:replay", args=[delivery.endpoint_id, delivery.pk]), follow=True
        )
    assert "is being sent again" in response.content.decode()
    assert len(enqueued) == 1
    assert attempt(delivery) is None

    first, second = receiver.received
    assert second.body == first.body
    assert json.loads(second.body)["id"] == str(delivery.pk)
    assert second.headers["X-Webhook-Id"] == first.headers["X-Webhook-Id"]
    assert second.headers["X-Webhook-Signature"] != first.headers["X-Webhook-Signature"]
    assert readme_verify(SECRET, second.body, second.headers["X-Webhook-Signature"])
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.replayed_at is not None
    assert delivery.attempts.count() == 2
    assert SECRET not in caplog.text


def test_a_try_that_was_already_made_is_not_made_again(receiver):
    delivery = publish(receiver.url)
    due = delivery.next_attempt_at

    services.delivery_attempt(delivery_id=delivery.pk, due=due)
    services.delivery_attempt(delivery_id=delivery.pk, due=due)

    assert len(receiver.received) == 1


def test_a_refused_connection_is_logged_in_plain_words_and_retried():
    port = free_port()
    delivery = publish(f"http://127.0.0.1:{port}/hooks")

    retry = attempt(delivery)

    assert retry.seconds == 30
    (failed,) = delivery.attempts.all()
    assert failed.status_code is None
    assert failed.error == (
        f"The connection was refused: nothing accepts connections at 127.0.0.1:{port}."
    )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.status_reason == failed.error


@override_settings(WEBHOOK_TIMEOUT_SECONDS=1)
def test_a_receiver_that_does_not_answer_in_time_counts_as_a_failed_try(receiver):
    receiver.answers = [Answer(200, b"late", delay=3)]
    delivery = publish(receiver.url)

    attempt(delivery)

    (failed,) = delivery.attempts.all()
    assert failed.error == "No answer came within 1 second."


def test_a_redirect_is_not_followed(receiver):
    receiver.answers = [Answer(302, b"")]
    delivery = publish(receiver.url)

    attempt(delivery)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert "a redirect, which is not followed" in delivery.status_reason
    assert len(receiver.received) == 1


@override_settings(WEBHOOK_RETRY_FOR_SECONDS=20, WEBHOOK_RETRY_BASE_SECONDS=30)
def test_tries_stop_at_the_end_of_the_retry_window(admin_client, receiver):
    receiver.answers = [Answer(503, b"maintenance")]
    delivery = publish(receiver.url)

    assert attempt(delivery) is None

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.status_reason == ("Gave up after 1 try. The endpoint answered HTTP 503.")
    page = admin_client.get(reverse("webhooks:detail", args=[delivery.endpoint_id]))
    assert "Gave up" in page.content.decode()


def test_a_disabled_endpoint_stops_the_deliveries_still_waiting(receiver):
    delivery = publish(receiver.url)
    services.endpoint_set_active(endpoint=delivery.endpoint, active=False)

    attempt(delivery)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "disabled" in delivery.status_reason
    assert receiver.received == []


def test_the_delay_doubles_up_to_its_cap():
    assert [services.retry_delay(n) for n in range(1, 9)] == [
        30, 60, 120, 240, 480, 960, 1800, 1800,
    ]  # fmt: skip

"""What each signal of the other apps turns into: which endpoints get it, and its payload."""

import json

import pytest
from django.test import override_settings

from agents.models import Interview
from agents.signals import interview_ended, report_finished
from resumes.signals import resume_parsed
from webhooks import services
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db

BASE = "https://interviews.example.com"


@pytest.fixture
def endpoints():
    return {
        event: services.endpoint_create(
            url=f"https://hooks.example.com/{event}", events=[event], secret="whsec_" + "s" * 20
        )
        for event in Event.values
    }


def sent(signal, captured, **kwargs):
    """The payloads of the deliveries the signal made; their tasks are enqueued after commit."""
    with captured() as callbacks:
        signal.send(sender=None, **kwargs)
    deliveries = list(Delivery.objects.order_by("event"))
    assert len(callbacks) == len(deliveries)
    return [(delivery.endpoint.events, json.loads(delivery.body)) for delivery in deliveries]


@override_settings(PUBLIC_BASE_URL=BASE)
def test_a_failed_interview_goes_to_the_endpoints_that_asked_for_it(
    endpoints, scheduled_interview, django_capture_on_commit_callbacks
):
    interview, link_secret = scheduled_interview
    Interview.objects.filter(pk=interview.pk).update(status="failed", status_reason="No audio.")

    ((events, payload),) = sent(
        interview_ended,
        django_capture_on_commit_callbacks,
        interview_id=interview.pk,
        status="failed",
    )

    assert events == ["interview.failed"]
    assert payload["type"] == "interview.failed"
    assert payload["data"]["interview"]["status_reason"] == "No audio."
    assert payload["data"]["candidate"] == {
        "id": interview.candidate_id,
        "name": "Grace Hopper",
        "url": f"{BASE}/candidates/{interview.candidate_id}/",
    }
    assert link_secret not in json.dumps(payload)


@override_settings(PUBLIC_BASE_URL=BASE)
def test_a_ready_report_is_announced_and_a_failed_one_is_not(
    endpoints, scheduled_interview, django_capture_on_commit_callbacks
):
    interview, _secret = scheduled_interview
    Interview.objects.filter(pk=interview.pk).update(
        report={"recommendation": "hire", "grounded": True, "summary": "Strong."}
    )

    assert (
        sent(
            report_finished,
            django_capture_on_commit_callbacks,
            interview_id=interview.pk,
            status="failed",
        )
        == []
    )
    ((events, payload),) = sent(
        report_finished,
        django_capture_on_commit_callbacks,
        interview_id=interview.pk,
        status="ready",
    )

    assert events == ["report.ready"]
    assert payload["data"]["report"]["recommendation"] == "hire"
    assert payload["data"]["report"]["url"] == f"{BASE}/interviews/{interview.pk}/#report"


@override_settings(PUBLIC_BASE_URL=BASE)
def test_a_parsed_resume_is_announced(
    endpoints, interview_candidate, django_capture_on_commit_callbacks
):
    resume = interview_candidate.resumes.get()

    ((events, payload),) = sent(
        resume_parsed, django_capture_on_commit_callbacks, resume_id=resume.pk
    )

    assert events == ["resume.parsed"]
    assert payload["data"]["resume"]["id"] == resume.pk
    assert payload["data"]["resume"]["status"] == "parsed"
    assert payload["data"]["candidate"]["name"] == "Grace Hopper"


def test_an_event_nobody_asked_for_makes_no_delivery(django_capture_on_commit_callbacks):
    services.endpoint_create(
        url="https://hooks.example.com/", events=[Event.REPORT_READY], secret="whsec_" + "s" * 20
    )

    with django_capture_on_commit_callbacks() as callbacks:
        resume_parsed.send(sender=None, resume_id=123456)

    assert callbacks == []
    assert not Delivery.objects.exists()

"""Reads for the webhook pages, and the `data` of each event's payload.

Payloads carry ids, statuses, the candidate's name and links to the recruiter pages on
PUBLIC_BASE_URL; never the candidate's interview link, whose secret lets anyone join.
"""

from django.conf import settings
from django.urls import reverse

from agents.models import Interview
from resumes.models import Resume
from webhooks.models import Delivery, Endpoint

# Secrets are decrypted only to sign a request, so one that no configured key decrypts
# stops that endpoint's deliveries, not the pages or the other endpoints.


def endpoint_list():
    return Endpoint.objects.defer("secret")


def endpoints_for_event(event):
    # Few endpoints exist, and JSON containment differs between PostgreSQL and SQLite.
    return [
        endpoint for endpoint in endpoint_list().filter(is_active=True) if event in endpoint.events
    ]


def endpoint_deliveries(*, endpoint):
    return Delivery.objects.filter(endpoint=endpoint).prefetch_related("attempts")


def _link(url_name, *args):
    return settings.PUBLIC_BASE_URL + reverse(url_name, args=args)


def _when(moment):
    return moment.isoformat() if moment else None


def _candidate(candidate):
    return {
        "id": candidate.pk,
        "name": candidate.name,
        "url": _link("resumes:detail", candidate.pk),
    }


def interview_event_data(*, interview_id):
    interview = Interview.objects.select_related("candidate").get(pk=interview_id)
    return {
        "interview": {
            "id": interview.pk,
            "status": interview.status,
            "status_reason": interview.status_reason,
            "role_title": interview.role_title,
            "job_id": interview.job_id,
            "started_at": _when(interview.started_at),
            "ended_at": _when(interview.ended_at),
            "report_status": interview.report_status,
            "url": _link("agents:interview_detail", interview.pk),
            "transcript_url": _link("agents:transcript_json", interview.pk),
        },
        "candidate": _candidate(interview.candidate),
    }


def report_event_data(*, interview_id):
    data = interview_event_data(interview_id=interview_id)
    report = Interview.objects.values_list("report", flat=True).get(pk=interview_id) or {}
    data["report"] = {
        "recommendation": report.get("recommendation"),
        "grounded": report.get("grounded"),
        "generated_at": report.get("generated_at"),
        "url": data["interview"]["url"] + "#report",
    }
    return data


def resume_event_data(*, resume_id):
    resume = Resume.objects.select_related("candidate").get(pk=resume_id)
    return {
        "resume": {
            "id": resume.pk,
            "status": resume.status,
            "original_name": resume.original_name,
            "parsed_at": _when(resume.parsed_at),
            "file_url": _link("resumes:file", resume.pk),
        },
        "candidate": _candidate(resume.candidate),
    }

"""The interview report: a structured assessment the profile's LLM writes after the interview."""

from django.db import transaction

from agents.models import Interview


def report_request(*, interview_id):
    """Mark the report as being written and enqueue its task once the caller commits."""
    Interview.objects.filter(pk=interview_id).update(
        report_status=Interview.ReportStatus.PENDING, report_error=""
    )
    from agents.tasks import interview_report_write

    transaction.on_commit(lambda: interview_report_write.delay(interview_id))


def report_write(*, interview_id):
    """Ask the LLM for the report, validate it and store it (filled in below)."""
    raise NotImplementedError

from celery import shared_task

from agents import reports


@shared_task(acks_late=True)
def interview_report_write(interview_id):
    reports.report_write(interview_id=interview_id)

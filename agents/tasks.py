from celery import shared_task

from agents import reconciler, recordings, reports


@shared_task(bind=True, max_retries=None, ignore_result=True, acks_late=True)
def interview_report_write(self, interview_id, failures=0):
    """Write one interview's report; the retry budget is counted by the service, from the
    tries that failed (waits for the model server are retries too, but spend none of it)."""
    outcome = reports.report_write(interview_id=interview_id, retries_done=failures)
    if outcome is not None:
        raise self.retry(
            countdown=outcome.seconds, kwargs={"failures": failures + int(outcome.failed)}
        )


@shared_task(ignore_result=True)
def interviews_reconcile():
    """Fail interviews whose interviewer died and reports whose task was lost (run by beat)."""
    reconciler.interviews_reconcile()


@shared_task(ignore_result=True)
def recordings_expire():
    """Delete recordings past RECORDING_RETENTION_DAYS (run by beat); transcripts stay."""
    recordings.recordings_expire()

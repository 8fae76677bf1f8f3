from celery import shared_task

from resumes import services


@shared_task(bind=True, max_retries=None, ignore_result=True)
def resume_parse(self, attempt_id):
    """Extract and parse one resume; the retry budget lives in the attempt row, not here."""
    outcome = services.attempt_run(attempt_id=attempt_id)
    if outcome is not None:
        raise self.retry(countdown=outcome.seconds)

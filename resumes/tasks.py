from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded

from resumes import reconciler, services


class ResumeParseTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # At the hard time limit the pool process is killed, so the task's own
        # code never learns of it: the worker's main process calls this instead.
        # The soft limit is handled inside attempt_run, unless it strikes outside it.
        if isinstance(exc, (TimeLimitExceeded, SoftTimeLimitExceeded)):
            attempt_id = args[0] if args else kwargs["attempt_id"]
            services.attempt_time_out(
                attempt_id=attempt_id, hard=isinstance(exc, TimeLimitExceeded)
            )


@shared_task(bind=True, base=ResumeParseTask, max_retries=None, ignore_result=True)
def resume_parse(self, attempt_id):
    """Extract and parse one resume; the retry budget lives in the attempt row, not here."""
    outcome = services.attempt_run(attempt_id=attempt_id)
    if outcome is not None:
        raise self.retry(countdown=outcome.seconds)


@shared_task(ignore_result=True)
def resumes_reconcile():
    """Hand parse attempts whose task was lost to a new one, or fail them (run by beat)."""
    reconciler.resumes_reconcile()

from celery import shared_task

from notifications import services


@shared_task(bind=True, max_retries=None, ignore_result=True, acks_late=True)
def mail_send(self, mail_id):
    """Send one queued mail; the attempts are counted on its row by the service."""
    delay = services.mail_send(mail_id=mail_id)
    if delay is not None:
        raise self.retry(countdown=delay)


@shared_task(ignore_result=True)
def invitation_reminders_send():
    """Remind candidates whose link expires within a day (run by beat)."""
    services.reminders_queue()

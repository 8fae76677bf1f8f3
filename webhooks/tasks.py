from datetime import datetime

from celery import shared_task

from webhooks import services


@shared_task(bind=True, max_retries=None, ignore_result=True, acks_late=True)
def delivery_send(self, delivery_id, due):
    """One try of a delivery; the service decides whether and when the next one comes."""
    retry = services.delivery_attempt(delivery_id=delivery_id, due=datetime.fromisoformat(due))
    if retry is not None:
        raise self.retry(countdown=retry.seconds, args=(delivery_id, retry.due.isoformat()))


@shared_task(ignore_result=True)
def deliveries_reconcile():
    """Resume deliveries whose task was lost (run by beat)."""
    services.deliveries_reconcile()

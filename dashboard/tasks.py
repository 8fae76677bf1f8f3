from celery import shared_task


@shared_task
def worker_ping(value):
    """Round trip used by health checks: proves a worker is consuming."""
    return {"pong": value}

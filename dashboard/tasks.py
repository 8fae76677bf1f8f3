from celery import shared_task


@shared_task
def worker_ping(value):
    """Round trip used by health checks: proves a worker is consuming."""
    return {"pong": value}


@shared_task
def profile_check_connections(profile_id, run=None):
    """Test every endpoint of a profile; results are stored on it and streamed to the page.

    Returns ids and an outcome only: messages stay on the profile row, where only
    admins read them, and keys never leave it.
    """
    from dashboard.services import profile_run_checks

    outcome = profile_run_checks(profile_id=profile_id, run=run)
    return {"profile_id": profile_id, "run": run, "outcome": outcome}

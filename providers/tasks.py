from celery import shared_task

from providers.services import profile_run_checks


@shared_task
def profile_check_connections(profile_id, run=None):
    """Test every endpoint of a profile; results are stored on it and streamed to the page.

    Returns ids and an outcome only: messages stay on the profile row, where only
    admins read them, and keys never leave it.
    """
    outcome = profile_run_checks(profile_id=profile_id, run=run)
    return {"profile_id": profile_id, "run": run, "outcome": outcome}

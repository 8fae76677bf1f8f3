"""Parse attempts whose task was lost, put right by a periodic task.

An open attempt that no living task will finish is handed to a new task, or,
once deliveries have died holding it as often as resume parsing allows,
failed with the reason. The counting is resume parsing's own
(resumes.services): a hand-over here is not a transient failure, so the
delivery that died still counts as one.

When is a task lost? A running attempt's delivery is dead once the task's
hard time limit is over (a living one would have been stopped there), which
is minutes, where the broker would wait for its hour-long visibility timeout
before delivering the task again. A waiting one also had its retry's
countdown. A queued one may just wait behind a long queue, so only one older
than the visibility timeout lost its message (Redis restarted without its data).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from resumes import services
from resumes.models import ParseAttempt

logger = logging.getLogger(__name__)

# Past the time limit, for clocks of different machines and the moments around a claim.
DEAD_AFTER_LIMIT_SECONDS = 60


def _lost_after():
    """Seconds after its last claim (or creation) from which each open outcome has lost its task."""
    lease = services._lease_seconds()
    limit = settings.CELERY_TASK_TIME_LIMIT
    if not limit:
        return dict.fromkeys(ParseAttempt.OPEN, lease)
    running = min(lease, limit + DEAD_AFTER_LIMIT_SECONDS)
    return {
        ParseAttempt.Outcome.QUEUED: lease,
        ParseAttempt.Outcome.RUNNING: running,
        ParseAttempt.Outcome.WAITING: min(
            lease, running + services.retry_setting("RESUME_RETRY_MAX_SECONDS")
        ),
    }


def resumes_reconcile(*, now=None):
    """(attempts handed to a new task, attempts failed)."""
    now = now or timezone.now()
    lost = Q()
    for outcome, seconds in _lost_after().items():
        cutoff = now - timedelta(seconds=seconds)
        lost |= Q(outcome=outcome) & (
            Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, created_at__lt=cutoff)
        )
    resent, failed = [], []
    for attempt in ParseAttempt.objects.filter(lost).select_related("resume__candidate"):
        # Only while nothing else moved it since it was read.
        unchanged = Q(
            outcome=attempt.outcome, claimed_at=attempt.claimed_at, deliveries=attempt.deliveries
        )
        died = attempt.deliveries - attempt.transient_failures
        if attempt.outcome == ParseAttempt.Outcome.RUNNING and died >= services.MAX_LOST_DELIVERIES:
            logger.warning(
                "Parse attempt %s given up: %s deliveries died holding it", attempt.pk, died
            )
            services._attempt_abandon(attempt, services.STOPPED_THE_WORKER, only=unchanged)
            failed.append(attempt.pk)
            continue
        with transaction.atomic():
            # Waiting, it is claimed by whichever delivery comes first (this task's, or the
            # broker's own once its visibility timeout is over); the new claim time keeps
            # the next run from sending it again.
            if ParseAttempt.objects.filter(unchanged, pk=attempt.pk).update(
                outcome=ParseAttempt.Outcome.WAITING
                if attempt.outcome == ParseAttempt.Outcome.RUNNING
                else attempt.outcome,
                claimed_at=now,
            ):
                logger.warning("Parse attempt %s lost its task; sending a new one", attempt.pk)
                transaction.on_commit(
                    lambda attempt_id=attempt.pk: services._attempt_enqueue(attempt_id=attempt_id)
                )
                resent.append(attempt.pk)
    return resent, failed

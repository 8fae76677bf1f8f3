"""Parse attempts whose task was lost, put right by a periodic task.

An open attempt nobody has touched for longer than its lease has no task that
will finish it: the broker's copy was lost (Redis restarted without its data)
or every delivery died. It is handed to a new task, or, once deliveries have
died holding it as often as resume parsing allows, failed with the reason.
The counting is resume parsing's own (resumes.services): a hand-over here is
not a transient failure, so the delivery that died still counts as one.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from resumes import services
from resumes.models import ParseAttempt

logger = logging.getLogger(__name__)


def resumes_reconcile(*, now=None):
    """(attempts handed to a new task, attempts failed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=services._lease_seconds())
    stale = Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, created_at__lt=cutoff)
    resent, failed = [], []
    stuck = ParseAttempt.objects.filter(stale, outcome__in=ParseAttempt.OPEN)
    for attempt in stuck.select_related("resume__candidate"):
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
            # A waiting attempt is claimed by whichever delivery comes first; the new
            # claim time keeps the next run from sending it again.
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

"""Interviews and reports a dead process left behind, put right by a periodic task.

A live interview whose agent went quiet (the worker was killed, its machine
lost power, the end of the interview could not be stored) is failed and its
room closed, so its link stops working and its report is asked for. A
candidate who asked to join long ago and never connected gets their interview
back as scheduled. A report whose task was lost is failed with its reason,
and the page's retry writes it again.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from agents import rooms, services
from agents.models import Interview
from agents.transcripts import interview_part_changed, interview_status_broadcast

logger = logging.getLogger(__name__)

INTERVIEWER_STOPPED = "The interviewer stopped unexpectedly."
NEVER_CONNECTED = "The candidate asked to join but never connected; their link still works."
REPORT_LOST = (
    "Writing the report stopped without finishing (its task was lost: a worker or the task "
    "queue stopped). Retry to write it again."
)


@dataclass
class Reconciled:
    failed: list = field(default_factory=list)
    rescheduled: list = field(default_factory=list)
    reports_failed: list = field(default_factory=list)
    rooms_left_open: list = field(default_factory=list)


def interviews_reconcile(*, now=None):
    """Put right every interview and report that nothing is working on any more."""
    now = now or timezone.now()
    outcome = Reconciled()
    for interview_id, room_name in _silent_live_interviews(now):
        if not _fail_if_still_silent(interview_id, now):
            continue
        outcome.failed.append(interview_id)
        try:
            async_to_sync(rooms.room_delete)(room_name=room_name)
        except rooms.LiveKitUnavailable as exc:
            # The candidate's page learns of the failure and leaves; an empty room closes itself.
            logger.warning("interview %s failed but its room stays open: %s", interview_id, exc)
            outcome.rooms_left_open.append(interview_id)
    outcome.rescheduled = _reschedule_never_connected(now)
    outcome.reports_failed = _fail_lost_reports(now)
    return outcome


def _heartbeat_cutoff(now):
    return now - timedelta(seconds=settings.AGENT_HEARTBEAT_STALE_SECONDS)


def _silent(now):
    # Before the first heartbeat, the interview's start is the last sign of life.
    last_sign = Coalesce("agent_heartbeat_at", "started_at", "joined_at", "created_at")
    return Q(status=Interview.Status.LIVE, last_sign__lt=_heartbeat_cutoff(now)), last_sign


def _silent_live_interviews(now):
    condition, last_sign = _silent(now)
    return list(
        Interview.objects.alias(last_sign=last_sign)
        .filter(condition)
        .values_list("pk", "room_name")
    )


def _fail_if_still_silent(interview_id, now):
    """Fail the interview unless its agent spoke up since it was picked."""
    condition, last_sign = _silent(now)
    with transaction.atomic():
        silent = (
            Interview.objects.select_for_update()
            .alias(last_sign=last_sign)
            .filter(condition, pk=interview_id)
            .exists()
        )
        if not silent:
            return False
        logger.warning("interview %s: its agent stopped sending heartbeats", interview_id)
        return services.interview_mark_failed(interview_id=interview_id, reason=INTERVIEWER_STOPPED)


def _reschedule_never_connected(now):
    """Waiting interviews whose interviewer has long given up on the candidate.

    Nothing failed: the agent itself gives the room up after the join timeout and
    the link keeps working. Clearing `joined_at` lets the next join count afresh.
    """
    cutoff = now - timedelta(
        seconds=settings.AGENT_CANDIDATE_JOIN_TIMEOUT_SECONDS
        + settings.AGENT_HEARTBEAT_STALE_SECONDS
    )
    stuck = Interview.objects.filter(status=Interview.Status.WAITING, joined_at__lt=cutoff)
    rescheduled = []
    for interview_id in stuck.values_list("pk", flat=True):
        with transaction.atomic():
            moved = stuck.filter(pk=interview_id).update(
                status=Interview.Status.SCHEDULED, status_reason=NEVER_CONNECTED, joined_at=None
            )
            if moved:
                interview_status_broadcast(
                    interview_id=interview_id,
                    status=Interview.Status.SCHEDULED,
                    reason=NEVER_CONNECTED,
                )
                rescheduled.append(interview_id)
    return rescheduled


def _fail_lost_reports(now):
    cutoff = now - timedelta(seconds=settings.REPORT_PENDING_TIMEOUT_SECONDS)
    # Reports asked for before the request time was stored were asked for as the interview ended.
    lost = Interview.objects.alias(
        requested_at=Coalesce("report_requested_at", "ended_at", "created_at")
    ).filter(report_status=Interview.ReportStatus.PENDING, requested_at__lt=cutoff)
    failed = []
    for interview_id in lost.values_list("pk", flat=True):
        with transaction.atomic():
            if lost.filter(pk=interview_id).update(
                report_status=Interview.ReportStatus.FAILED, report_error=REPORT_LOST
            ):
                interview_part_changed(interview_id=interview_id, part="report")
                failed.append(interview_id)
    return failed

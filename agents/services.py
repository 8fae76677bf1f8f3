"""Writes about interviews: creating them, the candidate link, joining, and the status lifecycle."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import async_to_sync
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from agents import reports, rooms
from agents.models import Interview
from agents.plans import plan_adhoc, plan_parse
from agents.selectors import (
    ENDED_STATUSES,
    candidate_latest_parsed_resume,
    interview_link_problem,
)
from agents.signals import interview_ended, interview_link_issued, send_on_commit
from agents.transcripts import interview_part_changed, interview_status_broadcast
from dashboard.links import link_secret_hash, link_secret_new
from providers.secrets import encrypt, reencrypt
from providers.selectors import profile_get_active
from providers.services import profile_snapshot, snapshot_rotate_secrets

logger = logging.getLogger(__name__)

LINK_VALID_FOR = timedelta(days=7)


class InterviewUnavailable(Exception):
    """The candidate link can't be used now; the message says why in plain words."""


@dataclass(frozen=True)
class Cancellation:
    interview: Interview
    # LiveKit could not be reached to close the room: a session under way may go on.
    room_left_open: bool = False


@dataclass(frozen=True)
class JoinDetails:
    url: str
    token: str
    room_name: str
    identity: str


@transaction.atomic
def interview_create(
    *,
    candidate,
    role_title,
    job_description="",
    max_duration_minutes=20,
    created_by=None,
    resume=None,
    profile=None,
    link_valid_for=LINK_VALID_FOR,
    job=None,
    plan=None,
    rubric=None,
):
    """Create an interview on the active profile. Returns (interview, link_secret).

    `plan` and `rubric` (dicts, see agents.plans) are copied into the interview; without
    them it gets the ad-hoc plan made from the role and the job description, and its
    time limit is the plan's. The link secret is only returned here (and when
    regenerated): the database keeps its hash.
    """
    profile = profile or profile_get_active()
    if plan is None or rubric is None:
        plan, rubric = plan_adhoc(
            role_title=role_title,
            job_description=job_description,
            max_minutes=max_duration_minutes,
        )
    else:
        max_duration_minutes = plan_parse(plan).time_limit_minutes
    secret = link_secret_new()
    interview = Interview.objects.create(
        candidate=candidate,
        resume=resume or candidate_latest_parsed_resume(candidate),
        role_title=role_title,
        job_description=job_description,
        max_duration_minutes=max_duration_minutes,
        job=job,
        plan=plan,
        rubric=rubric,
        profile_snapshot=profile_snapshot(profile),
        profile_name=profile.name,
        room_name=f"interview-{uuid.uuid4().hex}",
        join_secret_hash=link_secret_hash(secret),
        join_secret_encrypted=encrypt(secret),
        link_expires_at=timezone.now() + link_valid_for,
        created_by=created_by,
        # Both must allow it; copied so later edits never change what the candidate was told.
        recording_enabled=profile.record_interviews and (job is None or job.record_interviews),
    )
    send_on_commit(interview_link_issued, interview_id=interview.pk)
    return interview, secret


@transaction.atomic
def interview_link_regenerate(*, interview, link_valid_for=LINK_VALID_FOR):
    """A new candidate link (the old one stops working). Returns the new secret."""
    if interview.status == Interview.Status.LIVE:
        # The candidate rejoins a dropped interview with the link they have.
        raise InterviewUnavailable(
            "This interview is in progress, so its link can't be replaced: the candidate "
            "uses it to come back if their connection drops. Cancel the interview to stop it."
        )
    if interview.status in ENDED_STATUSES and interview.status != Interview.Status.EXPIRED:
        raise InterviewUnavailable(
            f"This interview is {interview.get_status_display().lower()}; "
            "create a new interview instead of a new link."
        )
    secret = link_secret_new()
    interview.join_secret_hash = link_secret_hash(secret)
    interview.join_secret_encrypted = encrypt(secret)
    interview.link_expires_at = timezone.now() + link_valid_for
    fields = ["join_secret_hash", "join_secret_encrypted", "link_expires_at"]
    if interview.status == Interview.Status.EXPIRED:
        interview.status = Interview.Status.SCHEDULED
        interview.status_reason = ""
        fields += ["status", "status_reason"]
    interview.save(update_fields=fields)
    send_on_commit(interview_link_issued, interview_id=interview.pk)
    return secret


# A room may exist (and hold the candidate and an interviewer) once the candidate joined.
_ROOM_STATUSES = (Interview.Status.WAITING, Interview.Status.LIVE)


def interview_cancel(*, interview, reason="Cancelled by the recruiter."):
    """Cancel the interview; one under way also loses its room, so the session ends now.

    The cancellation stands even when LiveKit can't be reached (the room then
    closes itself once empty, and the candidate's link no longer works).
    """
    if interview.status in ENDED_STATUSES:
        raise InterviewUnavailable(
            f"This interview is already {interview.get_status_display().lower()}."
        )
    with transaction.atomic():
        previous = (
            Interview.objects.select_for_update()
            .values_list("status", flat=True)
            .get(pk=interview.pk)
        )
        cancelled = _set_status(interview.pk, Interview.Status.CANCELLED, reason, ended=True)
    interview.refresh_from_db()
    # Outside the transaction: the cancellation is saved whatever LiveKit answers.
    if cancelled and previous in _ROOM_STATUSES:
        try:
            async_to_sync(rooms.room_delete)(room_name=interview.room_name)
        except rooms.LiveKitUnavailable as exc:
            logger.warning(
                "interview %s is cancelled but its room could not be closed: %s",
                interview.pk,
                exc,
            )
            return Cancellation(interview, room_left_open=True)
    return Cancellation(interview)


def interview_join(*, interview):
    """Everything a candidate's browser needs to join: room ready, interviewer dispatched once.

    Raises InterviewUnavailable with a plain-words reason when the link can't
    be used, and rooms.LiveKitUnavailable when the server can't be reached.
    """
    problem = interview_link_problem(interview)
    if problem:
        raise InterviewUnavailable(problem)
    async_to_sync(rooms.room_prepare)(interview=interview)
    interview_mark_waiting(interview_id=interview.pk)
    return JoinDetails(
        url=settings.LIVEKIT_PUBLIC_URL,
        token=rooms.candidate_token(interview=interview),
        room_name=interview.room_name,
        identity=rooms.candidate_identity(interview),
    )


def _set_status(interview_id, status, reason="", *, ended=False, only_from=None, **timestamps):
    """Move an interview to `status` unless it is already over; True when it changed."""
    with transaction.atomic():
        interview = Interview.objects.select_for_update().get(pk=interview_id)
        if interview.status in ENDED_STATUSES or (
            only_from is not None and interview.status not in only_from
        ):
            return False
        interview.status = status
        interview.status_reason = reason
        fields = ["status", "status_reason"]
        if ended:
            interview.ended_at = timezone.now()
            fields.append("ended_at")
        for name, value in timestamps.items():
            if getattr(interview, name) is None:
                setattr(interview, name, value)
                fields.append(name)
        interview.save(update_fields=fields)
        interview_status_broadcast(interview_id=interview_id, status=status, reason=reason)
        return True


def interview_mark_waiting(*, interview_id):
    """The candidate opened the room; the interviewer is on its way."""
    return _set_status(
        interview_id,
        Interview.Status.WAITING,
        only_from=(Interview.Status.SCHEDULED,),
        joined_at=timezone.now(),
    )


def interview_mark_live(*, interview_id):
    """Candidate and interviewer are both in the room."""
    return _set_status(
        interview_id,
        Interview.Status.LIVE,
        only_from=(Interview.Status.SCHEDULED, Interview.Status.WAITING),
        started_at=timezone.now(),
    )


def interview_end(*, interview_id, status, reason):
    """End the interview (completed or failed) and ask for its report when there is a transcript."""
    if status not in (Interview.Status.COMPLETED, Interview.Status.FAILED):
        raise ValueError(f"An interview ends as completed or failed, not {status!r}.")
    with transaction.atomic():
        changed = _set_status(interview_id, status, reason, ended=True)
        if changed and Interview.objects.get(pk=interview_id).segments.exists():
            reports.report_request(interview_id=interview_id)
        if changed:
            send_on_commit(interview_ended, interview_id=interview_id, status=status)
    return changed


def interview_mark_completed(*, interview_id, reason):
    return interview_end(
        interview_id=interview_id, status=Interview.Status.COMPLETED, reason=reason
    )


def interview_mark_failed(*, interview_id, reason):
    return interview_end(interview_id=interview_id, status=Interview.Status.FAILED, reason=reason)


def interview_mark_expired(*, interview_id):
    """The link expired before the interview started."""
    return _set_status(
        interview_id,
        Interview.Status.EXPIRED,
        "The candidate link expired before the interview took place.",
        only_from=(Interview.Status.SCHEDULED, Interview.Status.WAITING),
    )


def interview_heartbeat(*, interview_id):
    """The worker is still running this interview (the reconciler fails ones that go quiet)."""
    Interview.objects.filter(pk=interview_id, status=Interview.Status.LIVE).update(
        agent_heartbeat_at=timezone.now()
    )


def interview_progress_save(*, interview_id, progress):
    """Where the interviewer is in the plan, for the recruiter's page (open pages follow)."""
    Interview.objects.filter(pk=interview_id).update(progress=progress)
    interview_part_changed(interview_id=interview_id, part="progress")


def interview_gate_fallback_count(*, interview_id):
    """The speech gate spoke a fixed line instead of the model's words once more."""
    Interview.objects.filter(pk=interview_id).update(gate_fallbacks=F("gate_fallbacks") + 1)


def interview_record_avatar_failure(*, interview_id, reason):
    """The video avatar didn't work; the interview goes on with audio only."""
    Interview.objects.filter(pk=interview_id).update(avatar_error=reason)


def interview_snapshots_rotate_secrets():
    """Re-encrypt the keys in every interview's profile snapshot, and its candidate link, with
    the first configured key.

    Returns (interviews re-encrypted, ["interview N: field", ...] that could not be decrypted).
    """
    rotated, unreadable = 0, []
    ids = (
        Interview.objects.exclude(profile_snapshot__secrets={}, join_secret_encrypted="")
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    for interview_id in ids.iterator():
        with transaction.atomic():
            interview = (
                Interview.objects.select_for_update()
                .only("profile_snapshot", "join_secret_encrypted")
                .get(pk=interview_id)
            )
            snapshot, lost = snapshot_rotate_secrets(interview.profile_snapshot)
            unreadable += [f"interview {interview_id}: {name}" for name in lost]
            link = interview.join_secret_encrypted
            if link:
                try:
                    link = reencrypt(link)
                except InvalidToken:
                    unreadable.append(f"interview {interview_id}: candidate link (make a new one)")
            changes = {}
            if snapshot != interview.profile_snapshot:
                changes["profile_snapshot"] = snapshot
            if link != interview.join_secret_encrypted:
                changes["join_secret_encrypted"] = link
            if changes:
                Interview.objects.filter(pk=interview_id).update(**changes)
                rotated += 1
    return rotated, unreadable

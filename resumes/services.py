import functools
import hashlib
import logging
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone

from dashboard.live import broadcast
from providers import llm_json, llm_slots
from providers.llm_json import PermanentLLMError, TransientLLMError
from providers.selectors import NoActiveProfile, profile_get_active
from resumes import selectors
from resumes.extraction import SUPPORTED, ExtractionError, UnsupportedFile, detect_kind, extract
from resumes.grounding import ground
from resumes.models import Candidate, KeptApart, ParseAttempt, Resume
from resumes.parsing import ParseRun, parse_text
from resumes.signals import resume_parsed

logger = logging.getLogger(__name__)

CHIPS = {
    Resume.Status.UPLOADED: "chip-muted",
    Resume.Status.EXTRACTING: "chip-warn",
    Resume.Status.PARSING: "chip-warn",
    Resume.Status.PARSED: "chip-ok",
    Resume.Status.FAILED: "chip-bad",
}


def status_chip(resume):
    """The chip class for the resume's status; parsed with gaps is a warning, not green."""
    if resume.status == Resume.Status.PARSED and resume.has_gaps:
        return "chip-warn"
    return CHIPS[resume.status]


def retry_setting(name):
    defaults = {
        "RESUME_LLM_MAX_RETRIES": 5,
        "RESUME_RETRY_BASE_SECONDS": 2.0,
        "RESUME_RETRY_MAX_SECONDS": 300.0,
    }
    return getattr(settings, name, defaults[name])


class UploadRejected(Exception):
    pass


@dataclass
class UploadResult:
    resume: Resume
    duplicate: bool


def resume_upload(*, uploaded_file, user):
    """Store an uploaded resume and queue its parsing; a file seen before is not stored twice."""
    name = uploaded_file.name or "resume"
    limit_mb = getattr(settings, "RESUME_MAX_UPLOAD_MB", 10)
    if uploaded_file.size > limit_mb * 1024 * 1024:
        raise UploadRejected(
            f"\u201c{name}\u201d is {uploaded_file.size / 1024 / 1024:.1f} MB; "
            f"the limit is {limit_mb} MB."
        )
    if uploaded_file.size == 0:
        raise UploadRejected(f"\u201c{name}\u201d is empty (0 bytes).")
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    existing = Resume.objects.filter(sha256=sha256).select_related("candidate").first()
    if existing is not None:
        return UploadResult(existing, duplicate=True)
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)

    def open_zip():
        uploaded_file.seek(0)
        return zipfile.ZipFile(uploaded_file)

    try:
        kind = detect_kind(head, open_zip, name=name)
    except UnsupportedFile as exc:
        raise UploadRejected(f"\u201c{name}\u201d was not uploaded. {exc}") from None
    uploaded_file.seek(0)
    resume = Resume(
        original_name=name[:255],
        kind=kind,
        content_type=SUPPORTED[kind],
        size=uploaded_file.size,
        sha256=sha256,
        uploaded_by=user,
    )
    # The stored name comes from the detected type: the uploaded name may lie.
    resume.file.save(f"{uuid.uuid4().hex}.{kind}", uploaded_file, save=False)
    try:
        with transaction.atomic():
            resume.candidate = Candidate.objects.create(created_by=user)
            resume.save()
            _attempt_create(resume=resume, user=user)
    except IntegrityError:
        # The same file uploaded twice at once: the other request won.
        resume.file.delete(save=False)
        existing = Resume.objects.filter(sha256=sha256).select_related("candidate").first()
        if existing is None:
            raise
        return UploadResult(existing, duplicate=True)
    return UploadResult(resume, duplicate=False)


def _attempt_create(*, resume, user):
    try:
        profile = profile_get_active()
    except NoActiveProfile:
        profile = None
    attempt = ParseAttempt.objects.create(
        resume=resume,
        profile=profile,
        profile_name=profile.name if profile else "",
        model=profile.llm_model if profile else "",
        requested_by=user,
    )
    transaction.on_commit(lambda: _attempt_enqueue(attempt_id=attempt.pk))
    _announce(resume)
    return attempt


def _attempt_enqueue(*, attempt_id):
    from resumes.tasks import resume_parse

    try:
        resume_parse.delay(attempt_id)
    except Exception:
        # Without this the resume would wait forever for a task that was never sent.
        logger.exception("Could not queue parse attempt %s", attempt_id)
        attempt = ParseAttempt.objects.select_related("resume__candidate").get(pk=attempt_id)
        _attempt_abandon(
            attempt,
            "The task queue could not be reached, so parsing never started. "
            "Re-parse once it is back.",
        )


def _attempt_abandon(attempt, error, *, only=None):
    """Fail an open attempt that no delivery will finish (`only` narrows which state)."""
    now = timezone.now()
    with transaction.atomic():
        abandoned = ParseAttempt.objects.filter(
            only or Q(), pk=attempt.pk, outcome__in=ParseAttempt.OPEN
        ).update(outcome=ParseAttempt.Outcome.FAILED, error=error, finished_at=now)
        if abandoned:
            resume = attempt.resume
            resume.status = Resume.Status.FAILED
            resume.failure_reason = error
            Resume.objects.filter(pk=resume.pk).update(
                status=resume.status, failure_reason=error, updated_at=now
            )
            _announce(resume)


class ReparseRefused(Exception):
    pass


@transaction.atomic
def resume_reparse(*, resume, user):
    """Parse again with the active profile; the earlier attempts stay in the history."""
    resume = Resume.objects.select_for_update().get(pk=resume.pk)
    # An open attempt nobody has touched for longer than a redelivery takes
    # lost its task (the broker's data was wiped, say): it must not block re-parsing.
    stale_before = timezone.now() - timedelta(seconds=_lease_seconds())
    for attempt in resume.attempts.filter(outcome__in=ParseAttempt.OPEN):
        if (attempt.claimed_at or attempt.created_at) >= stale_before:
            raise ReparseRefused("This resume is already being parsed; wait for it to finish.")
        attempt.resume = resume
        _attempt_abandon(attempt, "Abandoned: its task was lost before it finished.")
    resume.status = Resume.Status.UPLOADED
    resume.failure_reason = ""
    resume.save(update_fields=["status", "failure_reason", "updated_at"])
    return _attempt_create(resume=resume, user=user)


def _announce(resume):
    payload = {
        "id": resume.pk,
        "candidate_id": resume.candidate_id,
        "status": resume.status,
        "status_label": resume.status_label,
        "chip": status_chip(resume),
        "reason": resume.failure_reason,
        "name": resume.candidate.name if resume.status == Resume.Status.PARSED else "",
    }
    transaction.on_commit(
        lambda: _broadcaster().submit(broadcast, "resumes", "resume.status", payload)
    )


@functools.cache
def _broadcaster():
    # Sending through the channel layer costs a few milliseconds (a Redis
    # round trip from a fresh event loop); one background thread keeps that off
    # the worker's path and keeps the updates in order. Made on first use, so
    # Celery's forked children each get their own.
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="resume-live")


@dataclass
class RetryIn:
    seconds: float


def attempt_run(*, attempt_id):
    """Run one parse attempt as far as it can go now.

    Returns None when the attempt is finished (or was already), or RetryIn when
    it must run again later (a transient model error, or another delivery of
    the same task still holding it). Safe to call any number of times: only a
    delivery that claims the attempt does work, and only the latest claim may
    finish it.
    """
    started = time.perf_counter()
    slot = _attempt_slot(attempt_id)
    if isinstance(slot, llm_slots.Busy):
        return RetryIn(slot.seconds)
    try:
        claim = _attempt_claim(attempt_id)
        if not isinstance(claim, ParseAttempt):
            return claim
        return _attempt_run_claimed(claim, started)
    finally:
        if slot is not None:
            slot.release()


def _attempt_slot(attempt_id):
    """A batch slot on the model server the attempt will use (see providers.llm_slots), Busy
    while it must wait (its resume then says why), or None when no server is known yet."""
    attempt = (
        ParseAttempt.objects.filter(pk=attempt_id, outcome__in=ParseAttempt.OPEN)
        .select_related("profile", "resume__candidate")
        .first()
    )
    if attempt is None:
        return None
    profile = attempt.profile
    if profile is None:
        try:
            profile = profile_get_active()
        except NoActiveProfile:
            return None
    slot = llm_slots.batch_slot_take(
        base_url=profile.llm_base_url, job=f"resume-attempt:{attempt_id}"
    )
    # A running attempt's resume shows its own progress; this is a second delivery of it.
    if isinstance(slot, llm_slots.Busy) and attempt.outcome != ParseAttempt.Outcome.RUNNING:
        _resume_show_wait(attempt.resume, slot.reason)
    return slot


def _resume_show_wait(resume, reason):
    """Show why a resume has not started yet; its claim clears the reason again."""
    updated = (
        Resume.objects.filter(pk=resume.pk, status__in=Resume.IN_PROGRESS)
        .exclude(status=Resume.Status.UPLOADED, failure_reason=reason)
        .update(status=Resume.Status.UPLOADED, failure_reason=reason, updated_at=timezone.now())
    )
    if updated:
        resume.status, resume.failure_reason = Resume.Status.UPLOADED, reason
        _announce(resume)


def _attempt_run_claimed(attempt, started):
    resume = attempt.resume
    try:
        return _attempt_work(attempt, resume, started)
    except SoftTimeLimitExceeded:
        logger.warning("Parse attempt %s stopped at the task's soft time limit", attempt.pk)
        # The limit may have struck in the middle of a query.
        if not connection.in_atomic_block:
            connection.close()
        _attempt_finish(attempt, resume, error=took_too_long(), started=started)
        return None
    except Exception:
        logger.exception("Parse attempt %s stopped by an unexpected error", attempt.pk)
        _attempt_finish(
            attempt,
            resume,
            error="An unexpected error stopped the parse. Re-parse to try again; if it keeps "
            "failing, tell an admin.",
            started=started,
        )
        return None


def took_too_long(*, hard=False):
    """Why an attempt stopped at the task's time limit, for the recruiter."""
    name = "CELERY_TASK_TIME_LIMIT" if hard else "CELERY_TASK_SOFT_TIME_LIMIT"
    limit = getattr(settings, name, 0)
    after = f" after {_duration(limit)}, the longest a parse may take" if limit else ""
    return (
        f"Parsing this resume was stopped{after}. Re-parse to try again; if it is stopped again, "
        "the model server may be too slow for a file this long: upload a shorter one or tell "
        "an admin."
    )


def _duration(seconds):
    if seconds >= 120 and seconds % 60 == 0:
        return f"{seconds // 60} minutes"
    return f"{seconds:g} seconds"


def attempt_time_out(*, attempt_id, hard):
    """Fail an attempt whose task was stopped at a time limit outside `attempt_run`.

    No delivery will finish it: the task's message is acknowledged. At the hard
    limit this runs in the worker's main process, which has no connection of its
    own otherwise; it is closed again so pool processes forked later don't inherit it.
    """
    try:
        attempt = (
            ParseAttempt.objects.filter(pk=attempt_id, outcome=ParseAttempt.Outcome.RUNNING)
            .select_related("resume__candidate")
            .first()
        )
        if attempt is not None:
            logger.warning("Parse attempt %s stopped at the task's time limit", attempt_id)
            _attempt_abandon(
                attempt,
                took_too_long(hard=hard),
                only=Q(claimed_at=attempt.claimed_at, deliveries=attempt.deliveries),
            )
    finally:
        if not connection.in_atomic_block:
            connection.close()


# How many deliveries may die holding one attempt (a worker killed, out of
# memory, a parser that crashed the process) before it is given up.
MAX_LOST_DELIVERIES = 3
STOPPED_THE_WORKER = (
    "Parsing this file stopped the worker three times; it was not parsed. The file may be "
    "damaged or made to crash document readers: save it again as a normal PDF or DOCX and "
    "upload that, or tell an admin if other files fail the same way."
)


def _lease_seconds():
    # A late-acked task is delivered again only after the broker's visibility
    # timeout, so a claim older than that belongs to a worker that died.
    return settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)


@contextmanager
def _progress_write():
    """A transaction for progress that may be lost in a database crash.

    Its commit does not wait for the disk (about 2.5 ms saved each on
    PostgreSQL). Losing it is harmless: the task is not acknowledged yet, so
    the broker delivers it again and the attempt is claimed again. Results are
    written with ordinary, durable commits.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        yield


def _attempt_claim(attempt_id):
    now = timezone.now()
    lease = timedelta(seconds=_lease_seconds())
    # Each claim counts a delivery and each hand-over to a retry a transient
    # failure, so deliveries - transient_failures of a running attempt is how many
    # deliveries took it and never let it go: the one holding it now, and every
    # earlier one that died. Once its lease is over, the holder died too.
    expired = Q(outcome=ParseAttempt.Outcome.RUNNING, claimed_at__lt=now - lease)
    claimable = Q(outcome__in=[ParseAttempt.Outcome.QUEUED, ParseAttempt.Outcome.WAITING]) | (
        expired & Q(deliveries__lt=F("transient_failures") + MAX_LOST_DELIVERIES)
    )
    with _progress_write():
        claimed = ParseAttempt.objects.filter(claimable, pk=attempt_id).update(
            outcome=ParseAttempt.Outcome.RUNNING, claimed_at=now, deliveries=F("deliveries") + 1
        )
        if claimed:
            Resume.objects.filter(
                pk=Subquery(ParseAttempt.objects.filter(pk=attempt_id).values("resume_id")),
                status__in=Resume.IN_PROGRESS,
            ).update(status=Resume.Status.EXTRACTING, failure_reason="", updated_at=now)
    attempt = (
        ParseAttempt.objects.filter(pk=attempt_id)
        .select_related("resume__candidate", "profile")
        .first()
    )
    if attempt is None or attempt.outcome in (
        ParseAttempt.Outcome.SUCCEEDED,
        ParseAttempt.Outcome.FAILED,
    ):
        return None
    if not claimed:
        lost = attempt.deliveries - attempt.transient_failures
        if attempt.claimed_at < now - lease and lost >= MAX_LOST_DELIVERIES:
            logger.warning(
                "Parse attempt %s given up: %s deliveries died holding it", attempt_id, lost
            )
            _attempt_abandon(
                attempt,
                STOPPED_THE_WORKER,
                only=Q(claimed_at=attempt.claimed_at, deliveries=attempt.deliveries),
            )
            return None
        remaining = (attempt.claimed_at + lease - timezone.now()).total_seconds()
        return RetryIn(max(1.0, remaining + 1.0))
    return attempt


def _attempt_work(attempt, resume, started):
    if not resume.text:
        extract_started = time.perf_counter()
        try:
            with resume.file.open("rb") as stored:
                data = stored.read()
            extracted = extract(resume.kind, data)
        except ExtractionError as exc:
            return _attempt_finish(attempt, resume, error=str(exc), started=started)
        except FileNotFoundError:
            return _attempt_finish(
                attempt,
                resume,
                error="The uploaded file is missing from storage; upload it again.",
                started=started,
            )
        attempt.extract_ms = _ms(time.perf_counter() - extract_started)
        resume.text = extracted.text
        resume.page_count = extracted.page_count
    profile = attempt.profile
    if profile is None:
        try:
            profile = profile_get_active()
        except NoActiveProfile as exc:
            return _attempt_finish(attempt, resume, error=str(exc), started=started)
        attempt.profile, attempt.profile_name, attempt.model = (
            profile,
            profile.name,
            profile.llm_model,
        )
    _resume_set_status(
        resume, Resume.Status.PARSING, text=resume.text, page_count=resume.page_count
    )
    run = ParseRun(events=list(attempt.events))
    try:
        parsed = parse_text(profile=profile, text=resume.text, run=run)
    except TransientLLMError as exc:
        return _attempt_transient(attempt, resume, exc, run, started)
    except PermanentLLMError as exc:
        _record_run(attempt, run)
        return _attempt_finish(attempt, resume, error=str(exc), started=started)
    _record_run(attempt, run)
    return _attempt_finish(attempt, resume, parsed=parsed, started=started)


def _record_run(attempt, run):
    attempt.llm_calls += run.llm_calls
    attempt.llm_ms = (attempt.llm_ms or 0) + _ms(run.llm_seconds)
    attempt.chunks = run.chunks
    attempt.estimated_tokens = run.estimated_tokens
    attempt.events = run.events


def backoff_seconds(failures, retry_after=None):
    return llm_json.backoff_seconds(
        failures,
        retry_after,
        base=retry_setting("RESUME_RETRY_BASE_SECONDS"),
        ceiling=retry_setting("RESUME_RETRY_MAX_SECONDS"),
    )


def _attempt_transient(attempt, resume, exc, run, started):
    _record_run(attempt, run)
    attempt.transient_failures += 1
    budget = retry_setting("RESUME_LLM_MAX_RETRIES")
    if attempt.transient_failures > budget:
        return _attempt_finish(
            attempt,
            resume,
            error=f"{exc} Gave up after {attempt.transient_failures} tries; re-parse to try again.",
            started=started,
        )
    delay = backoff_seconds(attempt.transient_failures, exc.retry_after)
    attempt.events.append(
        {
            "at": timezone.now().isoformat(),
            "message": f"{exc} Trying again in {delay:.1f} s.",
            "wait_seconds": round(delay, 3),
            "retry_after": exc.retry_after,
        }
    )
    updated = ParseAttempt.objects.filter(
        pk=attempt.pk, outcome=ParseAttempt.Outcome.RUNNING, deliveries=attempt.deliveries
    ).update(
        outcome=ParseAttempt.Outcome.WAITING,
        transient_failures=attempt.transient_failures,
        **_attempt_progress(attempt),
    )
    return RetryIn(delay) if updated else None


# What an attempt has learned so far, saved whenever its outcome changes.
ATTEMPT_PROGRESS_FIELDS = (
    "events",
    "llm_calls",
    "llm_ms",
    "chunks",
    "estimated_tokens",
    "extract_ms",
    "profile",
    "profile_name",
    "model",
)


def _attempt_progress(attempt):
    return {name: getattr(attempt, name) for name in ATTEMPT_PROGRESS_FIELDS}


def _attempt_finish(attempt, resume, *, started, error="", parsed=None):
    attempt.total_ms = _ms(time.perf_counter() - started)
    with transaction.atomic():
        finished = ParseAttempt.objects.filter(
            pk=attempt.pk, outcome=ParseAttempt.Outcome.RUNNING, deliveries=attempt.deliveries
        ).update(
            outcome=ParseAttempt.Outcome.FAILED if error else ParseAttempt.Outcome.SUCCEEDED,
            error=error,
            finished_at=timezone.now(),
            total_ms=attempt.total_ms,
            **_attempt_progress(attempt),
        )
        if not finished:
            # A newer delivery took the attempt over; its result is the one that counts.
            return None
        if error:
            resume.status = Resume.Status.FAILED
            resume.failure_reason = error
            Resume.objects.filter(pk=resume.pk).update(
                status=resume.status, failure_reason=error, updated_at=timezone.now()
            )
        else:
            _resume_store_parse(resume, parsed)
        _announce(resume)
    return None


def _resume_store_parse(resume, parsed):
    grounded = ground(parsed, resume.text)
    parsed = grounded.parsed
    data = parsed.model_dump()
    resume.status = Resume.Status.PARSED
    resume.failure_reason = ""
    resume.parsed = data
    resume.parsed_at = timezone.now()
    resume.skills_text = skills_text(parsed.skill_names())
    resume.parse_notes, resume.has_gaps = grounded.notes, grounded.has_gaps
    Resume.objects.filter(pk=resume.pk).update(
        status=resume.status,
        failure_reason="",
        parsed=data,
        parsed_at=resume.parsed_at,
        skills_text=resume.skills_text,
        parse_notes=resume.parse_notes,
        has_gaps=resume.has_gaps,
        updated_at=timezone.now(),
    )
    candidate = resume.candidate
    values = {
        "name": parsed.basics.name[:200],
        "email": parsed.basics.email[:254],
        "phone": parsed.basics.phone[:64],
        "location": parsed.basics.location.as_text()[:200],
    }
    changed = []
    for field, value in values.items():
        if value and (candidate.edited_at is None or not getattr(candidate, field)):
            setattr(candidate, field, value)
            changed.append(field)
    if changed:
        candidate.save(update_fields=[*changed, "updated_at"])
    candidate_flag_duplicate(candidate=candidate)
    transaction.on_commit(lambda: resume_parsed.send(sender=None, resume_id=resume.pk))


def skills_text(names):
    cleaned = [name.strip().lower().replace("|", "/") for name in names if name.strip()]
    return f"|{'|'.join(cleaned)}|" if cleaned else ""


def _resume_set_status(resume, status, **fields):
    """Move an in-progress resume forward; a finished one is never moved back by a stray task."""
    with _progress_write():
        updated = Resume.objects.filter(pk=resume.pk, status__in=Resume.IN_PROGRESS).update(
            status=status, failure_reason="", updated_at=timezone.now(), **fields
        )
    if updated and resume.status != status:
        resume.status = status
        resume.failure_reason = ""
        _announce(resume)


def _ms(seconds):
    return round(seconds * 1000)


@transaction.atomic
def candidate_update(*, candidate, resume, fields, parsed):
    """Save a recruiter's edits of the candidate and of the parsed record."""
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.edited_at = timezone.now()
    candidate.save()
    if resume is not None and parsed is not None:
        resume.parsed = parsed.model_dump()
        resume.skills_text = skills_text(parsed.skill_names())
        resume.save(update_fields=["parsed", "skills_text", "updated_at"])
    return candidate


def candidate_flag_duplicate(*, candidate):
    """Flag `candidate` as a possible duplicate of the oldest other candidate with the same
    email or phone number (unless a recruiter kept the two apart), or clear the flag."""
    other = selectors.candidate_duplicate_match(candidate=candidate)
    if candidate.duplicate_of_id != (other.pk if other else None):
        candidate.duplicate_of = other
        Candidate.objects.filter(pk=candidate.pk).update(duplicate_of=other)


class MergeRefused(Exception):
    """The merge asked for no longer matches the candidate's flag; nothing was changed."""


@dataclass
class Merge:
    into: Candidate
    resumes: int
    interviews: int
    filled: list


@transaction.atomic
def candidate_merge(*, candidate, into_id, user):
    """Move `candidate`'s resumes and interviews onto the candidate it is flagged as a
    possible duplicate of (`into_id`, as the recruiter saw it), fill that one's empty
    fields from it, and delete it."""
    locked = {
        c.pk: c
        for c in Candidate.objects.select_for_update().filter(pk__in=[candidate.pk, into_id])
    }
    candidate = locked.get(candidate.pk)
    if candidate is None or candidate.duplicate_of_id != into_id or into_id not in locked:
        raise MergeRefused(
            "This candidate is no longer flagged as a possible duplicate of that one, so "
            "nothing was merged. Check the page again."
        )
    into = locked[into_id]
    filled = [
        field for field in ("name", "email", "phone", "location")
        if getattr(candidate, field) and not getattr(into, field)
    ]  # fmt: skip
    for field in filled:
        setattr(into, field, getattr(candidate, field))
    if into.duplicate_of_id == candidate.pk:
        into.duplicate_of = None
    into.save()
    resumes = candidate.resumes.update(candidate=into)
    # Interviews belong to the agents app, a layer above: moved through the reverse
    # relation, which needs no import of it.
    interviews = candidate.interviews.update(candidate=into)
    Candidate.objects.filter(duplicate_of=candidate).update(duplicate_of=into)
    candidate_id, candidate_name = candidate.pk, str(candidate)
    candidate.delete()
    logger.info(
        "%s merged candidate %s (%s) into candidate %s (%s): %d resumes and %d interviews "
        "moved, fields filled: %s",
        user.get_username(), candidate_id, candidate_name, into.pk, into,
        resumes, interviews, ", ".join(filled) or "none",
    )  # fmt: skip
    return Merge(into=into, resumes=resumes, interviews=interviews, filled=filled)


@transaction.atomic
def candidate_keep_apart(*, candidate, user):
    """Mark `candidate` and the one it is flagged as a duplicate of as different people:
    the flag goes, and never comes back for that pair. Returns the other candidate."""
    other = candidate.duplicate_of
    if other is None:
        return None
    first, second = sorted([candidate.pk, other.pk])
    KeptApart.objects.get_or_create(first_id=first, second_id=second, defaults={"decided_by": user})
    Candidate.objects.filter(
        Q(pk=candidate.pk, duplicate_of=other) | Q(pk=other.pk, duplicate_of=candidate)
    ).update(duplicate_of=None)
    candidate.duplicate_of = None
    return other

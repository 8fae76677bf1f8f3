"""Writes about jobs: the job, its plan and rubric versions, its candidates and interviews."""

from dataclasses import dataclass

from django.db import transaction

from agents.plans import plan_check
from agents.selectors import ENDED_STATUSES
from agents.services import interview_create
from jobs.models import Job, JobCandidate, PlanVersion, RubricVersion
from jobs.selectors import job_latest_versions


class JobUnavailable(Exception):
    """The action can't be done on this job now; the message says why in plain words."""


@dataclass(frozen=True)
class PlanSaved:
    plan_version: PlanVersion
    rubric_version: RubricVersion
    warnings: list
    # False when what was posted equals the latest versions (nothing new was stored).
    changed: bool


@dataclass(frozen=True)
class NewInterview:
    candidate: object
    interview: object
    link_secret: str


def _without_version(data):
    return {key: value for key, value in data.items() if key != "version"}


def _next_number(versions):
    latest = versions.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


@transaction.atomic
def job_plan_save(*, job, plan, rubric, user=None):
    """Store the plan and rubric as new versions of the job when they changed.

    Raises agents.plans.PlanInvalid (nothing stored) for a plan that can't be used. A
    version is never edited: interviews keep the copy they were created with.
    """
    checked_plan, checked_rubric, warnings = plan_check(plan, rubric)
    plan_data = _without_version(checked_plan.model_dump())
    rubric_data = _without_version(checked_rubric.model_dump())
    # Serialise concurrent saves of one job so version numbers stay unique and in order.
    Job.objects.select_for_update().filter(pk=job.pk).first()
    latest_plan, latest_rubric = job_latest_versions(job)
    changed = False
    if latest_plan is None or _without_version(latest_plan.plan) != plan_data:
        number = _next_number(job.plan_versions)
        latest_plan = PlanVersion.objects.create(
            job=job, number=number, plan={**plan_data, "version": number}, created_by=user
        )
        changed = True
    if latest_rubric is None or _without_version(latest_rubric.rubric) != rubric_data:
        number = _next_number(job.rubric_versions)
        latest_rubric = RubricVersion.objects.create(
            job=job, number=number, rubric={**rubric_data, "version": number}, created_by=user
        )
        changed = True
    if changed:
        job.save(update_fields=["updated_at"])
    return PlanSaved(latest_plan, latest_rubric, warnings, changed)


@transaction.atomic
def job_create(*, title, description="", owner=None, plan, rubric, record_interviews=True):
    """A new open job with its first plan and rubric versions: (job, PlanSaved).

    Raises PlanInvalid (and creates nothing) when the plan can't be used.
    """
    plan_check(plan, rubric)
    job = Job.objects.create(
        title=title.strip(),
        description=description.strip(),
        owner=owner,
        record_interviews=record_interviews,
    )
    return job, job_plan_save(job=job, plan=plan, rubric=rubric, user=owner)


def job_update(*, job, title, description="", record_interviews=True):
    job.title = title.strip()
    job.description = description.strip()
    job.record_interviews = record_interviews
    job.save(update_fields=["title", "description", "record_interviews", "updated_at"])
    return job


def job_set_status(*, job, status):
    """Close or reopen a job; a closed job keeps its candidates and interviews."""
    job.status = status
    job.save(update_fields=["status", "updated_at"])
    return job


def job_candidate_add(*, job, candidate, user=None):
    """Attach a candidate to the job; True when they were not attached already."""
    _membership, created = JobCandidate.objects.get_or_create(
        job=job, candidate=candidate, defaults={"added_by": user}
    )
    return created


def job_candidate_remove(*, job, candidate):
    """Detach a candidate; their interviews for the job stay (and keep their job)."""
    JobCandidate.objects.filter(job=job, candidate=candidate).delete()


def job_interviews_create(*, job, candidates, user=None):
    """An interview on the job's latest plan and rubric for each candidate.

    Returns (new interviews, candidates skipped because an interview for this job is still
    to run or running). Raises JobUnavailable for a closed job or one without a plan, and
    providers.selectors.NoActiveProfile when no profile is active (then nothing is created).
    """
    if job.status != Job.Status.OPEN:
        raise JobUnavailable("This job is closed. Reopen it to interview its candidates.")
    latest_plan, latest_rubric = job_latest_versions(job)
    if latest_plan is None or latest_rubric is None:
        raise JobUnavailable("This job has no interview plan yet. Save a plan first.")
    busy = set(
        job.interviews.exclude(status__in=ENDED_STATUSES).values_list("candidate_id", flat=True)
    )
    created, skipped = [], []
    with transaction.atomic():
        for candidate in candidates:
            if candidate.pk in busy:
                skipped.append(candidate)
                continue
            job_candidate_add(job=job, candidate=candidate, user=user)
            interview, secret = interview_create(
                candidate=candidate,
                role_title=job.title,
                job_description=job.description,
                created_by=user,
                job=job,
                plan=latest_plan.plan,
                rubric=latest_rubric.rubric,
            )
            created.append(NewInterview(candidate, interview, secret))
    return created, skipped

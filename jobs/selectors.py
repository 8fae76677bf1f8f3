"""Reads about jobs: lists, latest plan versions, candidates with their interviews, comparison."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from agents.models import Interview
from agents.plans import (
    PlanInvalid,
    plan_check,
    plan_estimated_minutes,
    plan_parse,
    plan_questions,
)
from agents.reports import RECOMMENDATIONS
from dashboard.paging import page_of
from jobs.models import Job, PlanVersion, RubricVersion
from resumes.models import Candidate

PAGE_SIZE = 50
CANDIDATE_CHOICES = 50
# Higher is better; a missing recommendation sorts after every other one.
RECOMMENDATION_RANK = {"strong_yes": 4, "yes": 3, "no": 2, "strong_no": 1}
SCORE_STATUS_LABELS = {"not_asked": "Not asked", "not_answered": "Not answered"}


def job_list(*, status=None):
    jobs = Job.objects.select_related("owner").annotate(
        candidate_count=Count("memberships", distinct=True),
        interview_count=Count("interviews", distinct=True),
    )
    if status:
        jobs = jobs.filter(status=status)
    return jobs.order_by("-created_at", "-id")


def job_list_page(*, status=None, page=1, per_page=None):
    return page_of(job_list(status=status), page=page, per_page=per_page or PAGE_SIZE)


def job_latest_versions(job):
    """(latest PlanVersion, latest RubricVersion) of a job; None for one it has none of."""
    return (
        PlanVersion.objects.filter(job=job).order_by("-number").first(),
        RubricVersion.objects.filter(job=job).order_by("-number").first(),
    )


@dataclass
class PlanSummary:
    plan_version: int | None
    rubric_version: int | None
    estimated_minutes: int
    time_limit_minutes: int
    question_count: int
    warnings: list = field(default_factory=list)

    @property
    def over_limit(self):
        return self.estimated_minutes > self.time_limit_minutes


def plan_summary(plan_version, rubric_version):
    """Estimate, limit and warnings of saved versions; None when the job has no plan yet."""
    if plan_version is None or rubric_version is None:
        return None
    try:
        plan, _rubric, warnings = plan_check(plan_version.plan, rubric_version.rubric)
    except PlanInvalid as exc:
        plan, warnings = plan_parse(plan_version.plan), exc.problems
    return PlanSummary(
        plan_version=plan_version.number,
        rubric_version=rubric_version.number,
        estimated_minutes=plan_estimated_minutes(plan),
        time_limit_minutes=plan.time_limit_minutes,
        question_count=len(plan_questions(plan)),
        warnings=warnings,
    )


def candidates_to_add(*, job, query=""):
    """Candidates not in the job yet, by name (or email), for the job page's add form."""
    candidates = Candidate.objects.exclude(job_memberships__job=job)
    if query:
        candidates = candidates.filter(Q(name__icontains=query) | Q(email__icontains=query))
    return candidates.order_by("name", "id")


def open_jobs_without(candidate):
    """Open jobs the candidate is not in yet (the candidate page's "add to job" choices)."""
    return Job.objects.filter(status=Job.Status.OPEN).exclude(memberships__candidate=candidate)


def _score_cell(competency):
    """What the comparison shows for one competency of one interview's report."""
    # `evidence`: the interview's report has this competency, so the score links to it.
    cell = {"display": "—", "sort": None, "status": "", "evidence": False}
    if competency is None:
        return cell
    status = competency.get("status")
    score = competency.get("score")
    cell["status"] = status or ""
    cell["evidence"] = True
    if status == "scored" and score is not None:
        if score in ("yes", "no"):
            cell["display"] = "Yes" if score == "yes" else "No"
            cell["sort"] = 1 if score == "yes" else 0
        else:
            cell["display"] = str(score)
            cell["sort"] = score if isinstance(score, int) else None
    else:
        cell["display"] = SCORE_STATUS_LABELS.get(status, "—")
    return cell


@dataclass
class ComparisonRow:
    candidate: Candidate
    interview: Interview | None
    cells: dict
    recommendation: str | None
    # The cells in the comparison's column order (templates can't look a key up).
    score_cells: list = field(default_factory=list)

    @property
    def status(self):
        return self.interview.status if self.interview else "none"

    @property
    def status_label(self):
        return self.interview.get_status_display() if self.interview else "Not interviewed"

    @property
    def recommendation_label(self):
        return RECOMMENDATIONS.get(self.recommendation, "—")


@dataclass
class Comparison:
    # [(key, name, scale)] in the latest rubric's order, then any only older reports name.
    columns: list
    rows: list


def _latest_interviews(job):
    latest = {}
    for interview in job.interviews.order_by("created_at", "id"):
        latest[interview.candidate_id] = interview
    return latest


def job_comparison(job, *, sort="candidate", descending=False, recommendation="", status=""):
    """Each candidate of the job with their latest interview's per-competency scores.

    Reports without per-competency scores (written before them, or not yet) show "—".
    Rows without a value for the sort column go last whatever the direction.
    """
    _plan_version, rubric_version = job_latest_versions(job)
    columns = [
        (item["key"], item["name"], item.get("scale", "1-5"))
        for item in (rubric_version.rubric.get("competencies", []) if rubric_version else [])
    ]
    known = {key for key, _name, _scale in columns}
    latest = _latest_interviews(job)
    rows = []
    for candidate in job.candidates.order_by("name", "id"):
        interview = latest.get(candidate.pk)
        report = interview.report if interview else {}
        by_key = {item.get("key"): item for item in report.get("competencies", []) or []}
        for key, item in by_key.items():
            if key and key not in known:
                known.add(key)
                columns.append((key, item.get("name") or key, item.get("scale", "1-5")))
        cells = {key: _score_cell(by_key.get(key)) for key, _n, _s in columns}
        rows.append(ComparisonRow(candidate, interview, cells, report.get("recommendation")))
    for row in rows:
        for key, name, _scale in columns:
            row.cells.setdefault(key, _score_cell(None))
            row.cells[key].update(key=key, name=name)
        row.score_cells = [row.cells[key] for key, _name, _scale in columns]
    if recommendation:
        rows = [r for r in rows if (r.recommendation or "none") == recommendation]
    if status:
        rows = [r for r in rows if r.status == status]
    return Comparison(columns, _sorted(rows, sort, descending))


def _sort_value(row, sort):
    if sort == "status":
        return row.status_label.lower()
    if sort == "recommendation":
        return RECOMMENDATION_RANK.get(row.recommendation)
    if sort.startswith("c:"):
        cell = row.cells.get(sort[2:])
        return cell["sort"] if cell else None
    return (row.candidate.name or "").lower()


def _sorted(rows, sort, descending):
    present = [row for row in rows if _sort_value(row, sort) is not None]
    missing = [row for row in rows if _sort_value(row, sort) is None]
    present.sort(key=lambda row: _sort_value(row, sort), reverse=descending)
    return present + missing

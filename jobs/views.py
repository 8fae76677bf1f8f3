import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import recruiter_required
from agents.plans import SCALES, SECTION_KINDS, PlanInvalid, plan_check
from dashboard.paging import page_number, paging_context
from jobs import builtin, selectors, services
from jobs.drafting import DraftFailed, job_draft
from jobs.forms import (
    CandidateAddForm,
    ComparisonFilterForm,
    JobFilterForm,
    JobForm,
    editor_blank_rows,
    editor_display,
    editor_estimate,
    editor_plan,
    editor_rows,
    editor_rows_from_post,
)
from jobs.models import Job
from providers.selectors import NoActiveProfile
from resumes.models import Candidate

# Links are shown once, on the job page the recruiter lands on after creating interviews.
_SESSION_LINKS_KEY = "job_links_{}"


@recruiter_required
def job_list(request):
    filters = JobFilterForm(request.GET or None)
    status = filters.cleaned_data.get("status") if filters.is_valid() else ""
    page = page_number(request.GET.get("page"))
    jobs, has_next = selectors.job_list_page(status=status or None, page=page)
    return render(
        request,
        "jobs/job_list.html",
        {
            "jobs": jobs,
            "filters": filters,
            "filtered": bool(status),
            **paging_context(request, page=page, has_next=has_next),
        },
    )


def _editor_context(rows, *, problems=(), warnings=()):
    estimate = editor_estimate(rows)
    limit = rows["time_limit"]
    return {
        "editor": editor_display(rows),
        "estimate": estimate,
        "over_limit": limit.isdigit() and estimate > int(limit),
        "problems": list(problems),
        "warnings": list(warnings),
        "section_kinds": SECTION_KINDS,
        "scales": SCALES,
        "follow_up_choices": ["0", "1", "2", "3"],
    }


def _check_rows(rows):
    """(problems, warnings) of the typed plan, as saving it would find them."""
    try:
        plan, rubric = editor_plan(rows)
        return [], plan_check(plan, rubric)[2]
    except PlanInvalid as exc:
        return exc.problems, []


@recruiter_required
def job_create(request):
    problems, warnings, draft_error = [], [], None
    if request.method == "POST":
        form = JobForm(request.POST)
        rows = editor_rows_from_post(request.POST)
        if request.POST.get("action") == "draft":
            # Not a save yet: the typed title and description come back without errors.
            form = JobForm(initial={key: request.POST.get(key, "") for key in form.fields})
            try:
                plan, rubric = job_draft(
                    title=request.POST.get("title", ""),
                    description=request.POST.get("description", ""),
                )
            except (DraftFailed, NoActiveProfile) as exc:
                draft_error = str(exc)
            else:
                rows = editor_rows(plan, rubric)
                messages.info(
                    request,
                    "The team's model drafted this plan and rubric. Check and edit them, "
                    "then save the job.",
                )
                # The gaps a draft may have are shown with it, to fix before saving.
                problems, warnings = _check_rows(rows)
        elif form.is_valid():
            try:
                plan, rubric = editor_plan(rows)
                job, _saved = services.job_create(
                    owner=request.user, plan=plan, rubric=rubric, **form.cleaned_data
                )
            except PlanInvalid as exc:
                problems = exc.problems
            else:
                # Its warnings are shown beside the plan on the job page.
                messages.success(request, "Job created with its interview plan.")
                return redirect("jobs:detail", pk=job.pk)
        else:
            problems, warnings = _check_rows(rows)
    else:
        form = JobForm()
        rows = editor_blank_rows()
        if request.GET.get("template") in builtin.TEMPLATES:
            title, plan, rubric = builtin.template_plan(request.GET["template"])
            form = JobForm(initial={"title": title})
            rows = editor_rows(plan, rubric)
            problems, warnings = _check_rows(rows)
    return render(
        request,
        "jobs/job_form.html",
        {
            "form": form,
            "draft_error": draft_error,
            "templates": [(key, title) for key, (title, _plan) in builtin.TEMPLATES.items()],
            **_editor_context(rows, problems=problems, warnings=warnings),
        },
    )


def _job(pk):
    return get_object_or_404(Job.objects.select_related("owner"), pk=pk)


def _job_page(request, job, *, rows=None, problems=(), status=200):
    plan_version, rubric_version = selectors.job_latest_versions(job)
    summary = selectors.plan_summary(plan_version, rubric_version)
    if rows is None:
        rows = (
            editor_rows(plan_version.plan, rubric_version.rubric)
            if summary
            else editor_blank_rows()
        )
    query = request.GET.get("q", "").strip()[:200]
    choices = selectors.candidates_to_add(job=job, query=query)[: selectors.CANDIDATE_CHOICES]
    comparison = selectors.job_comparison(job)
    context = {
        "job": job,
        "summary": summary,
        "comparison": comparison,
        "add_form": CandidateAddForm(candidates=choices),
        "candidate_query": query,
        "new_links": request.session.pop(_SESSION_LINKS_KEY.format(job.pk), None),
        **_editor_context(
            rows,
            problems=problems,
            warnings=[] if problems else (summary.warnings if summary else []),
        ),
    }
    return render(request, "jobs/job_detail.html", context, status=status)


@recruiter_required
def job_detail(request, pk):
    return _job_page(request, _job(pk))


@recruiter_required
@require_POST
def job_plan_save(request, pk):
    job = _job(pk)
    rows = editor_rows_from_post(request.POST)
    try:
        plan, rubric = editor_plan(rows)
        saved = services.job_plan_save(job=job, plan=plan, rubric=rubric, user=request.user)
    except PlanInvalid as exc:
        messages.error(request, "The plan was not saved: fix the problems below.")
        return _job_page(request, job, rows=rows, problems=exc.problems)
    if saved.changed:
        messages.success(
            request,
            f"Saved as plan version {saved.plan_version.number} and rubric version "
            f"{saved.rubric_version.number}. Interviews already created keep their version.",
        )
    else:
        messages.info(request, "Nothing changed, so no new version was made.")
    return redirect(reverse("jobs:detail", args=[job.pk]) + "#plan")


@recruiter_required
def job_edit(request, pk):
    job = _job(pk)
    form = JobForm(
        request.POST or None,
        initial={
            "title": job.title,
            "description": job.description,
            "record_interviews": job.record_interviews,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.job_update(job=job, **form.cleaned_data)
        messages.success(request, "Job saved.")
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "jobs/job_edit.html", {"job": job, "form": form})


@recruiter_required
@require_POST
def job_close(request, pk):
    services.job_set_status(job=_job(pk), status=Job.Status.CLOSED)
    messages.success(request, "Job closed. Its candidates and interviews stay; reopen it any time.")
    return redirect("jobs:detail", pk=pk)


@recruiter_required
@require_POST
def job_reopen(request, pk):
    services.job_set_status(job=_job(pk), status=Job.Status.OPEN)
    messages.success(request, "Job reopened.")
    return redirect("jobs:detail", pk=pk)


@recruiter_required
@require_POST
def job_candidate_add(request, pk):
    job = _job(pk)
    form = CandidateAddForm(request.POST, candidates=selectors.candidates_to_add(job=job))
    if form.is_valid():
        candidate = form.cleaned_data["candidate"]
        services.job_candidate_add(job=job, candidate=candidate, user=request.user)
        messages.success(request, f"{candidate} added to this job.")
    else:
        messages.error(request, " ".join(form.errors.get("candidate", ["Choose a candidate."])))
    return redirect(reverse("jobs:detail", args=[job.pk]) + "#candidates")


@recruiter_required
@require_POST
def job_candidate_remove(request, pk, candidate_id):
    job = _job(pk)
    candidate = get_object_or_404(Candidate, pk=candidate_id)
    services.job_candidate_remove(job=job, candidate=candidate)
    messages.success(request, f"{candidate} removed from this job. Their interviews stay.")
    return redirect(reverse("jobs:detail", args=[job.pk]) + "#candidates")


@recruiter_required
@require_POST
def candidate_add_to_job(request, candidate_id):
    """The candidate page's "add to job" form: back to the candidate page afterwards."""
    candidate = get_object_or_404(Candidate, pk=candidate_id)
    job_id = request.POST.get("job", "")
    job = Job.objects.filter(pk=job_id).first() if job_id.isdigit() else None
    if job is None:
        messages.error(request, "Choose a job to add the candidate to.")
    elif services.job_candidate_add(job=job, candidate=candidate, user=request.user):
        messages.success(request, f"Added to the job “{job.title}”.")
    else:
        messages.info(request, f"Already in the job “{job.title}”.")
    return redirect("resumes:detail", pk=candidate.pk)


@recruiter_required
@require_POST
def job_interviews_create(request, pk):
    job = _job(pk)
    ids = [value for value in request.POST.getlist("candidate") if value.isdigit()]
    candidates = list(job.candidates.filter(pk__in=ids).order_by("name", "id"))
    if not candidates:
        messages.error(request, "Tick the candidates to interview first.")
        return redirect(reverse("jobs:detail", args=[job.pk]) + "#candidates")
    try:
        created, skipped = services.job_interviews_create(
            job=job, candidates=candidates, user=request.user
        )
    except (services.JobUnavailable, NoActiveProfile) as exc:
        messages.error(request, str(exc))
        return redirect(reverse("jobs:detail", args=[job.pk]) + "#candidates")
    if created:
        request.session[_SESSION_LINKS_KEY.format(job.pk)] = [
            {
                "candidate": str(item.candidate),
                "email": item.candidate.email,
                "interview_id": item.interview.pk,
                "url": request.build_absolute_uri(reverse("join:page", args=[item.link_secret])),
            }
            for item in created
        ]
        messages.success(
            request,
            f"{len(created)} interview{'s' if len(created) != 1 else ''} created. "
            "Send each candidate their link.",
        )
    if skipped:
        names = ", ".join(str(candidate) for candidate in skipped)
        messages.warning(
            request,
            f"Not created for {names}: an interview for this job is already scheduled or running.",
        )
    return redirect(reverse("jobs:detail", args=[job.pk]) + "#links")


SORTS = ("candidate", "status", "recommendation")


def _comparison(request, job):
    filters = ComparisonFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    sort = request.GET.get("sort", "candidate")
    descending = request.GET.get("dir") == "desc"
    comparison = selectors.job_comparison(
        job,
        sort=sort if sort in SORTS or sort.startswith("c:") else "candidate",
        descending=descending,
        recommendation=cleaned.get("recommendation", ""),
        status=cleaned.get("status", ""),
    )
    return filters, sort, descending, comparison


@recruiter_required
def job_compare(request, pk):
    job = _job(pk)
    filters, sort, descending, comparison = _comparison(request, job)
    params = request.GET.copy()
    params.pop("sort", None)
    params.pop("dir", None)
    headers = [("candidate", "Candidate"), ("status", "Status")]
    headers += [(f"c:{key}", name) for key, name, _scale in comparison.columns]
    headers += [("recommendation", "Recommendation")]
    return render(
        request,
        "jobs/job_compare.html",
        {
            "job": job,
            "filters": filters,
            "filtered": bool(request.GET.get("recommendation") or request.GET.get("status")),
            "comparison": comparison,
            "headers": [
                {
                    "key": key,
                    "label": label,
                    "active": key == sort,
                    "descending": key == sort and descending,
                    # A second click on the sorted column flips its direction.
                    "dir": "asc"
                    if key == sort and descending
                    else "desc"
                    if key == sort
                    else "asc",
                }
                for key, label in headers
            ],
            "filter_query": params.urlencode(),
            "export_query": request.GET.urlencode(),
        },
    )


def _csv_cell(value):
    # A spreadsheet runs a cell that starts like a formula; names come from uploaded resumes.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@recruiter_required
def job_compare_csv(request, pk):
    job = _job(pk)
    _filters, _sort, _descending, comparison = _comparison(request, job)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-comparison.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["Candidate", "Email", "Interview status"]
        + [name for _key, name, _scale in comparison.columns]
        + ["Recommendation", "Interview"]
    )
    for row in comparison.rows:
        link = (
            request.build_absolute_uri(reverse("agents:interview_detail", args=[row.interview.pk]))
            if row.interview
            else ""
        )
        writer.writerow(
            [_csv_cell(value) for value in (row.candidate, row.candidate.email, row.status_label)]
            + [
                "" if row.cells[key]["display"] == "—" else row.cells[key]["display"]
                for key, _name, _scale in comparison.columns
            ]
            + ["" if row.recommendation_label == "—" else row.recommendation_label, link]
        )
    return response

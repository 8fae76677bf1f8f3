from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from accounts.permissions import recruiter_required
from agents import exports, reports, selectors, services
from agents.forms import InterviewFilterForm, InterviewForm, ReportForm
from agents.metrics import WAIT_PARTS, cut_off_audit, latency_chart, latency_summary, wait_rows
from agents.models import Interview
from agents.plans import plan_adhoc, plan_estimated_minutes, plan_parse, plan_questions
from agents.rooms import LiveKitUnavailable
from dashboard.paging import page_number, paging_context
from dashboard.ratelimits import limit_join
from providers.selectors import NoActiveProfile

# The link is shown once, on the page the recruiter lands on after creating it.
_SESSION_LINK_KEY = "interview_link_{}"


def _remember_link(request, interview, secret):
    request.session[_SESSION_LINK_KEY.format(interview.pk)] = request.build_absolute_uri(
        reverse("join:page", args=[secret])
    )


@recruiter_required
def interview_list(request):
    filters = InterviewFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    page = page_number(request.GET.get("page"))
    interviews, has_next = selectors.interview_list_page(
        status=cleaned.get("status") or None,
        query=(cleaned.get("q") or "").strip() or None,
        page=page,
    )
    return render(
        request,
        "agents/interview_list.html",
        {
            "interviews": interviews,
            **paging_context(request, page=page, has_next=has_next),
            "filters": filters,
            "filtered": bool(cleaned.get("status") or cleaned.get("q")),
        },
    )


def _chosen_candidate(form, value):
    """The candidate a link like ?candidate=7 starts the form from; None for anything else."""
    try:
        return form.fields["candidate"].clean(value)
    except ValidationError:
        return None


@recruiter_required
def interview_create(request):
    if request.method == "POST":
        form = InterviewForm(request.POST)
        if form.is_valid():
            try:
                interview, secret = services.interview_create(
                    created_by=request.user, **form.cleaned_data
                )
            except NoActiveProfile as exc:
                form.add_error(None, str(exc))
            else:
                _remember_link(request, interview, secret)
                messages.success(request, "Interview created. Send the candidate their link.")
                return redirect("agents:interview_detail", pk=interview.pk)
    else:
        form = InterviewForm()
        candidate = _chosen_candidate(form, request.GET.get("candidate"))
        if candidate:
            form = InterviewForm(initial={"candidate": candidate})
    return render(request, "agents/interview_form.html", {"form": form})


@recruiter_required
def interview_detail(request, pk):
    interview = get_object_or_404(selectors.interview_list(), pk=pk)
    context = {
        "interview": interview,
        "join_link": request.session.pop(_SESSION_LINK_KEY.format(interview.pk), None),
        "link_problem": selectors.interview_link_problem(interview),
        "can_cancel": interview.status not in selectors.ENDED_STATUSES,
        "can_renew_link": interview.status
        in (Interview.Status.SCHEDULED, Interview.Status.WAITING, Interview.Status.EXPIRED),
    }
    context.update(_interview_page_context(interview))
    return render(request, "agents/interview_detail.html", context)


@recruiter_required
@require_POST
def interview_cancel(request, pk):
    interview = get_object_or_404(Interview, pk=pk)
    try:
        cancellation = services.interview_cancel(interview=interview)
    except services.InterviewUnavailable as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Interview cancelled. The candidate's link no longer works.")
        if cancellation.room_left_open:
            messages.warning(
                request,
                "The interview room could not be closed because LiveKit isn't answering, "
                "so a conversation in progress may go on until the candidate leaves.",
            )
    return redirect("agents:interview_detail", pk=pk)


@recruiter_required
@require_POST
def interview_new_link(request, pk):
    interview = get_object_or_404(Interview, pk=pk)
    try:
        secret = services.interview_link_regenerate(interview=interview)
    except services.InterviewUnavailable as exc:
        messages.error(request, str(exc))
    else:
        _remember_link(request, interview, secret)
        messages.success(request, "New link created. The previous link no longer works.")
    return redirect("agents:interview_detail", pk=pk)


def _join_interview(secret):
    interview = selectors.interview_for_join_secret(secret)
    if interview is None:
        raise Http404("This interview link isn't valid. Check that you copied all of it.")
    return interview


@limit_join("join-page")
@ensure_csrf_cookie
def join_page(request, secret):
    interview = _join_interview(secret)
    problem = selectors.interview_link_problem(interview)
    if problem and "expired" in problem:
        services.interview_mark_expired(interview_id=interview.pk)
    response = render(
        request,
        "agents/join.html",
        {"interview": interview, "problem": problem, "secret": secret},
        status=410 if problem else 200,
    )
    if not problem:
        # The only page that may ask for the microphone (dashboard.settings.PERMISSIONS_POLICY).
        response.permissions_policy = {"microphone": ["self"]}
    return response


@require_POST
@limit_join("join-token", as_json=True)
def join_token(request, secret):
    """Mint the candidate's room token (POST with CSRF): room created, interviewer dispatched."""
    interview = _join_interview(secret)
    try:
        details = services.interview_join(interview=interview)
    except services.InterviewUnavailable as exc:
        return JsonResponse({"error": str(exc)}, status=410)
    except LiveKitUnavailable:
        return JsonResponse(
            {
                "error": "The interview room can't be reached right now. "
                "Please try again in a minute; if it keeps happening, tell the recruiter."
            },
            status=503,
        )
    return JsonResponse(
        {
            "url": details.url,
            "token": details.token,
            "room": details.room_name,
            "identity": details.identity,
        }
    )


def _interview_page_context(interview):
    """Extra context for the recruiter's interview page: transcript, latency chart, report form."""
    segments = list(interview.segments.order_by("seq"))
    turns = list(interview.turn_metrics.order_by("turn"))
    totals = [t.total_latency for t in turns if t.total_latency is not None]
    report_form = None
    if interview.report_status == Interview.ReportStatus.READY:
        report_form = ReportForm.for_report(interview.report)
    return {
        "progress": _progress_context(interview),
        "segments": segments,
        "last_seq": segments[-1].seq if segments else 0,
        "turn_metrics": turns,
        "wait_rows": wait_rows(turns),
        "cut_offs": cut_off_audit(segments),
        "wait_parts": [label for _name, label in WAIT_PARTS],
        "latency_summary": latency_summary(totals),
        "latency_chart": latency_chart(turns),
        "report_form": report_form,
        "report_recommendation": reports.RECOMMENDATIONS.get(
            interview.report.get("recommendation"), ""
        ),
        "report_competencies": reports.report_competencies(interview),
    }


def _progress_context(interview):
    """The plan and how far the interviewer got (Interview.progress, written by the worker)."""
    plan_data = (
        interview.plan
        or plan_adhoc(
            role_title=interview.role_title,
            job_description=interview.job_description,
            max_minutes=interview.max_duration_minutes,
        )[0]
    )
    plan = plan_parse(plan_data)
    progress = interview.progress or {}
    covered, skipped = set(progress.get("covered", [])), set(progress.get("skipped", []))
    follow_ups = progress.get("follow_ups_used", {})
    started = bool(progress)
    finished = progress.get("finished", False)
    current = progress.get("question_id") if started and not finished else None
    questions = []
    for number, (section_index, question) in enumerate(plan_questions(plan), start=1):
        if question.id in skipped:
            status = "skipped"
        elif question.id == current:
            status = "current"
        elif question.id in covered:
            status = "covered"
        else:
            status = "not asked" if finished else "to come"
        questions.append(
            {
                "number": number,
                "section": plan.sections[section_index].title,
                "text": question.text,
                "required": question.required,
                "status": status,
                "follow_ups_used": follow_ups.get(question.id, 0),
                "follow_ups": question.follow_ups,
                "minutes": question.minutes,
                "minutes_used": round(
                    progress.get("section_seconds", {}).get(str(section_index), 0) / 60
                ),
            }
        )
    return {
        "started": started,
        "finished": finished,
        "section_title": progress.get("section_title", ""),
        "number": progress.get("question_index", 0) + 1,
        "count": len(questions),
        "minutes_used": int(progress.get("elapsed_seconds", 0) // 60),
        "time_limit_minutes": plan.time_limit_minutes,
        "estimated_minutes": plan_estimated_minutes(plan),
        "questions": questions,
        "plan_version": plan.version,
        "gate_fallbacks": interview.gate_fallbacks,
    }


def _detail(interview):
    return redirect("agents:interview_detail", pk=interview.pk)


@require_POST
@recruiter_required
def report_edit(request, pk):
    interview = get_object_or_404(Interview, pk=pk, report_status=Interview.ReportStatus.READY)
    form = ReportForm.for_report(interview.report, data=request.POST)
    if form.is_valid():
        reports.report_update(interview=interview, changes=form.changes(), user=request.user)
        messages.success(request, "Report saved.")
    else:
        problems = "; ".join(
            f"{form.fields[name].label or name}: {' '.join(errors)}"
            for name, errors in form.errors.items()
        )
        messages.error(request, f"The report was not saved. {problems}")
    return _detail(interview)


@require_POST
@recruiter_required
def report_retry(request, pk):
    interview = get_object_or_404(Interview, pk=pk)
    try:
        reports.report_retry(interview=interview)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "The report is being written again.")
    return _detail(interview)


@recruiter_required
def transcript_text(request, pk):
    interview = get_object_or_404(Interview, pk=pk)
    response = HttpResponse(
        exports.transcript_text(interview), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="interview-{pk}-transcript.txt"'
    return response


@recruiter_required
def transcript_json(request, pk):
    interview = get_object_or_404(Interview, pk=pk)
    response = JsonResponse(exports.transcript_data(interview), safe=False)
    response["Content-Disposition"] = f'attachment; filename="interview-{pk}-transcript.json"'
    return response


@recruiter_required
def interview_json(request, pk):
    interview = get_object_or_404(Interview.objects.select_related("candidate"), pk=pk)
    response = JsonResponse(exports.interview_data(interview))
    response["Content-Disposition"] = f'attachment; filename="interview-{pk}.json"'
    return response

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_POST

from accounts.permissions import admin_required, recruiter_required
from agents import exports, recordings, reports, selectors, services
from agents.forms import InterviewFilterForm, InterviewForm, ReportForm
from agents.metrics import WAIT_PARTS, cut_off_audit, latency_chart, latency_summary, wait_rows
from agents.models import Interview, Recording
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
        {
            "interview": interview,
            "problem": problem,
            "secret": secret,
            "recording_retention_days": settings.RECORDING_RETENTION_DAYS,
        },
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
    recording = Recording.objects.filter(interview=interview).first()
    offsets = recordings.segment_offsets(segments, recording)
    for segment in segments:
        segment.recording_offset = offsets.get(segment.seq)
    turns = list(interview.turn_metrics.order_by("turn"))
    totals = [t.total_latency for t in turns if t.total_latency is not None]
    report_form = None
    if interview.report_status == Interview.ReportStatus.READY:
        report_form = ReportForm.for_report(interview.report)
    return {
        "progress": _progress_context(interview),
        "segments": segments,
        "recording": recording if recording is not None and recording.playable else None,
        "recording_problem": recordings.recording_problem(interview),
        "retention_days": settings.RECORDING_RETENTION_DAYS,
        "quote_offsets": _quote_offsets(interview, segments),
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


def _quote_offsets(interview, segments):
    """{quote: seconds into the recording} for the report's quotes, from the segment saying it."""
    if interview.report_status != Interview.ReportStatus.READY:
        return {}
    report = interview.report
    quotes = [q for entry in report.get("competencies") or [] for q in entry.get("quotes", [])]
    quotes += [q for topic in report.get("topics") or [] for q in topic.get("evidence", [])]
    offsets = {segment.seq: segment.recording_offset for segment in segments}
    return {
        quote: offsets[seq]
        for quote, seq in reports.quote_segments(quotes, segments).items()
        if offsets.get(seq) is not None
    }


# Recordings are personal data: never kept by a browser or a proxy after the page is left.
_RECORDING_CACHE_CONTROL = "private, no-store"


def _refuse_anonymous(view):
    """A player fetches the file itself and can't follow a redirect to the login page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise PermissionDenied("Sign in as a recruiter to hear interview recordings.")
        return view(request, *args, **kwargs)

    return wrapped


@_refuse_anonymous
@recruiter_required
def recording_download(request, pk):
    """The interview's audio for recruiters, one byte range at a time for the player's seeks."""
    recording = get_object_or_404(Recording, interview_id=pk, deleted_at__isnull=True)
    if not recording.file:
        raise Http404("This interview has no recording.")
    size = recording.size_bytes
    try:
        wanted = recordings.byte_range(request.headers.get("Range"), size)
    except recordings.RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Cache-Control"] = _RECORDING_CACHE_CONTROL
        return response
    whole = wanted is None
    if whole:
        wanted = recordings.ByteRange(0, size - 1)
    response = StreamingHttpResponse(
        recordings.recording_chunks(recording, wanted),
        status=200 if whole else 206,
        content_type="audio/ogg",
    )
    response["Content-Length"] = str(wanted.length)
    response["Accept-Ranges"] = "bytes"
    if not whole:
        response["Content-Range"] = f"bytes {wanted.start}-{wanted.end}/{size}"
    response["Cache-Control"] = _RECORDING_CACHE_CONTROL
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="interview-{pk}-recording.ogg"'
    return response


@require_POST
@admin_required
def recording_delete(request, pk):
    recording = get_object_or_404(Recording, interview_id=pk)
    recordings.recording_delete(
        recording=recording, deletion=Recording.Deletion.ADMIN, user=request.user
    )
    messages.success(request, "Recording deleted. The transcript and the report stay.")
    return _detail(recording.interview)

"""The report's edit and retry, and the transcript and interview exports (recruiters only)."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from agents import exports
from agents.forms_reports import ReportForm
from agents.models import Interview
from agents.reports import report_retry, report_update
from dashboard.permissions import recruiter_required


def _detail(interview):
    return redirect("agents:interview_detail", pk=interview.pk)


@require_POST
@recruiter_required
def report_edit(request, pk):
    interview = get_object_or_404(Interview, pk=pk, report_status=Interview.ReportStatus.READY)
    form = ReportForm.for_report(interview.report, data=request.POST)
    if form.is_valid():
        report_update(interview=interview, changes=form.changes(), user=request.user)
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
def report_retry_view(request, pk):
    interview = get_object_or_404(Interview, pk=pk)
    try:
        report_retry(interview=interview)
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

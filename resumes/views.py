import json

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.permissions import recruiter_required
from dashboard.paging import page_number, paging_context
from resumes import selectors, services
from resumes.extraction import decode_text
from resumes.forms import CandidateForm
from resumes.models import Resume


@recruiter_required
def candidate_list(request):
    filters = {
        "query": request.GET.get("q", "").strip()[:200],
        "status": request.GET.get("status", "")
        if request.GET.get("status") in Resume.Status.values
        else "",
        "skill": request.GET.get("skill", "").strip()[:100],
    }
    page = page_number(request.GET.get("page"))
    rows, has_next = selectors.resume_list(page=page, **filters)
    return render(
        request,
        "resumes/candidate_list.html",
        {
            "rows": rows,
            **paging_context(request, page=page, has_next=has_next),
            "filters": filters,
            "filtered": any(filters.values()),
            "status_counts": selectors.resume_status_counts(),
            "max_upload_mb": getattr(settings, "RESUME_MAX_UPLOAD_MB", 10),
        },
    )


def _resume_json(resume):
    return {
        "id": resume.pk,
        "candidate_id": resume.candidate_id,
        "candidate_url": reverse("resumes:detail", args=[resume.candidate_id]),
        "original_name": resume.original_name,
        "status": resume.status,
        "status_label": resume.status_label,
        "chip": services.status_chip(resume),
    }


@recruiter_required
@require_POST
def resume_upload(request):
    """One file per request from the page's script; a plain form may send several."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    limit_mb = getattr(settings, "RESUME_MAX_UPLOAD_MB", 10)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    # One file per request from the page: refuse a huge body before reading it.
    if wants_json and length > limit_mb * 1024 * 1024 + 64 * 1024:
        return JsonResponse(
            {"error": f"The file is {length / 1024 / 1024:.1f} MB; the limit is {limit_mb} MB."},
            status=400,
        )
    files = request.FILES.getlist("file")
    if not files:
        if wants_json:
            return JsonResponse({"error": "Choose a file to upload."}, status=400)
        messages.error(request, "Choose a file to upload.")
        return redirect("resumes:list")
    for uploaded in files:
        try:
            result = services.resume_upload(uploaded_file=uploaded, user=request.user)
        except services.UploadRejected as exc:
            if wants_json:
                return JsonResponse({"error": str(exc)}, status=400)
            messages.error(request, str(exc))
            continue
        if result.duplicate:
            existing = result.resume
            message = (
                f"\u201c{uploaded.name}\u201d was already uploaded on "
                f"{date_format(existing.created_at, 'DATETIME_FORMAT')} "
                f"(for {existing.candidate}); no new candidate was created."
            )
            if wants_json:
                return JsonResponse(
                    {"duplicate": True, "message": message, "resume": _resume_json(existing)}
                )
            messages.warning(request, message)
        elif wants_json:
            return JsonResponse(
                {"duplicate": False, "resume": _resume_json(result.resume)}, status=201
            )
        else:
            messages.success(request, f"\u201c{uploaded.name}\u201d uploaded; parsing has started.")
    return redirect("resumes:list")


@recruiter_required
def candidate_detail(request, pk):
    candidate = selectors.candidate_get(pk=pk)
    if candidate is None:
        raise Http404("No such candidate.")
    resume = selectors.candidate_latest_resume(candidate=candidate)
    if request.method == "POST":
        form = CandidateForm.for_candidate(candidate, resume, data=request.POST)
        if form.is_valid():
            services.candidate_update(
                candidate=candidate,
                resume=resume,
                fields=form.candidate_fields(),
                parsed=form.parsed() if resume is not None else None,
            )
            messages.success(request, "Changes saved.")
            return redirect("resumes:detail", pk=candidate.pk)
        messages.error(request, "The changes were not saved; fix the fields marked below.")
    else:
        form = CandidateForm.for_candidate(candidate, resume)
    return render(
        request,
        "resumes/candidate_detail.html",
        {
            "candidate": candidate,
            "resume": resume,
            "parsed": resume.parsed if resume else {},
            "attempts": selectors.resume_attempts(resume=resume) if resume else [],
            "form": form,
            "inline": resume is not None and resume.kind in ("pdf", "txt"),
        },
    )


def _candidate_or_404(pk):
    candidate = selectors.candidate_get(pk=pk)
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


@recruiter_required
@require_POST
def candidate_merge(request, pk):
    """Merge a possible duplicate into the candidate it was flagged as a duplicate of."""
    candidate = _candidate_or_404(pk)
    name = str(candidate)
    into = request.POST.get("into", "")
    try:
        merge = services.candidate_merge(
            candidate=candidate, into_id=int(into) if into.isdigit() else None, user=request.user
        )
    except services.MergeRefused as exc:
        messages.warning(request, str(exc))
        return redirect("resumes:detail", pk=pk)
    moved = f"{merge.resumes} resume{'s' if merge.resumes != 1 else ''} and {merge.interviews} "
    moved += f"interview{'s' if merge.interviews != 1 else ''}"
    messages.success(request, f"{name} was merged into {merge.into}: {moved} moved here.")
    return redirect("resumes:detail", pk=merge.into.pk)


@recruiter_required
@require_POST
def candidate_keep(request, pk):
    """Keep a possible duplicate as a different person."""
    candidate = _candidate_or_404(pk)
    other = services.candidate_keep_apart(candidate=candidate, user=request.user)
    if other is not None:
        messages.success(
            request,
            f"{candidate} and {other} are kept as different people; they won't be flagged "
            "as duplicates of each other again.",
        )
    return redirect("resumes:detail", pk=pk)


@recruiter_required
def candidate_export(request, pk):
    candidate = selectors.candidate_get(pk=pk)
    if candidate is None:
        raise Http404("No such candidate.")
    resume = selectors.candidate_latest_resume(candidate=candidate)
    document = selectors.json_resume_export(candidate=candidate, resume=resume)
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"candidate-{candidate.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@recruiter_required
@xframe_options_sameorigin
def resume_file(request, pk):
    """The original upload, to recruiters only: inline for the candidate page, or as a download."""
    resume = selectors.resume_get(pk=pk)
    if resume is None:
        raise Http404("No such resume.")
    download = request.GET.get("download") == "1"
    try:
        stored = resume.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this resume is missing from storage.") from None
    if resume.kind == "txt" and not download:
        # Shown as UTF-8 whatever the upload's encoding, so accents display right.
        with stored:
            text = decode_text(stored.read())
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
    return FileResponse(
        stored,
        as_attachment=download,
        filename=resume.original_name,
        content_type=resume.content_type or "application/octet-stream",
    )


@recruiter_required
@require_POST
def resume_reparse(request, pk):
    resume = selectors.resume_get(pk=pk)
    if resume is None:
        raise Http404("No such resume.")
    try:
        attempt = services.resume_reparse(resume=resume, user=request.user)
    except services.ReparseRefused as exc:
        messages.warning(request, str(exc))
    else:
        if attempt.profile_name:
            messages.success(
                request, f"Parsing again with the profile \u201c{attempt.profile_name}\u201d."
            )
        else:
            messages.warning(
                request, "Parsing queued, but no model provider profile is active yet."
            )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("resumes:detail", args=[resume.candidate_id])
    return redirect(target)

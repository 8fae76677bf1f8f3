"""Reads about interviews: listing, the candidate link, and the profile an interview runs on."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agents.metrics import interview_latency_summary
from agents.models import Interview
from dashboard.links import link_secret_hash
from dashboard.paging import page_of
from providers.secrets import SecretUnreadable, decrypt
from providers.selectors import profile_from_snapshot
from resumes.models import Resume

PAGE_SIZE = 50

# Once an interview is over, its link only explains why it no longer works.
ENDED_STATUSES = (
    Interview.Status.COMPLETED,
    Interview.Status.FAILED,
    Interview.Status.CANCELLED,
    Interview.Status.EXPIRED,
)


def interview_for_join_secret(secret: str) -> Interview | None:
    """The interview a candidate link belongs to, in any state (callers say why it's unusable)."""
    if not secret:
        return None
    return (
        Interview.objects.select_related("candidate")
        .filter(join_secret_hash=link_secret_hash(secret))
        .first()
    )


def interview_join_url(interview) -> str | None:
    """The candidate's link as an absolute URL on PUBLIC_BASE_URL.

    None for an interview made before links were kept (its link was only shown once) or one
    whose encryption key is no longer configured: a new link replaces it.
    """
    if not interview.join_secret_encrypted:
        return None
    try:
        secret = decrypt(interview.join_secret_encrypted)
    except SecretUnreadable:
        return None
    return settings.PUBLIC_BASE_URL + reverse("join:page", args=[secret])


def interview_link_problem(interview) -> str | None:
    """Why the candidate link cannot be used right now, in plain words; None when it can.

    A live interview stays joinable past the link's expiry so a candidate whose
    connection dropped can come back to the interview they are in.
    """
    status = interview.status
    if status == Interview.Status.CANCELLED:
        return (
            "This interview was cancelled. "
            "Please contact the recruiter if you think that's a mistake."
        )
    if status == Interview.Status.COMPLETED:
        return "This interview has already taken place, so the link can't be used again. Thank you!"
    if status == Interview.Status.FAILED:
        return (
            "This interview ended because of a technical problem. "
            "The recruiter has been told and will send you a new link."
        )
    if status == Interview.Status.EXPIRED:
        return "This interview link has expired. Please ask the recruiter for a new one."
    if status != Interview.Status.LIVE and interview.link_expires_at <= timezone.now():
        return "This interview link has expired. Please ask the recruiter for a new one."
    return None


def interview_list(*, status=None, query=None):
    interviews = Interview.objects.select_related("candidate", "created_by")
    if status:
        interviews = interviews.filter(status=status)
    if query:
        interviews = interviews.filter(
            Q(role_title__icontains=query)
            | Q(candidate__name__icontains=query)
            | Q(candidate__email__icontains=query)
        )
    return interviews.order_by("-created_at", "-id")


def interview_list_page(*, status=None, query=None, page=1, per_page=PAGE_SIZE):
    """One page of the interview list, each with its `latency_summary` (None when unmeasured)."""
    rows, has_next = page_of(
        interview_list(status=status, query=query), page=page, per_page=per_page
    )
    summaries = interview_latency_summary([interview.pk for interview in rows])
    for interview in rows:
        interview.latency_summary = summaries.get(interview.pk)
    return rows, has_next


def interview_get(*, pk):
    return Interview.objects.select_related("candidate", "resume", "created_by").get(pk=pk)


def candidate_latest_parsed_resume(candidate):
    return (
        Resume.objects.filter(candidate=candidate, status=Resume.Status.PARSED)
        .order_by("-created_at")
        .first()
    )


def interview_profile(interview):
    """The profile the interview runs on, rebuilt from its snapshot (unsaved, keys decrypted)."""
    return profile_from_snapshot(interview.profile_snapshot)


def interview_llm_base_url(interview_id):
    """The LLM base URL the interview talks to, from its profile snapshot ("" if none)."""
    snapshot = (
        Interview.objects.filter(pk=interview_id).values_list("profile_snapshot", flat=True).first()
    )
    return ((snapshot or {}).get("fields") or {}).get("llm_base_url") or ""

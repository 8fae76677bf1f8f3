from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q

from dashboard.paging import page_of
from resumes.models import Candidate, KeptApart, ParseAttempt, Resume

PAGE_SIZE = 25


def resume_list(*, query="", status="", skill="", page=1, per_page=PAGE_SIZE):
    """One page of resumes with their candidates, newest first, and whether more follow."""
    resumes = Resume.objects.select_related("candidate__duplicate_of").only(
        "id",
        "original_name",
        "kind",
        "status",
        "has_gaps",
        "failure_reason",
        "skills_text",
        "page_count",
        "created_at",
        "candidate__id",
        "candidate__name",
        "candidate__email",
        "candidate__location",
        "candidate__duplicate_of__id",
        "candidate__duplicate_of__name",
    )
    if status:
        resumes = resumes.filter(status=status)
    if skill:
        resumes = resumes.filter(skills_text__contains=f"|{skill.strip().lower()}|")
    query = query.strip()
    if query:
        resumes = resumes.filter(
            Q(candidate__name__icontains=query)
            | Q(candidate__email__icontains=query)
            | Q(skills_text__contains=query.lower())
            | Q(original_name__icontains=query)
            | Q(pk__in=_text_matches(query))
        )
    resumes = resumes.annotate(
        retrying=Exists(
            ParseAttempt.objects.filter(resume=OuterRef("pk"), outcome=ParseAttempt.Outcome.WAITING)
        )
    )
    return page_of(resumes.order_by("-created_at", "-id"), page=page, per_page=per_page)


def _text_matches(query):
    """Ids of resumes whose extracted text contains the words of `query`."""
    if connection.vendor == "postgresql":
        # The same expression as the resume_text_search index (migration 0003); a
        # subquery keeps the index usable beside the other OR'ed conditions.
        return (
            Resume.objects.annotate(document=SearchVector("text", config="simple"))
            .filter(document=SearchQuery(query, config="simple", search_type="plain"))
            .order_by()
            .values("pk")
        )
    return Resume.objects.filter(text__icontains=query).order_by().values("pk")


def resume_status_counts():
    counts = dict(Resume.objects.values_list("status").annotate(n=Count("id")).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in Resume.Status.choices]


def candidate_get(*, pk):
    return Candidate.objects.select_related("duplicate_of").filter(pk=pk).first()


# Fewer digits than this match too many unrelated numbers (extensions, short codes).
MIN_PHONE_DIGITS = 7


def candidate_duplicate_match(*, candidate):
    """The oldest other candidate with the same email or phone number as `candidate`, that
    no recruiter kept apart from it; None when there is none."""
    same = Q()
    if candidate.email_key:
        same |= Q(email_key=candidate.email_key)
    if len(candidate.phone_key) >= MIN_PHONE_DIGITS:
        same |= Q(phone_key=candidate.phone_key)
    if not same:
        return None
    kept_apart = KeptApart.objects.filter(Q(first=candidate) | Q(second=candidate))
    return (
        Candidate.objects.filter(same)
        .exclude(pk=candidate.pk)
        .exclude(pk__in=kept_apart.values("first"))
        .exclude(pk__in=kept_apart.values("second"))
        .order_by("pk")
        .first()
    )


def candidate_latest_resume(*, candidate):
    return candidate.resumes.order_by("-created_at", "-id").first()


def resume_get(*, pk):
    return Resume.objects.select_related("candidate").filter(pk=pk).first()


def resume_attempts(*, resume):
    return list(ParseAttempt.objects.filter(resume=resume).order_by("-created_at", "-id"))


def json_resume_export(*, candidate, resume):
    """The candidate as a JSON Resume document, with the recruiter's edits on top."""
    parsed = dict(resume.parsed) if resume is not None else {}
    basics = dict(parsed.get("basics") or {})
    for field in ("name", "email", "phone"):
        if getattr(candidate, field):
            basics[field] = getattr(candidate, field)
    if candidate.location and not any((basics.get("location") or {}).values()):
        basics["location"] = {"address": candidate.location}
    if parsed.get("summary") and not basics.get("summary"):
        basics["summary"] = parsed["summary"]
    document = {"$schema": "https://jsonresume.org/schema", "basics": basics}
    for section in ("work", "education", "skills", "languages", "projects", "certificates"):
        document[section] = parsed.get(section) or []
    document["meta"] = {
        "totalYearsExperience": parsed.get("total_years_experience"),
        "sourceFile": resume.original_name if resume is not None else "",
        "lastModified": candidate.updated_at.isoformat(),
    }
    return document

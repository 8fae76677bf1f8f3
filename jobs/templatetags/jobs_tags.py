"""The candidate page's jobs box, so the resumes app needs no import of jobs."""

from django import template

from jobs.selectors import open_jobs_without

register = template.Library()


@register.inclusion_tag("jobs/_candidate_jobs.html", takes_context=True)
def candidate_jobs(context, candidate):
    return {
        "candidate": candidate,
        "jobs": candidate.jobs.order_by("title"),
        "open_jobs": open_jobs_without(candidate).order_by("title"),
        "csrf_token": context.get("csrf_token"),
    }

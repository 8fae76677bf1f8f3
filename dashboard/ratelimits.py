"""Request limits of the candidate's pages (django-ratelimit, counted in Redis) and the
"too many requests" answer that every limit gives, sign-in lockouts included."""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage


def wait_words(seconds):
    """How long to wait, as a person says it: "40 seconds", "1 minute", "15 minutes"."""
    seconds = max(1, int(seconds))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minutes"


def too_many_requests(request, *, message, what_to_do, wait_seconds, as_json=False, **page):
    """The 429 answer: templates/429.html, or {"error": ...} for an endpoint that a page's
    script calls (it shows the error as it is)."""
    if as_json:
        response = JsonResponse({"error": f"{message} {what_to_do}"}, status=429)
    else:
        context = {"message": message, "what_to_do": what_to_do, **page}
        response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(max(1, int(wait_seconds)))
    return response


def _link_secret(group, request):
    return request.resolver_match.kwargs["secret"]


# (what is counted, the setting of its rate, whose requests those are for the message)
_JOIN_LIMITS = (
    (_link_secret, "JOIN_RATE_PER_LINK", "with this interview link"),
    ("ip", "JOIN_RATE_PER_IP", "from your connection"),
)


def limit_join(group, *, as_json=False):
    """Answer 429 once a candidate's link, or one IP address, has used up its rate of
    requests to the view (JOIN_RATE_PER_LINK, JOIN_RATE_PER_IP)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            for key, setting, whose in _JOIN_LIMITS:
                usage = get_usage(
                    request,
                    group=f"{group}:{setting}",
                    key=key,
                    rate=lambda _group, _request, setting=setting: getattr(settings, setting),
                    increment=True,
                )
                if usage and usage["should_limit"]:
                    wait = max(1, usage["time_left"])
                    if as_json:
                        message = f"There were too many tries to join in a short while {whose}."
                        again = "press Join again"
                    else:
                        message = f"This page was opened too many times in a short while {whose}."
                        again = "reload this page"
                    return too_many_requests(
                        request,
                        message=message,
                        what_to_do=f"Wait {wait_words(wait)}, then {again}.",
                        wait_seconds=wait,
                        as_json=as_json,
                    )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator

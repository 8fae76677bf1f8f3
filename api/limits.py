"""The API's share of the site's request limits, counted in Redis like the others
(django-ratelimit on the "limits" cache, see dashboard/ratelimits.py).

- Each token may make API_RATE_PER_TOKEN requests ("60/m").
- Wrong tokens count like wrong passwords: after LOGIN_FAILURE_LIMIT of them from one IP
  address within LOGIN_LOCKOUT_MINUTES, that address is refused for the rest of the window,
  even with a good token.
"""

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle


def _failure_rate(_group, _request):
    return f"{settings.LOGIN_FAILURE_LIMIT}/{settings.LOGIN_LOCKOUT_MINUTES}m"


def _bad_token_usage(request, *, increment):
    return get_usage(
        request, group="api:bad-token", key="ip", rate=_failure_rate, increment=increment
    )


def bad_tokens_wait(request):
    """Seconds this address must wait after too many wrong tokens; 0 when it may try."""
    usage = _bad_token_usage(request, increment=False)
    if usage and usage["count"] >= usage["limit"]:
        return max(1, usage["time_left"])
    return 0


def bad_token_count(request):
    _bad_token_usage(request, increment=True)


class TokenRateThrottle(BaseThrottle):
    """API_RATE_PER_TOKEN requests per token; requests without a token are refused anyway."""

    def allow_request(self, request, view):
        token = request.auth
        if token is None:
            return True
        usage = get_usage(
            request._request,
            group="api:API_RATE_PER_TOKEN",
            key=lambda _group, _request: str(token.pk),
            rate=lambda _group, _request: settings.API_RATE_PER_TOKEN,
            increment=True,
        )
        self._wait = max(1, usage["time_left"]) if usage else 0
        return not (usage and usage["should_limit"])

    def wait(self):
        return self._wait

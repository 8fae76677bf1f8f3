"""`Authorization: Bearer <token>` for the REST API."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api import limits, selectors, services
from dashboard.ratelimits import wait_words

SCHEME = "Bearer"


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() != SCHEME.lower():
            return None
        wait = limits.bad_tokens_wait(request._request)
        if wait:
            raise exceptions.Throttled(
                wait=wait,
                detail=(
                    "There were too many requests with a wrong token from your connection. "
                    f"Wait {wait_words(wait)}, then try again."
                ),
            )
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be “Bearer” followed by one space and the token."
            )
        try:
            secret = parts[1].decode()
        except UnicodeDecodeError:
            secret = ""
        token = selectors.token_for_secret(secret)
        if token is None:
            limits.bad_token_count(request._request)
            raise exceptions.AuthenticationFailed(
                "This token is not valid: it was revoked, mistyped, or its user was "
                "deactivated. Make a new one on the API tokens page."
            )
        services.token_mark_used(token=token)
        return token.user, token

    def authenticate_header(self, request):
        # Makes a missing or wrong token a 401 (DRF answers 403 without this header).
        return f'{SCHEME} realm="api"'

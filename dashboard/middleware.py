"""The site's own middleware."""

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.utils.decorators import sync_and_async_middleware


def _permissions_policy_header(response):
    policy = {**settings.PERMISSIONS_POLICY, **getattr(response, "permissions_policy", {})}
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


@sync_and_async_middleware
def permissions_policy_middleware(get_response):
    """Sends the Permissions-Policy header of settings.PERMISSIONS_POLICY (Django has no
    setting for it); a view widens it for its own page through `response.permissions_policy`."""
    if iscoroutinefunction(get_response):

        async def middleware(request):
            response = await get_response(request)
            response.headers.setdefault("Permissions-Policy", _permissions_policy_header(response))
            return response

    else:

        def middleware(request):
            response = get_response(request)
            response.headers.setdefault("Permissions-Policy", _permissions_policy_header(response))
            return response

    return middleware

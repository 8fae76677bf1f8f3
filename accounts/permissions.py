"""Role checks for views: anonymous people go to the login page, signed-in
people without the role get a 403 page that says what they lack."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def _role_required(check, message):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = _role_required(
    lambda user: user.is_admin, "Only admins can manage model providers and users."
)
recruiter_required = _role_required(
    lambda user: user.is_recruiter, "Only recruiters can see candidates and interviews."
)

from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import InviteSetPasswordForm, UserCreateForm, UserInviteForm
from accounts.models import User
from accounts.permissions import admin_required
from dashboard.ratelimits import too_many_requests, wait_words

# The link is shown once, on the page the admin lands on after making it.
_SESSION_INVITE_KEY = "accounts:invite-link"


@admin_required
def user_list(request):
    invite = request.session.pop(_SESSION_INVITE_KEY, None)
    return render(
        request, "accounts/user_list.html", {"users": selectors.user_list(), "invite": invite}
    )


@admin_required
@sensitive_post_parameters("password1", "password2")
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_create_with_password(user=form.save(commit=False))
        messages.success(request, f"{user.username} can now sign in as {user.get_role_display()}.")
        return redirect("users:list")
    return render(request, "accounts/user_form.html", {"form": form})


def _invite_hours():
    return int(services.INVITE_VALID_FOR.total_seconds() // 3600)


def _show_invite_once(request, user, secret):
    url = request.build_absolute_uri(reverse("invite_accept", args=[secret]))
    mailto = ""
    if user.email:
        body = (
            f"Hello,\n\nSet your password for Voice Interviews with this link. It works once, "
            f"for {_invite_hours()} hours:\n\n{url}\n"
        )
        mailto = f"mailto:{quote(user.email)}?" + urlencode(
            {"subject": "Your Voice Interviews account", "body": body}, quote_via=quote
        )
    request.session[_SESSION_INVITE_KEY] = {
        "username": user.username,
        "url": url,
        "mailto": mailto,
        "hours": _invite_hours(),
    }


@admin_required
def user_invite(request):
    form = UserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, secret = services.user_invite(user=form.save(commit=False), created_by=request.user)
        _show_invite_once(request, user, secret)
        return redirect("users:list")
    return render(request, "accounts/user_invite.html", {"form": form, "hours": _invite_hours()})


@admin_required
@require_POST
def user_new_invite(request, pk):
    user = get_object_or_404(User, pk=pk)
    try:
        secret = services.invite_create(user=user, created_by=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        _show_invite_once(request, user, secret)
    return redirect("users:list")


@admin_required
@require_POST
def user_toggle_active(request, pk):
    user = get_object_or_404(User, pk=pk)
    try:
        services.user_set_active(user=user, active=not user.is_active, acting_user=request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        state = "reactivated" if user.is_active else "deactivated"
        messages.success(request, f"{user.username} was {state}.")
    return redirect("users:list")


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invite_accept(request, secret):
    """The invited person's "Set your password" page; no sign-in needed, the link is the key."""
    invite = selectors.invite_for_secret(secret)
    problem = selectors.invite_problem(invite)
    if problem:
        return _invite_unusable(request, problem, invite)
    form = InviteSetPasswordForm(invite.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invite_accept(secret=secret, form=form)
        except services.InviteUnusable as error:
            return _invite_unusable(request, str(error), invite)
        # The sign-in limit adds a backend, so login() must be told which one holds the user.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Your password is set. Welcome, {user.get_username()}.")
        return redirect("home")
    return render(
        request,
        "registration/invite_set_password.html",
        {"form": form, "invited": invite.user},
        status=400 if form.errors else 200,
    )


def _invite_unusable(request, problem, invite):
    return render(
        request,
        "registration/invite_unusable.html",
        {"problem": problem},
        status=404 if invite is None else 410,
    )


def login_locked_out(request, response=None, credentials=None):
    """What a sign-in gets while django-axes has its IP address or user name locked out
    (settings.AXES_LOCKOUT_CALLABLE), on the login page and the Django admin's alike."""
    wait = settings.AXES_COOLOFF_TIME.total_seconds()
    return too_many_requests(
        request,
        heading="Signing in is paused",
        message=(
            f"There were {settings.AXES_FAILURE_LIMIT} wrong passwords in a row from your "
            "connection or for this user name, so signing in is refused for a while, even "
            "with the right password."
        ),
        what_to_do=(
            f"Try again in {wait_words(wait)}. Each try before then starts the "
            f"{wait_words(wait)} again. If you have forgotten your password, ask an admin "
            "for a new invite link."
        ),
        wait_seconds=wait,
        back_url=request.path,
        back_label="Back to sign in",
    )

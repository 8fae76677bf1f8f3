from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Invite, User
from dashboard.links import link_secret_hash


def user_list():
    """Users for the users page, each with `invite`: its newest unused invite or None,
    and `invite_expired`."""
    open_invites = Invite.objects.filter(used_at__isnull=True).order_by("-created_at")
    users = list(
        User.objects.order_by("-is_active", "username").prefetch_related(
            Prefetch("invites", queryset=open_invites, to_attr="open_invites")
        )
    )
    now = timezone.now()
    for user in users:
        user.invite = user.open_invites[0] if user.open_invites else None
        user.invite_expired = user.invite is not None and user.invite.expires_at <= now
    return users


def invite_for_secret(secret):
    """The invite a link belongs to, used or not (invite_problem says why it can't be used)."""
    return (
        Invite.objects.select_related("user").filter(secret_hash=link_secret_hash(secret)).first()
    )


def invite_problem(invite):
    """Why an invite link cannot be used, in words for the invited person, or ""."""
    if invite is None:
        return (
            "This invite link is not valid. Check that you opened the whole link, "
            "or ask your admin for a new one."
        )
    if invite.used_at is not None:
        return (
            "This invite link was already used to set a password, so it no longer works. "
            "Sign in with that password, or ask your admin for a new link."
        )
    if invite.expires_at <= timezone.now():
        return "This invite link has expired. Ask your admin for a new one."
    if not invite.user.is_active:
        return "This account was deactivated. Ask your admin if you still need it."
    return ""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Invite, User
from accounts.selectors import invite_problem
from dashboard.links import link_secret_hash, link_secret_new


@transaction.atomic
def user_ensure_admin(*, username, password, email=""):
    """Create the admin, or reset its password and role if it exists.

    Returns (user, created).
    """
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    user.role = User.Role.ADMIN
    user.is_staff = True
    user.is_superuser = True
    user.is_active = True
    if email:
        user.email = email
    user.set_password(password)
    user.save()
    return user, created


def user_set_active(*, user, active, acting_user):
    if user == acting_user and not active:
        raise ValueError("You cannot deactivate your own account while signed in with it.")
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


INVITE_VALID_FOR = timedelta(hours=72)


def _new_user(user):
    user.is_staff = user.role == User.Role.ADMIN
    return user


@transaction.atomic
def user_create_with_password(*, user):
    """Store a user built by the "set a password now" form (its password already set)."""
    _new_user(user).save()
    return user


@transaction.atomic
def user_invite(*, user, created_by):
    """Store a user who sets their own password from an invite link.

    Returns (user, secret): the secret goes in the link, shown once; only its
    hash is stored.
    """
    _new_user(user).set_unusable_password()
    user.save()
    return user, invite_create(user=user, created_by=created_by)


@transaction.atomic
def invite_create(*, user, created_by, valid_for=INVITE_VALID_FOR):
    """A new invite link for `user`; any earlier unused link stops working. Returns the secret."""
    if user.has_usable_password():
        raise ValueError(
            f"{user.username} already has a password. Invite links are for users who have none."
        )
    now = timezone.now()
    earlier = Invite.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now)
    earlier.update(expires_at=now)
    secret = link_secret_new()
    Invite.objects.create(
        user=user,
        secret_hash=link_secret_hash(secret),
        created_by=created_by,
        expires_at=now + valid_for,
    )
    return secret


class InviteUnusable(Exception):
    """The invite link cannot be used; the message says why, in words for the invited person."""


@transaction.atomic
def invite_accept(*, secret, form):
    """Set the invited user's password from a valid `form` and use the link up.

    The invite row is locked, so two submissions of one link set one password.
    """
    invite = (
        Invite.objects.select_for_update()
        .select_related("user")
        .filter(secret_hash=link_secret_hash(secret))
        .first()
    )
    problem = invite_problem(invite)
    if problem:
        raise InviteUnusable(problem)
    user = form.save()
    invite.used_at = timezone.now()
    invite.save(update_fields=["used_at"])
    return user

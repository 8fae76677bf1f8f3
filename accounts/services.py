from django.db import transaction

from accounts.models import User


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

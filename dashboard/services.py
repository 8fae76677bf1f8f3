from django.db import transaction

from dashboard.models import ProviderProfile, User


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


def profile_default_values(*, models_url):
    """Settings of the profile a new install starts with: the embedded model server."""
    base = models_url.rstrip("/")
    return {
        "description": "The embedded CPU model server that ships with the product.",
        "llm_base_url": f"{base}/api/llm/v1",
        "llm_model": "smollm2-135m",
        "stt_base_url": f"{base}/api/stt/v1",
        "stt_model": "whisper-tiny.en",
        "tts_base_url": f"{base}/api/tts/v1",
        "tts_model": "piper-en_US-joe-medium",
        "tts_voice": "joe",
    }


@transaction.atomic
def profile_ensure_default(*, models_url):
    """Give a new install one active profile; leave an existing setup alone.

    Returns the profile created, or None when profiles already exist.
    """
    if ProviderProfile.objects.select_for_update().exists():
        return None
    profile = ProviderProfile.objects.create(
        name="Embedded models", **profile_default_values(models_url=models_url)
    )
    return profile_activate(profile=profile)


@transaction.atomic
def profile_activate(*, profile):
    """Make `profile` the only active one, atomically.

    Locking every profile row first serialises concurrent activations, so the
    switch never passes through zero or two active profiles.
    """
    list(ProviderProfile.objects.select_for_update().order_by("pk").values_list("pk"))
    ProviderProfile.objects.filter(is_active=True).exclude(pk=profile.pk).update(is_active=False)
    ProviderProfile.objects.filter(pk=profile.pk).update(is_active=True)
    profile.is_active = True
    return profile

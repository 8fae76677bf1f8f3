from django.db.models import TextField
from django.db.models.functions import Cast

from providers.checks import FAIL, SERVICE_NAMES
from providers.models import ProviderProfile
from providers.secrets import SecretUnreadable, decrypt


class NoActiveProfile(Exception):
    pass


def profile_get_active():
    profile = ProviderProfile.objects.filter(is_active=True).first()
    if profile is None:
        raise NoActiveProfile(
            "No model provider profile is active. An admin must activate one under Model providers."
        )
    return profile


def _with_readable_keys(profiles):
    """Fill in the API keys of profiles loaded without them, and list in each profile's
    `unreadable_keys` the key fields that no configured key decrypts; those stay blank.

    Loading a profile decrypts its keys, and one encrypted with a key no longer in
    SECRETS_ENCRYPTION_KEYS would stop the load: this way the rest of the profile can
    still be shown and edited, and the key entered again.
    """
    # Cast to plain text: the ciphertext, which the encrypted field would decrypt on load.
    tokens = {
        pk: rest
        for pk, *rest in ProviderProfile.objects.filter(
            pk__in=[profile.pk for profile in profiles]
        ).values_list("pk", *(Cast(f, TextField()) for f in ProviderProfile.SECRET_FIELDS))
    }
    for profile in profiles:
        profile.unreadable_keys = []
        for field, token in zip(ProviderProfile.SECRET_FIELDS, tokens[profile.pk], strict=True):
            try:
                setattr(profile, field, decrypt(token) if token else token)
            except SecretUnreadable:
                setattr(profile, field, "")
                profile.unreadable_keys.append(field)
    return profiles


def profile_list():
    return _with_readable_keys(
        list(
            ProviderProfile.objects.order_by("-is_active", "name").defer(
                *ProviderProfile.SECRET_FIELDS
            )
        )
    )


def profile_with_keys(*, pk, for_update=False):
    """The profile (None if there is none), its unreadable keys blank and named in
    `unreadable_keys` (see _with_readable_keys)."""
    rows = ProviderProfile.objects.filter(pk=pk)
    if for_update:
        rows = rows.select_for_update()
    profile = rows.defer(*ProviderProfile.SECRET_FIELDS).first()
    return _with_readable_keys([profile])[0] if profile else None


def profile_get_by_name(*, name):
    profile = ProviderProfile.objects.filter(name=name).first()
    if profile is None:
        names = ", ".join(ProviderProfile.objects.order_by("name").values_list("name", flat=True))
        raise ProviderProfile.DoesNotExist(
            f'No profile is named "{name}". Profiles: {names or "none yet"}.'
        )
    return profile


def profile_check_summary(*, profile):
    """The last connection test of a profile, grouped per service for the list page.

    Returns {"state", "outcome", "changed", "services": [{"service", "label", "status",
    "results"}]} where a service's status is "pass", "fail", "pending" (results
    still coming) or "none" (not tested, or not since its settings changed), and
    `changed` says the profile has not been tested since its settings changed.
    """
    check = profile.last_check or {}
    state = check.get("state")
    services = []
    for service in ProviderProfile.SERVICES:
        results = [r for r in check.get("results", []) if r.get("service") == service]
        if any(r["status"] == FAIL for r in results):
            status = "fail"
        elif state in ("queued", "running"):
            status = "pending"
        elif results:
            status = "pass"
        else:
            status = "none"
        services.append(
            {
                "service": service,
                "label": SERVICE_NAMES[service],
                "status": status,
                "results": results,
            }
        )
    return {
        "state": state,
        "outcome": check.get("outcome"),
        "changed": state in ("changed", "queued") and bool(check.get("changed_at")),
        "services": services,
    }


def profile_from_snapshot(snapshot) -> ProviderProfile:
    """An unsaved ProviderProfile rebuilt from a snapshot (see profile_snapshot), keys decrypted."""
    values = dict(snapshot.get("fields", {}))
    for name, token in snapshot.get("secrets", {}).items():
        values[name] = decrypt(token) if token else ""
    return ProviderProfile(**values)

import uuid

from cryptography.fernet import InvalidToken
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from dashboard.live import broadcast
from providers import checks, selectors
from providers.models import ProviderProfile
from providers.secrets import encrypt, reencrypt


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


class ProfileInUse(Exception):
    """The profile cannot be deleted while interviews depend on it."""


class ProfileImportError(Exception):
    pass


# What the connection test exercises: changing any of these makes its last results stale.
CHECKED_FIELDS = (
    "llm_base_url", "llm_model", "llm_api_key",
    "stt_base_url", "stt_model", "stt_api_key", "stt_language",
    "tts_base_url", "tts_model", "tts_api_key", "tts_voice", "tts_speed", "tts_response_format",
)  # fmt: skip


@transaction.atomic
def profile_save(*, profile, test=False):
    """Store a profile built by the profile form (a new one, an edit or a duplicate).

    When an edit changes a server, model, voice or key, the last test's results
    no longer describe the profile: they are cleared and a new test is queued.
    `test=True` queues one in any case. Returns the run id of the test queued,
    or None.
    """
    stored = selectors.profile_with_keys(pk=profile.pk, for_update=True) if profile.pk else None
    changed = False
    if stored is not None:
        # The form's copy may be older than a test or an activation that ended
        # meanwhile; those belong to the stored row, not to the form.
        profile.is_active = stored.is_active
        profile.last_check, profile.last_checked_at = stored.last_check, stored.last_checked_at
        changed = any(getattr(stored, f) != getattr(profile, f) for f in CHECKED_FIELDS)
        if changed:
            profile.last_check = {"state": "changed", "changed_at": _now(), "results": []}
            profile.last_checked_at = None
    profile.save()
    if changed or test:
        return profile_request_check(profile=profile)
    return None


@transaction.atomic
def profile_delete(*, profile):
    # Read is_active under the row lock: the page may be stale, and a concurrent
    # activation must not leave the install without an active profile.
    # Its keys are not needed, and one that no longer decrypts must not stop the delete.
    locked = (
        ProviderProfile.objects.select_for_update()
        .defer(*ProviderProfile.SECRET_FIELDS)
        .get(pk=profile.pk)
    )
    if locked.is_active:
        raise ProfileInUse(
            f'"{locked.name}" is the active profile and new interviews use it. '
            "Activate another profile first, then delete this one."
        )
    locked.delete()


def profile_request_check(*, profile):
    """Queue a connection test of every service; results stream to the providers page."""
    from providers.tasks import profile_check_connections

    run = uuid.uuid4().hex
    previous = profile.last_check or {}
    profile.last_check = {"run": run, "state": "queued", "results": [], "requested_at": _now()}
    if previous.get("changed_at") and previous.get("state") in ("changed", "queued"):
        # Until the new results arrive, the page says why the old ones are gone.
        profile.last_check["changed_at"] = previous.get("changed_at")
    profile.save(update_fields=["last_check"])
    profile_id = profile.pk
    transaction.on_commit(lambda: profile_check_connections.delay(profile_id, run))
    return run


def profile_run_checks(*, profile_id, run=None, timeout=None):
    """Run every connection check, storing and broadcasting each result as it arrives.

    Returns "passed", "failed", or "missing" when the profile was deleted
    meanwhile. Results carry messages only, never keys.
    """
    profile = ProviderProfile.objects.filter(pk=profile_id).first()
    if profile is None:
        return "missing"
    run = run or uuid.uuid4().hex
    _profile_check_update(profile_id, run, claim=True, state="running", started_at=_now())
    broadcast("providers", "check.started", {"profile": profile_id, "run": run})

    def on_result(result):
        if _profile_check_update(profile_id, run, append=result.as_dict()) is None:
            return
        broadcast(
            "providers",
            "check.result",
            {"profile": profile_id, "run": run, "result": result.as_dict()},
        )

    results = checks.run_checks(
        profile, on_result=on_result, timeout=timeout or checks.CHECK_TIMEOUT
    )
    outcome = "failed" if any(r.status == checks.FAIL for r in results) else "passed"
    finished = _profile_check_update(
        profile_id, run, state="done", outcome=outcome, finished_at=_now(), checked=True
    )
    if finished is not None:
        broadcast(
            "providers",
            "check.finished",
            {"profile": profile_id, "run": run, "outcome": outcome, "check": finished},
        )
    return outcome


@transaction.atomic
def _profile_check_update(profile_id, run, *, claim=False, append=None, checked=False, **fields):
    profile = ProviderProfile.objects.select_for_update().filter(pk=profile_id).first()
    if profile is None:
        return None
    check = profile.last_check or {}
    if claim:
        check = {"run": run, "results": [], "requested_at": check.get("requested_at")}
    elif check.get("run") != run:
        # A newer test has started and owns the record; this one's results are stale.
        return None
    check.update(fields)
    if append is not None:
        check["results"] = [r for r in check.get("results", []) if r["key"] != append["key"]]
        check["results"].append(append)
    profile.last_check = check
    update_fields = ["last_check"]
    if checked:
        profile.last_checked_at = timezone.now()
        update_fields.append("last_checked_at")
    profile.save(update_fields=update_fields)
    return check


def _now():
    return timezone.now().isoformat()


ENV_REQUIRED = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "STT_BASE_URL", "TTS_BASE_URL")
ENV_DEFAULTS = {
    "OPENAI_LLM_MODEL": "qwen-14b",
    "OPENAI_STT_MODEL": "medium",
    "OPENAI_TTS_MODEL": "kokoro",
    "OPENAI_TTS_VOICE": "af_bella",
}


@transaction.atomic
def profile_import_env(*, environ, name, activate=False):
    """A profile from the env-file setup's variables (one key for all three services)."""
    missing = [variable for variable in ENV_REQUIRED if not environ.get(variable, "").strip()]
    if missing:
        raise ProfileImportError(
            "Missing required environment variable(s): " + ", ".join(missing) + "."
        )
    if ProviderProfile.objects.filter(name=name).exists():
        raise ProfileImportError(
            f'A profile named "{name}" already exists. Choose another name with --name.'
        )
    value = {
        key: (environ.get(key, "").strip() or default) for key, default in ENV_DEFAULTS.items()
    }
    api_key = environ["OPENAI_API_KEY"].strip()
    profile = ProviderProfile.objects.create(
        name=name,
        description="Imported from the environment variables of the env-file setup.",
        llm_base_url=environ["OPENAI_BASE_URL"].strip(),
        llm_model=value["OPENAI_LLM_MODEL"],
        llm_api_key=api_key,
        stt_base_url=environ["STT_BASE_URL"].strip(),
        stt_model=value["OPENAI_STT_MODEL"],
        stt_api_key=api_key,
        tts_base_url=environ["TTS_BASE_URL"].strip(),
        tts_model=value["OPENAI_TTS_MODEL"],
        tts_voice=value["OPENAI_TTS_VOICE"],
        tts_api_key=api_key,
    )
    if activate:
        profile_activate(profile=profile)
    return profile


@transaction.atomic
def profile_rotate_secrets():
    """Re-encrypt every stored key with the first of SECRETS_ENCRYPTION_KEYS.

    Works on the stored ciphertext, so a key that no configured secret can
    decrypt is reported rather than lost. Returns (re-encrypted count,
    ["profile name: field", ...] that could not be decrypted).
    """
    fields = ProviderProfile.SECRET_FIELDS
    rotated, unreadable = 0, []
    for row in ProviderProfile.objects.select_for_update().order_by("pk").values("pk", "name"):
        with connection.cursor() as cursor:
            columns = ", ".join(connection.ops.quote_name(f) for f in fields)
            table = connection.ops.quote_name(ProviderProfile._meta.db_table)
            cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [row["pk"]])  # noqa: S608
            stored = dict(zip(fields, cursor.fetchone(), strict=True))
            updates = {}
            for field, token in stored.items():
                if not token:
                    continue
                try:
                    updates[field] = reencrypt(token)
                except InvalidToken:
                    unreadable.append(f"{row['name']}: {field}")
            if updates:
                assignments = ", ".join(f"{connection.ops.quote_name(f)} = %s" for f in updates)
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                    [*updates.values(), row["pk"]],
                )
                rotated += len(updates)
    return rotated, unreadable


def snapshot_rotate_secrets(snapshot):
    """A profile snapshot (see profile_snapshot) with its keys re-encrypted with the first of
    SECRETS_ENCRYPTION_KEYS. Returns (new snapshot, names of keys no configured key decrypts)."""
    secret_values, unreadable = {}, []
    for name, token in snapshot.get("secrets", {}).items():
        try:
            secret_values[name] = reencrypt(token) if token else token
        except InvalidToken:
            secret_values[name] = token
            unreadable.append(name)
    return {**snapshot, "secrets": secret_values}, unreadable


# Profile fields that describe where a profile is and how it was checked, not how it runs.
_NOT_SNAPSHOTTED = ("id", "is_active", "last_check", "last_checked_at", "created_at", "updated_at")


def profile_snapshot(profile):
    """The profile's settings as JSON, with API keys still encrypted."""
    fields = {
        name: value
        for name, value in model_to_dict(profile).items()
        if name not in _NOT_SNAPSHOTTED and name not in ProviderProfile.SECRET_FIELDS
    }
    secret_values = {
        name: encrypt(getattr(profile, name)) if getattr(profile, name) else ""
        for name in ProviderProfile.SECRET_FIELDS
    }
    return {"fields": fields, "secrets": secret_values}

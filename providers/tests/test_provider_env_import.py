"""Teams coming from the env-file setup import it as a profile; keys can be re-encrypted."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from providers.models import ProviderProfile
from providers.secrets import SecretUnreadable
from providers.services import ENV_REQUIRED

ENV = {
    "OPENAI_API_KEY": "sk-env-0123456789",
    "OPENAI_BASE_URL": "http://gpu:8000/api/llm/v1",
    "STT_BASE_URL": "http://gpu:8000/api/stt/v1",
    "TTS_BASE_URL": "http://gpu:8000/api/tts/v1",
}
OPTIONAL = ("OPENAI_LLM_MODEL", "OPENAI_STT_MODEL", "OPENAI_TTS_MODEL", "OPENAI_TTS_VOICE")


@pytest.fixture
def env(monkeypatch):
    for name in (*ENV, *OPTIONAL):
        monkeypatch.delenv(name, raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def raw_column(profile, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM dashboard_providerprofile WHERE id = %s",  # noqa: S608
            [profile.pk],
        )
        return cursor.fetchone()[0]


def test_the_env_file_setup_becomes_a_profile_with_the_documented_defaults(db, env, capsys):
    call_command("import_env_profile")

    profile = ProviderProfile.objects.get(name="Imported from environment")
    assert profile.llm_base_url == ENV["OPENAI_BASE_URL"]
    assert profile.stt_base_url == ENV["STT_BASE_URL"]
    assert profile.tts_base_url == ENV["TTS_BASE_URL"]
    assert (profile.llm_model, profile.stt_model, profile.tts_model, profile.tts_voice) == (
        "qwen-14b",
        "medium",
        "kokoro",
        "af_bella",
    )
    assert {profile.llm_api_key, profile.stt_api_key, profile.tts_api_key} == {
        ENV["OPENAI_API_KEY"]
    }
    assert ENV["OPENAI_API_KEY"] not in raw_column(profile, "llm_api_key")
    assert profile.is_active is False
    out = capsys.readouterr().out
    assert "created (not active)" in out
    assert ENV["OPENAI_API_KEY"] not in out


def test_model_variables_override_the_defaults_and_activate_switches(db, env):
    env.setenv("OPENAI_LLM_MODEL", "llama3.1:8b")
    env.setenv("OPENAI_TTS_VOICE", "am_adam")
    call_command("import_env_profile", "--name", "Ollama box", "--activate")
    profile = ProviderProfile.objects.get(name="Ollama box")
    assert profile.llm_model == "llama3.1:8b"
    assert profile.tts_voice == "am_adam"
    assert profile.stt_model == "medium"
    assert profile.is_active is True


@pytest.mark.parametrize("missing", ENV_REQUIRED)
def test_each_missing_required_variable_is_named(db, env, missing):
    env.delenv(missing)
    with pytest.raises(CommandError) as raised:
        call_command("import_env_profile")
    assert missing in str(raised.value)
    assert [name for name in ENV_REQUIRED if name in str(raised.value)] == [missing]
    assert not ProviderProfile.objects.exists()


def test_every_missing_variable_is_named_at_once(db, env):
    for name in ENV_REQUIRED:
        env.delenv(name)
    with pytest.raises(CommandError) as raised:
        call_command("import_env_profile")
    assert str(raised.value) == (
        "Missing required environment variable(s): "
        "OPENAI_API_KEY, OPENAI_BASE_URL, STT_BASE_URL, TTS_BASE_URL."
    )


def test_an_existing_name_is_not_overwritten(db, env):
    call_command("import_env_profile", "--name", "Same")
    with pytest.raises(CommandError, match='"Same" already exists'):
        call_command("import_env_profile", "--name", "Same")
    assert ProviderProfile.objects.filter(name="Same").count() == 1


def test_rotating_secrets_lets_the_old_encryption_key_be_dropped(db, env, settings, capsys):
    settings.SECRETS_ENCRYPTION_KEYS = ["old-secret"]
    call_command("import_env_profile", "--name", "Rotated")
    profile = ProviderProfile.objects.get(name="Rotated")
    before = raw_column(profile, "llm_api_key")

    settings.SECRETS_ENCRYPTION_KEYS = ["new-secret", "old-secret"]
    call_command("rotate_secrets")
    assert "Re-encrypted 3 stored key(s)" in capsys.readouterr().out
    assert raw_column(profile, "llm_api_key") != before

    settings.SECRETS_ENCRYPTION_KEYS = ["new-secret"]
    assert ProviderProfile.objects.get(pk=profile.pk).tts_api_key == ENV["OPENAI_API_KEY"]


def test_rotation_names_keys_no_configured_secret_can_read(db, env, settings):
    settings.SECRETS_ENCRYPTION_KEYS = ["lost-secret"]
    call_command("import_env_profile", "--name", "Orphaned")
    settings.SECRETS_ENCRYPTION_KEYS = ["new-secret"]
    with pytest.raises(CommandError, match="Orphaned: llm_api_key"):
        call_command("rotate_secrets")
    with pytest.raises(SecretUnreadable):
        ProviderProfile.objects.get(name="Orphaned")


def test_the_rotation_steps_are_in_the_command_help(capsys):
    with pytest.raises(SystemExit):
        call_command("rotate_secrets", "--help")
    help_text = capsys.readouterr().out
    assert "SECRETS_ENCRYPTION_KEYS=new-key,old-key" in help_text
    assert "python manage.py rotate_secrets" in help_text
    assert "Remove the old key" in help_text

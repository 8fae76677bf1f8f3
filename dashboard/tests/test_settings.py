import subprocess
import sys

from tests.processes import BASE_DIR

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!q-production-secret-that-is-long-and-random-enough-0123456789abcdef",
    "SECRETS_ENCRYPTION_KEYS": "a-separate-key-for-provider-api-keys-at-rest-0123456789",
    "ALLOWED_HOSTS": "interviews.example.com",
    "DATABASE_URL": "postgres://u:p@db.example.com:5432/interviews",
    "REDIS_URL": "redis://redis.example.com:6379/0",
    "LIVEKIT_URL": "wss://livekit.example.com",
    "LIVEKIT_API_KEY": "APIkey",
    "LIVEKIT_API_SECRET": "livekit-secret",
    "PUBLIC_BASE_URL": "https://interviews.example.com",
}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DOTENV": "0", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_names_each_missing_production_variable():
    for name in [
        "SECRET_KEY",
        "SECRETS_ENCRYPTION_KEYS",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "LIVEKIT_API_KEY",
        "LIVEKIT_API_SECRET",
        "PUBLIC_BASE_URL",
    ]:
        env = {key: value for key, value in PRODUCTION.items() if key != name}
        result = run_manage("check", env=env)
        assert result.returncode != 0
        assert f"The setting {name} is missing" in result.stderr


def test_it_starts_in_development_without_any_variable():
    result = run_manage("check", env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr


def test_it_rejects_a_debug_value_that_is_not_a_boolean():
    result = run_manage("check", env={**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_the_deploy_check_is_clean_with_production_values():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def refusal(**overrides):
    """What `manage.py check` prints when production refuses these values."""
    result = run_manage("check", env={**PRODUCTION, **overrides})
    assert result.returncode != 0, f"started with {overrides}"
    return result.stderr


def test_production_refuses_the_livekit_development_key_and_secret():
    stderr = refusal(LIVEKIT_API_KEY="devkey")
    assert "The setting LIVEKIT_API_KEY is the LiveKit development key 'devkey'" in stderr
    assert "livekit-server generate-keys" in stderr

    stderr = refusal(LIVEKIT_API_SECRET="secret")
    assert "The setting LIVEKIT_API_SECRET is the LiveKit development secret" in stderr
    assert "set LIVEKIT_API_KEY and LIVEKIT_API_SECRET" in stderr


def test_production_refuses_to_encrypt_provider_keys_with_the_secret_key():
    stderr = refusal(SECRETS_ENCRYPTION_KEYS=PRODUCTION["SECRET_KEY"])
    assert "The setting SECRETS_ENCRYPTION_KEYS encrypts with SECRET_KEY" in stderr
    assert "not safe in production" in stderr
    assert "different from SECRET_KEY" in stderr


def test_a_missing_encryption_key_says_how_to_move_off_the_old_default():
    env = {key: value for key, value in PRODUCTION.items() if key != "SECRETS_ENCRYPTION_KEYS"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "The setting SECRETS_ENCRYPTION_KEYS is missing" in result.stderr
    assert "SECRETS_ENCRYPTION_KEYS=<new key>,<your SECRET_KEY>" in result.stderr
    assert "manage.py rotate_secrets" in result.stderr


def test_an_encryption_key_list_without_a_key_is_refused():
    for value in [",", " , ,"]:
        stderr = refusal(SECRETS_ENCRYPTION_KEYS=value)
        assert "The setting SECRETS_ENCRYPTION_KEYS lists no key" in stderr


def test_production_starts_while_rotating_away_from_the_secret_key():
    # The old default may stay as a decrypting key while `rotate_secrets` runs.
    keys = f"{PRODUCTION['SECRETS_ENCRYPTION_KEYS']},{PRODUCTION['SECRET_KEY']}"
    result = run_manage("check", env={**PRODUCTION, "SECRETS_ENCRYPTION_KEYS": keys})
    assert result.returncode == 0, result.stderr


def test_development_keeps_its_livekit_dev_keys_and_secret_key_encryption():
    code = (
        "from django.conf import settings as s; "
        "print(s.LIVEKIT_API_KEY, s.LIVEKIT_API_SECRET, "
        "s.SECRETS_ENCRYPTION_KEYS == [s.SECRET_KEY])"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env={"DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["devkey", "secret", "True"]

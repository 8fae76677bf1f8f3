import subprocess
import sys

from tests.processes import BASE_DIR

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7!q-production-secret-that-is-long-and-random-enough-0123456789abcdef",
    "ALLOWED_HOSTS": "interviews.example.com",
    "DATABASE_URL": "postgres://u:p@db.example.com:5432/interviews",
    "REDIS_URL": "redis://redis.example.com:6379/0",
    "LIVEKIT_URL": "wss://livekit.example.com",
    "LIVEKIT_API_KEY": "APIkey",
    "LIVEKIT_API_SECRET": "livekit-secret",
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
    for name in ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "LIVEKIT_API_SECRET"]:
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

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command


def test_it_creates_the_first_admin_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "root-admin")
    monkeypatch.setenv("ADMIN_PASSWORD", "s3cret-pass-phrase")
    call_command("ensure_admin")
    user = authenticate(username="root-admin", password="s3cret-pass-phrase")
    assert user is not None and user.is_admin


def test_running_it_again_resets_the_password(db, monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "root-admin")
    monkeypatch.setenv("ADMIN_PASSWORD", "first-pass-phrase")
    call_command("ensure_admin")
    monkeypatch.setenv("ADMIN_PASSWORD", "second-pass-phrase")
    call_command("ensure_admin")
    assert authenticate(username="root-admin", password="second-pass-phrase") is not None


def test_it_names_the_missing_variable(db, monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "root-admin")
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="Set ADMIN_PASSWORD"):
        call_command("ensure_admin")


def test_it_says_whether_a_second_run_changed_the_password(db, monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "root-admin")
    monkeypatch.setenv("ADMIN_PASSWORD", "first-pass-phrase")
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    call_command("ensure_admin", stdout=out)
    monkeypatch.setenv("ADMIN_PASSWORD", "second-pass-phrase")
    call_command("ensure_admin", stdout=out)
    assert out.getvalue().splitlines() == [
        "Created admin root-admin.",
        "Admin root-admin already exists; its password is unchanged.",
        "Admin root-admin already existed; its password was reset from ADMIN_PASSWORD.",
    ]

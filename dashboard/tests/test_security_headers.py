"""Content-Security-Policy and Permissions-Policy on the pages, as a browser receives them."""

import base64
import hashlib
import re

import pytest
from django.conf import settings
from django.test import AsyncClient

from dashboard.tests.test_settings import PRODUCTION, run_manage
from tests.processes import BASE_DIR


def directives(response):
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def permissions(response):
    header = response.headers["Permissions-Policy"]
    return dict(part.strip().split("=", 1) for part in header.split(","))


def test_pages_run_only_this_sites_scripts_and_styles(client):
    policy = directives(client.get("/accounts/login/"))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "'unsafe-eval'" not in sum(policy.values(), [])
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]


def test_browsers_may_connect_back_here_and_to_the_livekit_server(client):
    policy = directives(client.get("/accounts/login/"))

    # 'self' covers fetch and, in CSP 3, ws:/wss: to this site (the live updates).
    assert policy["connect-src"][0] == "'self'"
    public = settings.LIVEKIT_PUBLIC_URL  # ws://127.0.0.1:7880 in the test environment
    assert public.startswith("ws://")
    http_form = "http://" + public.removeprefix("ws://")
    assert policy["connect-src"][1:] == [public, http_form]


def test_production_allows_its_livekit_server_over_wss_and_https():
    code = (
        "from django.conf import settings as s; "
        "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src'])"
    )
    env = {**PRODUCTION, "LIVEKIT_PUBLIC_URL": "wss://rtc.example.com/"}
    result = run_manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "[\"'self'\", 'wss://rtc.example.com', 'https://rtc.example.com']"
    )


def test_a_livekit_public_url_that_is_no_address_is_refused():
    result = run_manage("check", env={**PRODUCTION, "LIVEKIT_PUBLIC_URL": "rtc.example.com"})
    assert result.returncode != 0
    assert "LIVEKIT_PUBLIC_URL must be a ws://, wss://, http:// or https:// address" in (
        result.stderr
    )


def test_the_error_page_keeps_its_inline_style(client):
    page = (BASE_DIR / "templates" / "500.html").read_text()
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()

    assert f"'sha256-{digest}'" in directives(client.get("/accounts/login/"))["style-src"]


def test_no_page_has_inline_script_handlers_or_style_attributes():
    """The policy allows no inline script: every template loads its scripts from files."""
    for template in (BASE_DIR / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{template.name}: inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template.name}: inline handler"
        assert not re.search(r"\sstyle\s*=", text), f"{template.name}: style attribute"
        assert "javascript:" not in text, template.name


def test_the_microphone_is_off_on_every_page_but_the_join_page(client):
    policy = permissions(client.get("/accounts/login/"))

    assert policy["microphone"] == "()"
    assert policy["camera"] == "()"


@pytest.mark.django_db
def test_the_recruiters_pages_have_no_microphone_or_camera(recruiter_client, scheduled_interview):
    interview, _secret = scheduled_interview

    for path in ["/", "/interviews/", f"/interviews/{interview.pk}/", "/candidates/"]:
        response = recruiter_client.get(path)
        assert response.status_code == 200, path
        assert permissions(response)["microphone"] == "()", path
        assert permissions(response)["camera"] == "()", path


@pytest.mark.django_db
def test_the_join_page_may_use_the_microphone_and_never_the_camera(client, scheduled_interview):
    _interview, secret = scheduled_interview

    response = client.get(f"/join/{secret}/")

    assert response.status_code == 200
    assert permissions(response)["microphone"] == "(self)"
    assert permissions(response)["camera"] == "()"
    assert "connect-src" in directives(response)


@pytest.mark.django_db
def test_a_join_link_that_cannot_be_used_asks_for_no_microphone(client, scheduled_interview):
    interview, secret = scheduled_interview
    interview.status = "cancelled"
    interview.save(update_fields=["status"])

    response = client.get(f"/join/{secret}/")

    assert response.status_code == 410
    assert permissions(response)["microphone"] == "()"


async def test_the_headers_are_sent_on_the_asynchronous_path_too():
    response = await AsyncClient().get("/accounts/login/")

    assert response.status_code == 200
    assert permissions(response)["microphone"] == "()"
    assert directives(response)["script-src"] == ["'self'"]

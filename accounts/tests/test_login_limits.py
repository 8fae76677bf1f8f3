"""Sign-in rate limits (django-axes in Redis): per IP address and per user name, on the
login page and the Django admin's, with a lockout page that says when to try again."""

import http.client
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse

RIGHT = "correct horse battery"


def sign_in(client, username, password, *, ip="10.0.0.1", url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail_until_locked(client, settings, username, *, ip="10.0.0.1", url=None):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, username, "wrong password", ip=ip, url=url)
    return response


def test_wrong_passwords_up_to_the_limit_lock_sign_in_with_a_page_that_says_when(
    client, recruiter, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "rita", "wrong password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()

    response = sign_in(client, "rita", "wrong password")

    assert response.status_code == 429
    page = response.content.decode()
    assert "Signing in is paused" in page
    assert f"There were {settings.AXES_FAILURE_LIMIT} wrong passwords in a row" in page
    assert "Try again in 15 minutes." in page
    assert response["Retry-After"] == "900"


def test_the_right_password_is_refused_until_the_lockout_lifts(client, recruiter, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    fail_until_locked(client, settings, "rita")

    refused = sign_in(client, "rita", RIGHT)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Try again in 1 second." in refused.content.decode()

    time.sleep(1.5)
    response = sign_in(client, "rita", RIGHT)

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_another_ip_address_signs_in_another_user_but_not_the_locked_user_name(
    client, recruiter, admin_user, settings
):
    fail_until_locked(client, settings, "rita", ip="10.0.0.1")

    other_user = sign_in(client, "ada", RIGHT, ip="10.0.0.2")
    assert other_user.status_code == 302
    client.post(reverse("logout"))

    assert sign_in(client, "ada", RIGHT, ip="10.0.0.1").status_code == 429
    assert sign_in(client, "rita", RIGHT, ip="10.0.0.3").status_code == 429


def test_the_django_admin_login_is_limited_too(client, admin_user, settings):
    admin_login = reverse("admin:login")

    response = fail_until_locked(client, settings, "ada", url=admin_login)

    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert sign_in(client, "ada", RIGHT, url=admin_login).status_code == 429
    assert sign_in(client, "ada", RIGHT).status_code == 429


def test_a_person_who_gets_their_password_right_is_never_counted(client, recruiter, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in(client, "rita", RIGHT)
        assert response.status_code == 302
        client.post(reverse("logout"))


def test_uvicorn_serves_the_lockout_page_too(web_server, recruiter, settings):
    """The ASGI stack runs django-axes' middleware in its async form."""
    token = secrets.token_hex(16)
    host = web_server.removeprefix("http://")
    statuses = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        connection = http.client.HTTPConnection(host, timeout=30)
        connection.request(
            "POST",
            "/accounts/login/",
            body=urlencode({"username": "rita", "password": "wrong", "csrfmiddlewaretoken": token}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={token}",
            },
        )
        response = connection.getresponse()
        statuses.append(response.status)
        page = response.read().decode()
        connection.close()

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert "Signing in is paused" in page

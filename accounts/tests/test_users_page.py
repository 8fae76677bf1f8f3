"""The users page: password errors where they belong, and invite links."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invite, User
from accounts.services import user_invite
from dashboard.links import link_secret_hash

NEW_USER = {"username": "rob", "email": "rob@example.com", "role": "recruiter"}
STRONG = "a-long-unusual-passphrase"


def field_block(html, name):
    """The HTML of one field's block in the form partial, from its label to the next one."""
    start = html.index(f'<label for="id_{name}"')
    end = html.find('<div class="field', start)
    return html[start : end if end != -1 else len(html)]


def invite_url(html):
    return re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', html).group(1)


# --- password errors --------------------------------------------------------------


def test_a_weak_password_is_flagged_under_the_password_not_the_confirmation(admin_client):
    response = admin_client.post(
        reverse("users:create"), {**NEW_USER, "password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "This password is entirely numeric." in errors["password1"]
    assert "This password is too common." in errors["password1"]
    assert "password2" not in errors
    html = response.content.decode()
    assert "entirely numeric" in field_block(html, "password1")
    assert "entirely numeric" not in field_block(html, "password2")


def test_passwords_that_differ_are_flagged_under_the_confirmation(admin_client):
    response = admin_client.post(
        reverse("users:create"), {**NEW_USER, "password1": STRONG, "password2": STRONG + "x"}
    )
    errors = response.context["form"].errors
    assert list(errors) == ["password2"]
    assert "didn’t match" in errors["password2"][0]
    html = response.content.decode()
    assert "didn’t match" in field_block(html, "password2")


def test_a_weak_password_that_also_differs_gets_each_error_under_its_own_field(admin_client):
    response = admin_client.post(
        reverse("users:create"), {**NEW_USER, "password1": "rob", "password2": "bob"}
    )
    errors = response.context["form"].errors
    assert any("too short" in e for e in errors["password1"])
    assert any("didn’t match" in e for e in errors["password2"])
    assert not any("too short" in e for e in errors["password2"])


def test_setting_a_password_now_still_works(admin_client, client):
    response = admin_client.post(
        reverse("users:create"), {**NEW_USER, "password1": STRONG, "password2": STRONG}
    )
    assert response.status_code == 302
    assert client.login(username="rob", password=STRONG)


# --- invites -------------------------------------------------------------------------


def test_an_invite_creates_a_user_without_a_password_and_shows_the_link_once(admin_client):
    response = admin_client.post(reverse("users:invite"), NEW_USER, follow=True)

    html = response.content.decode()
    rob = User.objects.get(username="rob")
    assert rob.is_recruiter and not rob.is_admin and not rob.is_staff
    assert not rob.has_usable_password()
    url = invite_url(html)
    assert url.startswith("http://testserver/accounts/invite/")
    secret = url.rstrip("/").rsplit("/", 1)[1]
    invite = Invite.objects.get(user=rob)
    assert invite.secret_hash == link_secret_hash(secret)
    assert secret not in invite.secret_hash
    assert invite.expires_at - timezone.now() > timedelta(hours=71)
    assert "This link is shown only now" in html
    assert "mailto:rob%40example.com" in html
    assert "Invited" in html
    again = admin_client.get(reverse("users:list")).content.decode()
    assert secret not in again
    assert "Invited" in again


def test_an_invite_for_a_taken_username_is_refused(admin_client, recruiter):
    response = admin_client.post(reverse("users:invite"), {**NEW_USER, "username": "RITA"})
    assert "already exists" in response.content.decode()
    assert Invite.objects.count() == 0


def test_the_invited_person_sets_their_password_once(admin_user, client):
    rob, secret = user_invite(user=User(username="rob", role="recruiter"), created_by=admin_user)
    url = reverse("invite_accept", args=[secret])

    page = client.get(url)
    assert page.status_code == 200
    assert "Set your password" in page.content.decode()
    assert "rob" in page.content.decode()

    response = client.post(url, {"new_password1": STRONG, "new_password2": STRONG}, follow=True)

    assert "Your password is set. Welcome, rob." in response.content.decode()
    assert response.context["user"] == rob  # signed in
    rob.refresh_from_db()
    assert rob.check_password(STRONG)
    assert Invite.objects.get(user=rob).used_at is not None
    client.logout()
    assert client.login(username="rob", password=STRONG)
    client.logout()

    reused = client.get(url)
    assert reused.status_code == 410
    assert "already used to set a password" in reused.content.decode()
    assert 'name="new_password1"' not in reused.content.decode()
    replay = client.post(url, {"new_password1": "other-" + STRONG, "new_password2": "x"})
    assert replay.status_code == 410
    rob.refresh_from_db()
    assert rob.check_password(STRONG)


def test_the_set_password_page_puts_strength_errors_under_the_password(admin_user, client):
    _rob, secret = user_invite(user=User(username="rob"), created_by=admin_user)
    response = client.post(
        reverse("invite_accept", args=[secret]),
        {"new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "This password is too common." in errors["new_password1"]
    assert "new_password2" not in errors
    assert Invite.objects.get().used_at is None  # a refused password does not use the link


@pytest.mark.parametrize(
    "spoil, status, message",
    [
        ("expire", 410, "This invite link has expired. Ask your admin for a new one."),
        ("deactivate", 410, "This account was deactivated."),
        ("mistype", 404, "This invite link is not valid."),
    ],
)
def test_a_link_that_cannot_be_used_says_why_in_plain_words(
    admin_user, client, spoil, status, message
):
    rob, secret = user_invite(user=User(username="rob"), created_by=admin_user)
    if spoil == "expire":
        Invite.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    elif spoil == "deactivate":
        User.objects.filter(pk=rob.pk).update(is_active=False)
    else:
        secret = secret[:-2]
    url = reverse("invite_accept", args=[secret])

    for response in (
        client.get(url),
        client.post(url, {"new_password1": STRONG, "new_password2": STRONG}),
    ):
        assert response.status_code == status
        assert message in response.content.decode()
    rob.refresh_from_db()
    assert not rob.has_usable_password()


def test_a_new_invite_link_replaces_the_old_one(admin_client, admin_user, client):
    rob, old_secret = user_invite(user=User(username="rob"), created_by=admin_user)

    response = admin_client.post(reverse("users:new_invite", args=[rob.pk]), follow=True)

    new_secret = invite_url(response.content.decode()).rstrip("/").rsplit("/", 1)[1]
    assert new_secret != old_secret
    assert client.get(reverse("invite_accept", args=[old_secret])).status_code == 410
    assert client.get(reverse("invite_accept", args=[new_secret])).status_code == 200


def test_a_user_with_a_password_gets_no_invite_link(admin_client, recruiter):
    page = admin_client.get(reverse("users:list")).content.decode()
    assert "New invite link" not in page
    response = admin_client.post(reverse("users:new_invite", args=[recruiter.pk]), follow=True)
    assert "already has a password" in response.content.decode()
    assert Invite.objects.count() == 0


def test_recruiters_cannot_invite(recruiter_client, recruiter):
    assert recruiter_client.get(reverse("users:invite")).status_code == 403
    assert recruiter_client.post(reverse("users:invite"), NEW_USER).status_code == 403
    response = recruiter_client.post(reverse("users:new_invite", args=[recruiter.pk]))
    assert response.status_code == 403
    assert not User.objects.filter(username="rob").exists()

"""The API tokens page: a token is shown once, listed by its prefix, and revoked there."""

import html
import re

from django.urls import reverse

from api.models import ApiToken
from api.services import token_create


def text(response):
    return html.unescape(response.content.decode())


def test_the_user_menu_links_to_the_tokens_page(recruiter_client):
    page = text(recruiter_client.get(reverse("home"), follow=True))
    assert f'href="{reverse("api:tokens")}"' in page


def test_a_new_token_is_shown_once_and_only_its_prefix_afterwards(recruiter_client, recruiter):
    response = recruiter_client.post(reverse("api:tokens"), {"name": "ATS sync"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'id="new-token" type="text" readonly value="([^"]+)"', text(response))[1]
    token = ApiToken.objects.get(user=recruiter)
    assert token.name == "ATS sync"
    assert secret.startswith("vi_") and token.prefix == secret[:11]

    again = text(recruiter_client.get(reverse("api:tokens")))
    assert secret not in again
    assert "ATS sync" in again
    assert f"{token.prefix}…" in again
    assert "Never" in again


def test_a_token_without_a_name_is_refused_in_plain_words(recruiter_client):
    response = recruiter_client.post(reverse("api:tokens"), {"name": "  "})
    assert "Give the token a name, so you know what uses it." in text(response)
    assert not ApiToken.objects.exists()


def test_people_see_only_their_own_tokens(recruiter_client, admin_user):
    token_create(user=admin_user, name="Admin scripts")
    assert "Admin scripts" not in text(recruiter_client.get(reverse("api:tokens")))


def test_nobody_revokes_someone_elses_token(recruiter_client, admin_user):
    token, _secret = token_create(user=admin_user, name="Admin scripts")
    response = recruiter_client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_revoked_token_is_marked_so_on_the_page(recruiter_client, recruiter):
    token, _secret = token_create(user=recruiter, name="Old script")
    response = recruiter_client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)
    page = text(response)
    assert "The token “Old script” is revoked" in page
    assert "Revoked" in page


def test_the_tokens_page_needs_a_sign_in(client, db):
    response = client.get(reverse("api:tokens"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]

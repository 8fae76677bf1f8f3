from django.urls import reverse

from accounts.models import User


def test_anonymous_people_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("providers:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_signs_in_and_sees_their_name(client, recruiter):
    response = client.post(
        reverse("login"), {"username": "rita", "password": "correct horse battery"}, follow=True
    )
    assert response.status_code == 200
    assert "Welcome, rita" in response.content.decode()


def test_a_wrong_password_is_explained_and_the_username_kept(client, recruiter):
    response = client.post(reverse("login"), {"username": "rita", "password": "nope"})
    page = response.content.decode()
    assert "Please enter a correct username and password" in page
    assert 'value="rita"' in page


def test_signing_out_ends_the_session(recruiter_client):
    recruiter_client.post(reverse("logout"))
    response = recruiter_client.get(reverse("home"))
    assert response.status_code == 302


def test_a_recruiter_cannot_open_admin_pages(recruiter_client):
    for name in ["providers:list", "users:list", "users:create"]:
        response = recruiter_client.get(reverse(name))
        assert response.status_code == 403
        assert "Only admins" in response.content.decode()


def test_an_admin_can_do_recruiter_work_too(admin_client):
    assert admin_client.get(reverse("resumes:list")).status_code == 200
    assert admin_client.get(reverse("users:list")).status_code == 200


def test_navigation_shows_only_what_the_role_may_use(recruiter_client):
    page = recruiter_client.get(reverse("home")).content.decode()
    assert "Candidates" in page
    assert "Model providers" not in page


def test_an_admin_adds_a_recruiter_who_can_then_sign_in(admin_client, client):
    response = admin_client.post(
        reverse("users:create"),
        {
            "username": "rob",
            "email": "rob@example.com",
            "role": "recruiter",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    rob = User.objects.get(username="rob")
    assert rob.is_recruiter and not rob.is_admin


def test_an_admin_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(reverse("users:toggle_active", args=[admin_user.pk]), follow=True)
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert "cannot deactivate your own account" in response.content.decode()

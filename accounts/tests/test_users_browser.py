"""The users page in a real browser: errors that go once fixed, and an invite used once."""

from playwright.sync_api import expect

WIDTHS = (1280, 390)
STRONG = "a-long-unusual-passphrase"
FIXTURE_PASSWORD = "correct horse battery"  # noqa: S105 - the test users' password


def screenshots(page, path, name):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(path / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def sign_in(page, web_server, username, password=FIXTURE_PASSWORD):
    page.goto(f"{web_server}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def field(page, name):
    return page.locator(".field").filter(has=page.locator(f"#id_{name}"))


def test_editing_a_field_removes_its_stale_error_and_only_its_own(
    web_server, admin_user, page, tmp_path
):
    sign_in(page, web_server, "ada")
    page.goto(f"{web_server}/users/new/")
    page.locator("#id_username").fill("rob")
    page.locator("#id_password1").fill("12345678")
    page.locator("#id_password2").fill("1234567")
    page.get_by_role("button", name="Create user").click()

    password, confirmation = field(page, "password1"), field(page, "password2")
    expect(password.locator(".error")).to_contain_text(["This password is too common."])
    expect(confirmation.locator(".error")).to_have_text("The two password fields didn’t match.")
    screenshots(page, tmp_path, "user-form-errors")

    page.locator("#id_password1").fill("a-long-unusual-passphrase")
    expect(password.locator(".error")).to_have_count(0)
    expect(password).not_to_have_class("field has-error")
    expect(confirmation.locator(".error")).to_have_count(1)  # not edited yet
    page.locator("#id_password2").press("End")
    page.locator("#id_password2").press("x")
    expect(confirmation.locator(".error")).to_have_count(0)

    # The provider form has fields of its own; the same holds there.
    page.goto(f"{web_server}/providers/new/")
    page.get_by_label("LLM base URL").fill("gpu-box:8000/v1")
    page.get_by_role("button", name="Create profile").click()
    url_field = page.locator(".field").filter(has=page.locator("#id_llm_base_url"))
    expect(url_field.locator(".error")).to_contain_text("Start the address with http://")
    page.locator("#id_llm_base_url").fill("http://gpu-box:8000/v1")
    expect(url_field.locator(".error")).to_have_count(0)
    name_field = page.locator(".field").filter(has=page.locator("#id_name"))
    expect(name_field.locator(".error")).to_have_count(1)


def test_an_admin_invites_a_recruiter_who_sets_their_own_password_once(
    web_server, admin_user, page, tmp_path
):
    sign_in(page, web_server, "ada")
    page.goto(f"{web_server}/users/")
    page.get_by_role("link", name="Invite a user").click()
    screenshots(page, tmp_path, "invite-form")
    page.get_by_label("Username").fill("rob")
    page.get_by_label("Email address").fill("rob@example.com")
    page.get_by_label("Role").select_option("recruiter")
    page.get_by_role("button", name="Create invite link").click()

    link = page.get_by_role("textbox", name="Invite link")
    expect(link).to_be_visible()
    url = link.input_value()
    assert url.startswith(f"{web_server}/accounts/invite/")
    expect(page.get_by_role("row").filter(has_text="rob")).to_contain_text("Invited")
    screenshots(page, tmp_path, "users-invite-link")
    page.reload()
    expect(page.get_by_role("textbox", name="Invite link")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Sign out").click()

    page.goto(url)
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    page.locator("#id_new_password1").fill("password")
    page.get_by_label("The same password again").fill("password")
    page.get_by_role("button", name="Set password and sign in").click()
    too_common = "This password is too common."
    expect(field(page, "new_password1").locator(".error")).to_have_text(too_common)
    screenshots(page, tmp_path, "set-password-errors")
    page.locator("#id_new_password1").fill(STRONG)
    page.get_by_label("The same password again").fill(STRONG)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_text("Your password is set. Welcome, rob.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(url)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_text("already used to set a password")).to_be_visible()
    screenshots(page, tmp_path, "invite-used")
    sign_in(page, web_server, "rob", STRONG)

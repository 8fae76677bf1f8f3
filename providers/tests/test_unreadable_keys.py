"""A profile whose stored API key no configured key decrypts (SECRETS_ENCRYPTION_KEYS
changed without `rotate_secrets`) can still be opened, edited and saved."""

import pytest
from django.urls import reverse

from providers.models import ProviderProfile
from providers.tests.provider_helpers import STT_KEY, TTS_KEY, make_fake_profile
from providers.tests.test_provider_pages import form_data, stored_column


@pytest.fixture
def lost_llm_key(db, fake_openai, settings):
    """A profile whose LLM key was encrypted with a key since dropped; its other keys read."""
    settings.SECRETS_ENCRYPTION_KEYS = ["old-secret"]
    profile = make_fake_profile(fake_openai, name="Lost key", stt_api_key="", tts_api_key="")
    settings.SECRETS_ENCRYPTION_KEYS = ["new-secret"]
    ProviderProfile.objects.filter(pk=profile.pk).update(stt_api_key=STT_KEY, tts_api_key=TTS_KEY)
    return profile


def edit_url(profile):
    return reverse("providers:edit", args=[profile.pk])


def test_the_edit_page_says_which_key_is_unreadable_and_shows_everything_else(
    admin_client, lost_llm_key
):
    response = admin_client.get(edit_url(lost_llm_key))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("key unreadable: enter it again") == 1
    llm_key_field = html[html.index('name="llm_api_key"') : html.index('name="llm_temperature"')]
    assert "key unreadable: enter it again" in llm_key_field
    assert 'name="clear_llm_api_key"' in llm_key_field
    assert 'value="Lost key"' in html
    assert 'value="fake-model"' in html
    assert html.count("Stored key: <strong>set</strong>") == 2


def test_saving_with_the_key_entered_again_stores_it_and_keeps_the_others(
    admin_client, lost_llm_key
):
    data = form_data(lost_llm_key, llm_api_key="sk-typed-again-123456", llm_model="other")

    response = admin_client.post(edit_url(lost_llm_key), data)

    assert response.status_code == 302
    profile = ProviderProfile.objects.get(pk=lost_llm_key.pk)
    assert profile.llm_api_key == "sk-typed-again-123456"
    assert profile.llm_model == "other"
    assert (profile.stt_api_key, profile.tts_api_key) == (STT_KEY, TTS_KEY)
    assert "key unreadable" not in admin_client.get(edit_url(profile)).content.decode()


def test_saving_without_the_key_keeps_the_form_and_says_to_enter_it_again(
    admin_client, lost_llm_key
):
    ciphertext = stored_column(lost_llm_key, "llm_api_key")
    data = form_data(lost_llm_key, llm_model="typed-model")

    response = admin_client.post(edit_url(lost_llm_key), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "The stored key can&#x27;t be read any more, so it must be entered again" in html
    assert 'value="typed-model"' in html
    assert stored_column(lost_llm_key, "llm_api_key") == ciphertext


def test_clearing_the_unreadable_key_saves_the_profile_without_it(admin_client, lost_llm_key):
    data = form_data(lost_llm_key, clear_llm_api_key="on")

    response = admin_client.post(edit_url(lost_llm_key), data)

    assert response.status_code == 302
    assert ProviderProfile.objects.get(pk=lost_llm_key.pk).llm_api_key == ""


def test_the_profile_list_still_opens(admin_client, lost_llm_key):
    response = admin_client.get(reverse("providers:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Lost key" in html
    assert html.count("key unreadable: enter it again") == 1


def test_duplicating_a_profile_with_an_unreadable_key_shows_the_copy_asking_for_it(
    admin_client, lost_llm_key
):
    response = admin_client.get(reverse("providers:duplicate", args=[lost_llm_key.pk]))

    assert response.status_code == 200
    assert "key unreadable: enter it again" in response.content.decode()


def test_testing_or_activating_it_sends_the_admin_to_enter_the_key_again(
    admin_client, lost_llm_key
):
    for action in ("providers:test", "providers:activate"):
        response = admin_client.post(reverse(action, args=[lost_llm_key.pk]), follow=True)

        assert response.redirect_chain[-1][0] == edit_url(lost_llm_key)
        assert (
            "be used until the key is entered again on its edit page" in response.content.decode()
        )
    assert not ProviderProfile.objects.filter(pk=lost_llm_key.pk, is_active=True).exists()


def test_a_profile_with_an_unreadable_key_can_be_deleted(admin_client, lost_llm_key):
    response = admin_client.post(reverse("providers:delete", args=[lost_llm_key.pk]))

    assert response.status_code == 302
    assert not ProviderProfile.objects.filter(pk=lost_llm_key.pk).exists()

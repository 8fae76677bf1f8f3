"""The admin pages for provider profiles: forms, write-only keys, actions, permissions."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from providers.models import ProviderProfile
from providers.services import profile_activate, profile_run_checks
from providers.tests.provider_helpers import (
    ALL_KEYS,
    LLM_KEY,
    STT_KEY,
    TAVUS_KEY,
    TTS_KEY,
    healthy_fake,
    make_fake_profile,
)
from tests.fake_openai import Reply

BLANK_FORM = {
    "name": "GPU box",
    "description": "",
    "llm_base_url": "http://gpu-box:8000/v1",
    "llm_model": "qwen-14b",
    "llm_temperature": "0.7",
    "llm_max_tokens": "300",
    "stt_base_url": "http://gpu-box:8001/v1",
    "stt_model": "medium",
    "stt_language": "en",
    "tts_base_url": "http://gpu-box:8880/v1",
    "tts_model": "kokoro",
    "tts_voice": "af_bella",
    "tts_speed": "1.0",
    "tts_response_format": "pcm",
    "min_endpointing_delay": "0.5",
    "max_endpointing_delay": "3.0",
    "vad_min_silence": "0.55",
    "gate_max_sentences": "2",
    "gate_max_words": "40",
    "gate_repeat_window": "12",
    "allow_interruptions": "on",
    "persona": "You are Alex.",
    "instructions_template": "",
    "tavus_face_id": "",
    "tavus_pal_id": "",
}
CHECKBOXES = ("allow_interruptions", "avatar_enabled")


def form_data(profile=None, **overrides):
    """What the browser posts: every field (from `profile` when given), key fields blank."""
    data = dict(BLANK_FORM)
    if profile is not None:
        data = {field: str(getattr(profile, field)) for field in BLANK_FORM}
        for flag in CHECKBOXES:
            data.pop(flag, None)
            if getattr(profile, flag):
                data[flag] = "on"
    data.update(overrides)
    return data


def stored_column(profile, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM dashboard_providerprofile WHERE id = %s",  # noqa: S608
            [profile.pk],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def keyed_profile(db, fake_openai):
    profile = make_fake_profile(
        fake_openai,
        name="Keyed",
        avatar_enabled=True,
        tavus_face_id="face-1",
        tavus_pal_id="pal-1",
        tavus_api_key=TAVUS_KEY,
    )
    return profile


def assert_no_keys(content):
    text = content.decode() if isinstance(content, bytes) else content
    for key in ALL_KEYS:
        assert key not in text


# --- list --------------------------------------------------------------------


def test_the_list_shows_the_active_badge_and_each_services_last_check(admin_client, fake_openai):
    active = make_fake_profile(fake_openai, name="Active one")
    profile_activate(profile=active)
    make_fake_profile(fake_openai, name="Spare")
    healthy_fake(fake_openai)
    fake_openai.script("transcriptions", Reply.error(401, "wrong key"))
    profile_run_checks(profile_id=active.pk)

    response = admin_client.get(reverse("providers:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(">Active</span>") == 1
    assert "Active one" in html and "Spare" in html
    assert "Chat reply" in html and "JSON reply" in html and "ms</span>" in html
    assert "Transcription" in html and "Speech synthesis" in html
    assert "rejected the API key (401)" in html
    assert "some checks failed" in html
    assert html.count('chip chip-ok">Working') == 2  # LLM and TTS
    assert html.count('chip chip-bad">Problem') == 1  # STT
    assert "js/providers.js" in html
    assert_no_keys(html)


def test_a_new_install_without_profiles_is_invited_to_create_one(admin_client):
    response = admin_client.get(reverse("providers:list"))
    assert "No provider profiles yet" in response.content.decode()


# --- create / edit / duplicate ------------------------------------------------


def test_an_admin_creates_a_profile_with_keys_encrypted_at_rest(admin_client):
    response = admin_client.post(
        reverse("providers:create"),
        form_data(llm_api_key=LLM_KEY, tts_api_key=TTS_KEY),
    )
    assert response.status_code == 302
    profile = ProviderProfile.objects.get(name="GPU box")
    assert profile.llm_base_url == "http://gpu-box:8000/v1"
    assert (profile.llm_api_key, profile.stt_api_key, profile.tts_api_key) == (
        LLM_KEY,
        "",
        TTS_KEY,
    )
    assert LLM_KEY not in stored_column(profile, "llm_api_key")
    assert profile.is_active is False


def test_the_edit_form_says_set_or_not_set_and_never_shows_a_key(admin_client, keyed_profile):
    keyed_profile.stt_api_key = ""
    keyed_profile.save()
    response = admin_client.get(reverse("providers:edit", args=[keyed_profile.pk]))
    html = response.content.decode()
    assert "Stored key: <strong>set</strong>" in html
    assert "Stored key: <strong>not set</strong>" in html
    assert 'name="clear_llm_api_key"' in html
    assert 'name="clear_stt_api_key"' not in html  # nothing to clear
    assert_no_keys(html)


def test_saving_with_a_blank_key_keeps_the_stored_one(admin_client, keyed_profile):
    data = form_data(keyed_profile, llm_model="other-model")
    response = admin_client.post(reverse("providers:edit", args=[keyed_profile.pk]), data)
    assert response.status_code == 302
    keyed_profile.refresh_from_db()
    assert keyed_profile.llm_model == "other-model"
    assert keyed_profile.llm_api_key == LLM_KEY
    assert keyed_profile.tavus_api_key == TAVUS_KEY


def test_typing_a_key_replaces_it_and_clear_removes_it(admin_client, keyed_profile):
    data = form_data(keyed_profile, llm_api_key="sk-new-key-123456", clear_stt_api_key="on")
    admin_client.post(reverse("providers:edit", args=[keyed_profile.pk]), data)
    keyed_profile.refresh_from_db()
    assert keyed_profile.llm_api_key == "sk-new-key-123456"
    assert keyed_profile.stt_api_key == ""
    assert keyed_profile.tts_api_key == TTS_KEY


def test_typing_and_clearing_the_same_key_is_refused(admin_client, keyed_profile):
    data = form_data(keyed_profile, llm_api_key="sk-new-key-123456", clear_llm_api_key="on")
    response = admin_client.post(reverse("providers:edit", args=[keyed_profile.pk]), data)
    assert response.status_code == 400
    assert "Either enter a new key" in response.content.decode()
    assert "enter them once more" in response.content.decode()
    assert "sk-new-key-123456" not in response.content.decode()


def test_duplicating_copies_settings_and_keys_but_not_activation(admin_client, keyed_profile):
    profile_activate(profile=keyed_profile)
    url = reverse("providers:duplicate", args=[keyed_profile.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="Keyed (copy)"' in page
    assert_no_keys(page)

    data = form_data(keyed_profile, name="Keyed (copy)")
    response = admin_client.post(url, data)

    assert response.status_code == 302
    copy = ProviderProfile.objects.get(name="Keyed (copy)")
    assert copy.pk != keyed_profile.pk
    assert copy.is_active is False
    assert (copy.llm_api_key, copy.tavus_api_key) == (LLM_KEY, TAVUS_KEY)
    assert copy.llm_base_url == keyed_profile.llm_base_url
    keyed_profile.refresh_from_db()
    assert keyed_profile.is_active is True


# --- validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("llm_base_url", "gpu-box:8000/v1", "Start the address with http:// or https://"),
        ("llm_base_url", "ftp://gpu-box/v1", "&quot;ftp://&quot; is not supported"),
        ("stt_base_url", "http:///v1", "has no host name"),
        ("stt_base_url", "http://gpu-box:99999/v1", "port must be a number"),
        (
            "llm_base_url",
            "http://gpu-box:8000/v1/chat/completions",
            "Enter http://gpu-box:8000/v1 instead",
        ),
        (
            "tts_base_url",
            "https://models.example.com/api/tts/v1/audio/speech/",
            "Enter https://models.example.com/api/tts/v1 instead",
        ),
        (
            "stt_base_url",
            "http://gpu-box:8001/v1/audio/transcriptions",
            "address of the &quot;/audio/transcriptions&quot; endpoint",
        ),
        ("tts_speed", "5", "Speaking speed must be between 0.25 and 4.0"),
        ("tts_speed", "0.1", "Speaking speed must be between 0.25 and 4.0"),
        ("llm_temperature", "2.5", "Temperature must be between 0 and 2"),
        ("max_endpointing_delay", "0.2", "at least the minimum pause (0.5 s)"),
        ("vad_min_silence", "0.1", "The silence must be between 0.25 and 2 seconds"),
    ],
)
def test_mistakes_get_field_level_messages_and_the_typed_data_is_kept(
    admin_client, field, value, message
):
    response = admin_client.post(reverse("providers:create"), form_data(**{field: value}))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'value="GPU box"' in html  # the rest of what was typed is still there
    assert not ProviderProfile.objects.exists()


def test_a_compose_service_name_is_a_valid_host(admin_client):
    response = admin_client.post(
        reverse("providers:create"), form_data(llm_base_url="http://models:8100/api/llm/v1/")
    )
    assert response.status_code == 302
    assert ProviderProfile.objects.get().llm_base_url == "http://models:8100/api/llm/v1"


def test_the_avatar_needs_its_ids_and_key(admin_client):
    response = admin_client.post(reverse("providers:create"), form_data(avatar_enabled="on"))
    html = response.content.decode()
    assert "The avatar needs a Tavus face id." in html
    assert "The avatar needs a Tavus pal id." in html
    assert "The avatar needs a Tavus API key." in html


def test_a_stored_tavus_key_satisfies_the_avatar_unless_it_is_cleared(admin_client, keyed_profile):
    url = reverse("providers:edit", args=[keyed_profile.pk])
    data = form_data(keyed_profile)
    assert admin_client.post(url, data).status_code == 302
    response = admin_client.post(url, {**data, "clear_tavus_api_key": "on"})
    assert "The avatar needs a Tavus API key." in response.content.decode()


# --- delete / activate ------------------------------------------------------------


def test_the_active_profile_cannot_be_deleted_and_the_page_says_why(admin_client, keyed_profile):
    profile_activate(profile=keyed_profile)
    confirm = admin_client.get(reverse("providers:delete", args=[keyed_profile.pk]))
    assert "cannot be deleted" in confirm.content.decode()

    response = admin_client.post(reverse("providers:delete", args=[keyed_profile.pk]), follow=True)

    assert ProviderProfile.objects.filter(pk=keyed_profile.pk).exists()
    assert "is the active profile" in response.content.decode()
    assert "Activate another profile first" in response.content.decode()


def test_an_inactive_profile_is_deleted(admin_client, keyed_profile):
    response = admin_client.post(reverse("providers:delete", args=[keyed_profile.pk]), follow=True)
    assert not ProviderProfile.objects.filter(pk=keyed_profile.pk).exists()
    assert "was deleted" in response.content.decode()


def test_activating_switches_the_active_profile(admin_client, fake_openai):
    first = make_fake_profile(fake_openai, name="First")
    second = make_fake_profile(fake_openai, name="Second")
    profile_activate(profile=first)
    response = admin_client.post(reverse("providers:activate", args=[second.pk]), follow=True)
    assert "Second&quot; is now active" in response.content.decode()
    assert list(ProviderProfile.objects.filter(is_active=True)) == [second]


def test_activation_and_deletion_only_accept_post(admin_client, keyed_profile):
    assert (
        admin_client.get(reverse("providers:activate", args=[keyed_profile.pk])).status_code == 405
    )
    assert admin_client.get(reverse("providers:test", args=[keyed_profile.pk])).status_code == 405


# --- fetch models -----------------------------------------------------------------


def fetch(client, **body):
    return client.post(
        reverse("providers:fetch_models"),
        data=json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


def test_fetch_models_lists_models_and_voices_with_the_stored_key(
    admin_client, keyed_profile, fake_openai
):
    fake_openai.script("voices", Reply(json={"voices": ["af_bella", "am_adam"]}))
    response = fetch(
        admin_client, service="tts", base_url=fake_openai.url, api_key="", profile=keyed_profile.pk
    )
    assert response.status_code == 200
    assert response.json() == {
        "service": "tts",
        "models": ["fake-model"],
        "voices": ["af_bella", "am_adam"],
        "errors": [],
    }
    assert fake_openai.requests["models"][0]["_authorization"] == f"Bearer {TTS_KEY}"
    assert_no_keys(response.content)


def test_fetch_models_prefers_a_typed_key(admin_client, keyed_profile, fake_openai):
    fetch(
        admin_client,
        service="llm",
        base_url=fake_openai.url,
        api_key="sk-typed",
        profile=keyed_profile.pk,
    )
    assert fake_openai.requests["models"][0]["_authorization"] == "Bearer sk-typed"


def test_fetch_models_never_sends_a_stored_key_to_a_new_server(
    admin_client, keyed_profile, fake_openai
):
    other_origin = fake_openai.url.replace("127.0.0.1", "localhost")
    fetch(admin_client, service="llm", base_url=other_origin, api_key="", profile=keyed_profile.pk)
    assert fake_openai.requests["models"][0]["_authorization"] != f"Bearer {LLM_KEY}"


def test_fetch_models_explains_errors_in_words(admin_client, keyed_profile, fake_openai):
    fake_openai.script("models", Reply.error(401, f"bad key {STT_KEY}"))
    response = fetch(
        admin_client, service="stt", base_url=fake_openai.url, profile=keyed_profile.pk
    )
    body = response.json()
    assert response.status_code == 502
    assert body["models"] == []
    assert "rejected the API key (401)" in body["errors"][0]
    assert_no_keys(response.content)


def test_fetch_models_checks_the_base_url_first(admin_client):
    response = fetch(admin_client, service="llm", base_url="http://gpu-box/v1/chat/completions")
    assert response.status_code == 400
    assert "Enter http://gpu-box/v1 instead" in response.json()["errors"][0]


def test_fetch_models_says_when_a_server_has_no_voice_list(admin_client, fake_openai):
    fake_openai.script("voices", Reply(status=404, body=b"Not Found", content_type="text/plain"))
    body = fetch(admin_client, service="tts", base_url=fake_openai.url).json()
    assert body["models"] == ["fake-model"]
    assert "no voice list" in body["errors"][0]


# --- keys never rendered ------------------------------------------------------------


def test_no_page_ever_contains_a_key(admin_client, keyed_profile, fake_openai):
    fake_openai.script("chat", Reply.error(500, f"echo Authorization: Bearer {LLM_KEY}"))
    profile_run_checks(profile_id=keyed_profile.pk)
    pages = [
        reverse("providers:list"),
        reverse("providers:create"),
        reverse("providers:edit", args=[keyed_profile.pk]),
        reverse("providers:duplicate", args=[keyed_profile.pk]),
        reverse("providers:delete", args=[keyed_profile.pk]),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert_no_keys(response.content)
    assert_no_keys(json.dumps(ProviderProfile.objects.get(pk=keyed_profile.pk).last_check))


# --- recruiters -------------------------------------------------------------------


def test_recruiters_cannot_see_or_change_profiles(recruiter_client, keyed_profile):
    pk = keyed_profile.pk
    gets = ["list", "create"] + [(name, pk) for name in ("edit", "duplicate", "delete")]
    for item in gets:
        name, args = (item, []) if isinstance(item, str) else (item[0], [item[1]])
        response = recruiter_client.get(reverse(f"providers:{name}", args=args))
        assert response.status_code == 403, name
    posts = [
        (reverse("providers:create"), form_data(name="Sneaky")),
        (reverse("providers:edit", args=[pk]), form_data(keyed_profile, llm_model="x")),
        (reverse("providers:duplicate", args=[pk]), form_data(name="Sneaky copy")),
        (reverse("providers:delete", args=[pk]), {}),
        (reverse("providers:activate", args=[pk]), {}),
        (reverse("providers:test", args=[pk]), {}),
    ]
    for url, data in posts:
        assert recruiter_client.post(url, data).status_code == 403, url
    response = fetch(recruiter_client, service="llm", base_url="http://x/v1", profile=pk)
    assert response.status_code == 403
    keyed_profile.refresh_from_db()
    assert keyed_profile.llm_model == "fake-model"
    assert keyed_profile.is_active is False
    assert keyed_profile.last_check == {}
    assert ProviderProfile.objects.count() == 1


def test_signed_out_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(reverse("providers:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]

"""The new-profile form starts from a preset of a server teams run, and names its quirks."""

from django.urls import reverse

from providers.models import ProviderProfile
from providers.presets import PRESETS

NEW = reverse("providers:create")


def test_the_form_offers_every_preset(admin_client):
    html = admin_client.get(NEW).content.decode()

    for key, preset in PRESETS.items():
        assert f'href="?preset={key}"' in html
        assert preset.label in html


def test_an_ollama_preset_fills_its_server_and_warns_that_num_ctx_is_ignored(admin_client):
    html = admin_client.get(NEW, {"preset": "ollama"}).content.decode()

    assert 'value="http://127.0.0.1:11434/v1"' in html
    assert 'value="llama3.1:8b"' in html
    assert "ignores “num_ctx”" in html
    # Only the LLM is filled: the other services keep their empty fields.
    assert 'name="stt_base_url" value=' not in html


def test_a_kokoro_preset_fills_the_voice_and_the_raw_pcm_format(admin_client):
    html = admin_client.get(NEW, {"preset": "kokoro"}).content.decode()

    assert 'value="http://127.0.0.1:8880/v1"' in html
    assert 'value="af_heart"' in html
    assert '<option value="pcm" selected>' in html
    assert "raw 24 kHz" in html


def test_an_unknown_preset_says_so_and_starts_empty(admin_client):
    response = admin_client.get(NEW, {"preset": "nope"}, follow=True)

    html = response.content.decode()
    assert "There is no such preset" in html
    assert 'data-role="preset-quirks"' not in html


def test_a_preset_is_only_a_start_nothing_is_saved_until_the_admin_creates_it(admin_client):
    admin_client.get(NEW, {"preset": "localai"})

    assert not ProviderProfile.objects.exists()

from django.core.management import call_command
from django.db import connection

from providers.models import ProviderProfile
from providers.selectors import profile_get_active
from providers.services import profile_default_values


def test_a_new_install_gets_one_active_profile_for_the_embedded_models(db, settings):
    settings.LOCALMODELS_URL = "http://127.0.0.1:8100"
    call_command("ensure_default_profile")
    call_command("ensure_default_profile")
    assert ProviderProfile.objects.count() == 1
    active = profile_get_active()
    assert active.llm_base_url == "http://127.0.0.1:8100/api/llm/v1"


def test_api_keys_are_encrypted_in_the_database_row(db):
    profile = ProviderProfile.objects.create(
        name="GPU box",
        llm_api_key="sk-very-secret-llm",
        **profile_default_values(models_url="http://gpu:8000"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT llm_api_key FROM dashboard_providerprofile WHERE id = %s", [profile.pk]
        )
        stored = cursor.fetchone()[0]
    assert "sk-very-secret-llm" not in stored
    assert ProviderProfile.objects.get(pk=profile.pk).llm_api_key == "sk-very-secret-llm"

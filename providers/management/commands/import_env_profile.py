import os

from django.core.management.base import BaseCommand, CommandError

from providers import services


class Command(BaseCommand):
    help = (
        "Create a provider profile from the env-file setup's variables: OPENAI_API_KEY, "
        "OPENAI_BASE_URL (LLM), STT_BASE_URL, TTS_BASE_URL (all required) and the optional "
        "OPENAI_LLM_MODEL (default qwen-14b), OPENAI_STT_MODEL (medium), OPENAI_TTS_MODEL "
        "(kokoro), OPENAI_TTS_VOICE (af_bella). The one key is stored, encrypted, for all "
        "three services."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", default="Imported from environment", help="Profile name.")
        parser.add_argument("--activate", action="store_true", help="Make it the active profile.")

    def handle(self, *args, name, activate, **options):
        try:
            profile = services.profile_import_env(environ=os.environ, name=name, activate=activate)
        except services.ProfileImportError as error:
            raise CommandError(str(error)) from None
        state = "created and activated" if activate else "created (not active)"
        self.stdout.write(self.style.SUCCESS(f'Profile "{profile.name}" {state}.'))
        self.stdout.write(
            f"Check it with: python manage.py verify_providers --profile '{profile.name}'"
        )

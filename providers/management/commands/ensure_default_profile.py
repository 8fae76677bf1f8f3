from django.conf import settings
from django.core.management.base import BaseCommand

from providers.services import profile_ensure_default


class Command(BaseCommand):
    help = "Create and activate a profile for the embedded model server if no profile exists."

    def handle(self, *args, **options):
        profile = profile_ensure_default(models_url=settings.LOCALMODELS_URL)
        if profile is None:
            self.stdout.write("Provider profiles already exist; nothing to do.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f'Created and activated "{profile.name}" ({profile.llm_base_url}).'
                )
            )

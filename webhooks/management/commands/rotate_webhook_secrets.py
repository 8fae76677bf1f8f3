from django.core.management.base import BaseCommand, CommandError

from webhooks.services import endpoint_rotate_secrets


class Command(BaseCommand):
    help = (
        "Re-encrypt every webhook endpoint's signing secret with the first key of "
        "SECRETS_ENCRYPTION_KEYS. Run it with rotate_secrets, before dropping an old key."
    )

    def handle(self, *args, **options):
        rotated, unreadable = endpoint_rotate_secrets()
        self.stdout.write(
            f"Re-encrypted {rotated} webhook secret(s) with the first configured key."
        )
        if unreadable:
            raise CommandError(
                "These endpoints' secrets cannot be decrypted with any configured key; give "
                "each a new secret from its Edit page: " + "; ".join(unreadable)
            )

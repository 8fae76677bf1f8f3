from django.core.management.base import BaseCommand, CommandError

from agents.services import interview_snapshots_rotate_secrets
from providers.services import profile_rotate_secrets

ROTATION_STEPS = """
Re-encrypt every stored provider API key with the first key of
SECRETS_ENCRYPTION_KEYS: the profiles' and the copies that interviews keep
of the profile they were created with.

To rotate the encryption key:
  1. Put the new key first and keep the old one after it, e.g.
     SECRETS_ENCRYPTION_KEYS=new-key,old-key ; restart the web app and workers
     (they can now read both, and write with the new one).
  2. Run: python manage.py rotate_secrets
  3. Remove the old key: SECRETS_ENCRYPTION_KEYS=new-key ; restart again.
If step 2 reports keys it cannot decrypt, their encryption key is no longer
configured: enter those API keys again in the profile form.
"""


class Command(BaseCommand):
    help = ROTATION_STEPS

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def handle(self, *args, **options):
        rotated, unreadable = profile_rotate_secrets()
        self.stdout.write(f"Re-encrypted {rotated} stored key(s) with the first configured key.")
        snapshots, lost = interview_snapshots_rotate_secrets()
        self.stdout.write(f"Re-encrypted the keys kept by {snapshots} interview(s).")
        problems = []
        if unreadable:
            problems.append(
                "These keys cannot be decrypted with any configured key; enter them again in "
                "the profile form: " + "; ".join(unreadable)
            )
        if lost:
            problems.append(
                "These interviews keep keys that no configured key decrypts; they can't run "
                "or be reported until that key is configured again: " + "; ".join(lost)
            )
        if problems:
            raise CommandError(" ".join(problems))

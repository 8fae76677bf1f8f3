import os

from django.core.management.base import BaseCommand, CommandError

from accounts.services import user_ensure_admin


class Command(BaseCommand):
    help = (
        "Create the first admin from ADMIN_USERNAME, ADMIN_PASSWORD and ADMIN_EMAIL "
        "(non-interactive; running it again resets that admin's password)."
    )

    def handle(self, *args, **options):
        missing = [
            name for name in ("ADMIN_USERNAME", "ADMIN_PASSWORD") if not os.environ.get(name)
        ]
        if missing:
            raise CommandError(f"Set {' and '.join(missing)} to create the first admin.")
        user, created = user_ensure_admin(
            username=os.environ["ADMIN_USERNAME"],
            password=os.environ["ADMIN_PASSWORD"],
            email=os.environ.get("ADMIN_EMAIL", ""),
        )
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} admin {user.username}."))

import os

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
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
        username, password = os.environ["ADMIN_USERNAME"], os.environ["ADMIN_PASSWORD"]
        existing = User.objects.filter(username=username).first()
        same_password = existing is not None and existing.check_password(password)
        user, created = user_ensure_admin(
            username=username, password=password, email=os.environ.get("ADMIN_EMAIL", "")
        )
        if created:
            message = f"Created admin {user.username}."
        elif same_password:
            message = f"Admin {user.username} already exists; its password is unchanged."
        else:
            message = (
                f"Admin {user.username} already existed; "
                "its password was reset from ADMIN_PASSWORD."
            )
        self.stdout.write(self.style.SUCCESS(message))

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        RECRUITER = "recruiter", "Recruiter"

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.RECRUITER)

    class Meta(AbstractUser.Meta):
        # The table kept its name when users moved out of the dashboard app.
        db_table = "dashboard_user"

    @property
    def is_admin(self):
        return self.is_superuser or self.role == self.Role.ADMIN

    @property
    def is_recruiter(self):
        # Admins run the whole product, so they can do a recruiter's work too.
        return self.is_admin or self.role == self.Role.RECRUITER

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


class Invite(models.Model):
    """A one-use link that lets an invited user set their own password.

    Only the link's hash is stored: the link itself is shown once, to the admin
    who made it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invites")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invite for {self.user}"

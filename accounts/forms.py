from django.contrib.auth.forms import UserCreationForm

from accounts.models import User


class UserCreateForm(UserCreationForm):
    class Meta:
        model = User
        fields = ["username", "email", "first_name", "last_name", "role"]

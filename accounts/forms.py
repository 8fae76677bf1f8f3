from django import forms
from django.contrib.auth.forms import SetPasswordForm, UserCreationForm, UsernameField

from accounts.models import User

USER_FIELDS = ["username", "email", "first_name", "last_name", "role"]


class StrengthErrorsOnThePassword:
    """Put "too short", "too common"... under the password itself.

    Django checks a new password's strength on the confirmation field, so the
    error lands under the field people did not get wrong. "The two password
    fields didn't match" stays under the confirmation, where it belongs.
    """

    password_field = "password1"

    def validate_password_for_user(self, user, password_field_name=None, **kwargs):
        super().validate_password_for_user(user, password_field_name=self.password_field, **kwargs)


class UserCreateForm(StrengthErrorsOnThePassword, UserCreationForm):
    """A user with a password the admin sets now."""

    class Meta:
        model = User
        fields = USER_FIELDS


class UserInviteForm(forms.ModelForm):
    """A user who sets their own password from an invite link."""

    class Meta:
        model = User
        fields = USER_FIELDS
        field_classes = {"username": UsernameField}

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with that username already exists.")
        return username


class InviteSetPasswordForm(StrengthErrorsOnThePassword, SetPasswordForm):
    """The invited person's own password."""

    password_field = "new_password1"

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = "Password"
        self.fields["new_password2"].label = "The same password again"
        self.fields["new_password1"].widget.attrs["autofocus"] = True

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from webhooks.models import Event

URL_ERROR = (
    "Enter an address that starts with http:// or https://, "
    "for example https://hooks.example.com/interviews."
)
SECRET_MIN_LENGTH = 16


def clean_endpoint_url(value):
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(URL_ERROR)
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            "Leave the user name and password out of the address: they would be kept and "
            "shown in clear. Let the receiver check the signature instead."
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(URL_ERROR) from None
    return url


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/interviews"}),
        help_text="Events are POSTed here as JSON. Redirects are not followed.",
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Events",
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one event to send."},
    )
    secret = forms.CharField(
        label="Signing secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["is_active"] = forms.BooleanField(
                label="Enabled", required=False, help_text="A disabled endpoint gets no events."
            )
            self.fields["secret"].label = "New signing secret"
            self.fields["secret"].help_text = (
                "Leave blank to keep the current secret. Type one to replace it, or tick "
                "the box below to have a new one made."
            )
            self.fields["new_secret"] = forms.BooleanField(
                label="Make a new secret (shown once)", required=False
            )
        else:
            self.fields[
                "secret"
            ].help_text = (
                "Leave blank to have a strong one made for you. It is shown once, after saving."
            )

    @property
    def typed_a_secret(self):
        return bool(self.data.get("secret"))

    def clean_url(self):
        return clean_endpoint_url(self.cleaned_data["url"])

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if secret and len(secret) < SECRET_MIN_LENGTH:
            raise ValidationError(
                f"Use at least {SECRET_MIN_LENGTH} characters, or leave it blank to have one made."
            )
        return secret

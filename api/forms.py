from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, such as “ATS sync”, so you know which one to revoke.",
        error_messages={"required": "Give the token a name, so you know what uses it."},
    )

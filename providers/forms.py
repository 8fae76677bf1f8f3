"""The provider profile form: grouped per service, API keys write-only."""

from urllib.parse import urlsplit, urlunsplit

from django import forms
from django.core.exceptions import ValidationError

from providers.models import ProviderProfile
from providers.secrets import mask

# Endpoint paths the client appends itself; pasting one into a base URL is the
# most common setup mistake.
ENDPOINT_SUFFIXES = (
    "/chat/completions",
    "/completions",
    "/audio/speech",
    "/audio/transcriptions",
    "/audio/translations",
    "/audio/voices",
    "/models",
)


def clean_base_url(value):
    """A base URL as the client seam needs it, or a ValidationError saying how to fix it."""
    value = value.strip()
    if "://" not in value:
        raise ValidationError(
            "Start the address with http:// or https://, for example http://models-host:8000/v1."
        )
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError(
            f'Use an http:// or https:// address; "{parts.scheme}://" is not supported.'
        )
    if not parts.hostname:
        raise ValidationError(
            "The address has no host name, for example http://models-host:8000/v1."
        )
    try:
        parts.port  # noqa: B018 - urlsplit only validates the port when it is read
    except ValueError:
        raise ValidationError("The port must be a number from 1 to 65535.") from None
    if parts.query or parts.fragment:
        raise ValidationError("Remove the part after ? or #: a base URL is just the address.")
    path = parts.path.rstrip("/")
    for suffix in ENDPOINT_SUFFIXES:
        if path.endswith(suffix):
            base = urlunsplit((parts.scheme, parts.netloc, path[: -len(suffix)], "", ""))
            raise ValidationError(
                f'This is the address of the "{suffix}" endpoint, not the base URL. '
                f"Enter {base} instead; {suffix} is added for each request."
            )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _bounded_float(label, low, high, *, out_of_range, help_text):
    """A number field whose one message names the whole range, whichever end was passed."""
    return forms.FloatField(
        label=label,
        min_value=low,
        max_value=high,
        error_messages={"min_value": out_of_range, "max_value": out_of_range},
        help_text=help_text,
    )


class ProviderProfileForm(forms.ModelForm):
    # (legend, service whose models can be fetched, field names)
    FIELDSETS = [
        ("Profile", None, ["name", "description"]),
        (
            "LLM (the interviewer's brain)",
            "llm",
            ["llm_base_url", "llm_model", "llm_api_key", "clear_llm_api_key",
             "llm_temperature", "llm_max_tokens"],
        ),
        (
            "Speech-to-text",
            "stt",
            ["stt_base_url", "stt_model", "stt_api_key", "clear_stt_api_key", "stt_language"],
        ),
        (
            "Text-to-speech",
            "tts",
            ["tts_base_url", "tts_model", "tts_voice", "tts_api_key", "clear_tts_api_key",
             "tts_speed", "tts_response_format"],
        ),
        (
            "Turn-taking",
            None,
            ["min_endpointing_delay", "max_endpointing_delay", "dynamic_endpointing",
             "vad_min_silence", "allow_interruptions", "preemptive_generation",
             "thinking_sound"],
        ),
        ("Interviewer", None, ["persona", "instructions_template"]),
        (
            "Speech gate (checks on what the model writes)",
            None,
            ["gate_max_sentences", "gate_max_words", "gate_repeat_window"],
        ),
        ("Recording", None, ["record_interviews"]),
        (
            "Video avatar (Tavus, optional)",
            None,
            ["avatar_enabled", "tavus_face_id", "tavus_pal_id", "tavus_api_key",
             "clear_tavus_api_key"],
        ),
    ]  # fmt: skip
    # Inputs that get a list of suggestions from "fetch models".
    DATALISTS = {"llm_model": "llm", "stt_model": "stt", "tts_model": "tts", "tts_voice": "tts"}

    llm_base_url = forms.CharField(label="LLM base URL", max_length=500)
    stt_base_url = forms.CharField(label="Speech-to-text base URL", max_length=500)
    tts_base_url = forms.CharField(label="Text-to-speech base URL", max_length=500)
    llm_temperature = _bounded_float(
        "Temperature",
        0.0,
        2.0,
        out_of_range="Temperature must be between 0 and 2 (0.7 is a good start).",
        help_text="0 is predictable, 2 is very random.",
    )
    llm_max_tokens = forms.IntegerField(
        label="Max tokens per reply",
        min_value=1,
        max_value=32768,
        help_text="Spoken replies are short; 300 is plenty.",
    )
    tts_speed = _bounded_float(
        "Speaking speed",
        0.25,
        4.0,
        out_of_range="Speaking speed must be between 0.25 and 4.0 (1.0 is normal).",
        help_text="1.0 is normal speed; the OpenAI API accepts 0.25 to 4.0.",
    )
    min_endpointing_delay = forms.FloatField(
        label="Minimum pause before replying (s)", min_value=0.0, max_value=30.0
    )
    max_endpointing_delay = forms.FloatField(
        label="Maximum pause before replying (s)", min_value=0.0, max_value=30.0
    )
    vad_min_silence = _bounded_float(
        "Silence that ends a stretch of speech (s)",
        # The framework refuses less than 0.25 s with its turn detector.
        0.25,
        2.0,
        out_of_range="The silence must be between 0.25 and 2 seconds (0.55 is the default).",
        help_text="Shorter answers sooner; below about 0.3 s breaths start to split sentences.",
    )
    gate_max_sentences = forms.IntegerField(
        label="Most sentences in a written reply", min_value=1, max_value=10
    )
    gate_max_words = forms.IntegerField(
        label="Most words in a written reply", min_value=5, max_value=200
    )
    gate_repeat_window = forms.IntegerField(
        label="Turns a sentence may not be repeated within", min_value=0, max_value=100
    )

    class Meta:
        model = ProviderProfile
        # Keys are separate write-only fields (see __init__), never model-bound.
        fields = [
            "name", "description",
            "llm_base_url", "llm_model", "llm_temperature", "llm_max_tokens",
            "stt_base_url", "stt_model", "stt_language",
            "tts_base_url", "tts_model", "tts_voice", "tts_speed", "tts_response_format",
            "min_endpointing_delay", "max_endpointing_delay", "allow_interruptions",
            "dynamic_endpointing", "vad_min_silence", "preemptive_generation",
            "thinking_sound", "persona", "instructions_template",
            "gate_max_sentences", "gate_max_words", "gate_repeat_window", "record_interviews",
            "avatar_enabled", "tavus_face_id", "tavus_pal_id",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "persona": forms.Textarea(attrs={"rows": 3}),
            "instructions_template": forms.Textarea(attrs={"rows": 4}),
        }

    UNREADABLE = "key unreadable: enter it again"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keys that no configured key decrypts (providers.selectors.profile_with_keys):
        # each must be entered again or cleared.
        self.unreadable_keys = getattr(self.instance, "unreadable_keys", ())
        for field_name in ProviderProfile.SECRET_FIELDS:
            model_field = ProviderProfile._meta.get_field(field_name)
            unreadable = field_name in self.unreadable_keys
            state = "unreadable" if unreadable else mask(getattr(self.instance, field_name))
            self.fields[field_name] = forms.CharField(
                label=model_field.verbose_name[:1].upper() + model_field.verbose_name[1:],
                required=False,
                strip=True,
                widget=forms.PasswordInput(
                    render_value=False,
                    attrs={"autocomplete": "new-password", "placeholder": f"Stored key: {state}"},
                ),
                help_text=(
                    f"Stored key: <strong>{self.UNREADABLE}</strong>. It was encrypted with a "
                    "key that SECRETS_ENCRYPTION_KEYS no longer lists; type it again, or clear it."
                    if unreadable
                    else f"Stored key: <strong>{state}</strong>. "
                    + (
                        "Leave blank to keep it."
                        if state == "set"
                        else "Leave blank if the server needs none."
                    )
                ),
            )
            self.fields[f"clear_{field_name}"] = forms.BooleanField(
                label="Clear the stored key", required=False
            )
            if state == "not set":
                del self.fields[f"clear_{field_name}"]
        for field_name, service in self.DATALISTS.items():
            self.fields[field_name].widget.attrs.update(
                {"list": f"{field_name}-options", "autocomplete": "off", "data-service": service}
            )
        for service in ProviderProfile.SERVICES:
            self.fields[f"{service}_base_url"].widget.attrs.update(
                {"inputmode": "url", "placeholder": f"http://models-host:8000/api/{service}/v1"}
            )

    def fieldsets(self):
        """[(legend, service, [bound fields])] in display order."""
        return [
            (legend, service, [self[name] for name in names if name in self.fields])
            for legend, service, names in self.FIELDSETS
        ]

    def clean_llm_base_url(self):
        return clean_base_url(self.cleaned_data["llm_base_url"])

    def clean_stt_base_url(self):
        return clean_base_url(self.cleaned_data["stt_base_url"])

    def clean_tts_base_url(self):
        return clean_base_url(self.cleaned_data["tts_base_url"])

    def _key_after_save(self, field_name):
        if self.cleaned_data.get(f"clear_{field_name}"):
            return ""
        return self.cleaned_data.get(field_name) or getattr(self.instance, field_name)

    def clean(self):
        cleaned = super().clean()
        for field_name in ProviderProfile.SECRET_FIELDS:
            if cleaned.get(field_name) and cleaned.get(f"clear_{field_name}"):
                self.add_error(
                    field_name, "Either enter a new key or tick “clear the stored key”, not both."
                )
            elif field_name in self.unreadable_keys and not (
                cleaned.get(field_name) or cleaned.get(f"clear_{field_name}")
            ):
                self.add_error(
                    field_name,
                    "The stored key can't be read any more, so it must be entered again "
                    "(or tick “clear the stored key” if the server needs none).",
                )
        low, high = cleaned.get("min_endpointing_delay"), cleaned.get("max_endpointing_delay")
        if low is not None and high is not None and low > high:
            self.add_error(
                "max_endpointing_delay",
                f"The maximum pause must be at least the minimum pause ({low:g} s).",
            )
        if cleaned.get("avatar_enabled"):
            for field_name, what in (("tavus_face_id", "face id"), ("tavus_pal_id", "pal id")):
                if not cleaned.get(field_name):
                    self.add_error(field_name, f"The avatar needs a Tavus {what}.")
            if not self._key_after_save("tavus_api_key") and "tavus_api_key" not in self.errors:
                self.add_error("tavus_api_key", "The avatar needs a Tavus API key.")
        return cleaned

    @property
    def typed_a_key(self):
        """Whether the person typed a key that a re-rendered form will not show again."""
        return any(self.data.get(self.add_prefix(f)) for f in ProviderProfile.SECRET_FIELDS)

    def save(self, commit=True):
        profile = super().save(commit=False)
        for field_name in ProviderProfile.SECRET_FIELDS:
            setattr(profile, field_name, self._key_after_save(field_name))
        if commit:
            profile.save()
        return profile

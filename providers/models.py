from django.db import models

from providers.secrets import EncryptedTextField


class ProviderProfile(models.Model):
    """Where the interviewer's models live: one OpenAI-compatible endpoint per service.

    Exactly one profile is active; interviews snapshot the active profile when
    they are created so later edits never change one in progress.
    """

    class AudioFormat(models.TextChoices):
        PCM = "pcm", "PCM (24 kHz raw, lowest latency)"
        WAV = "wav", "WAV"
        MP3 = "mp3", "MP3"
        OPUS = "opus", "Opus"
        FLAC = "flac", "FLAC"
        AAC = "aac", "AAC"

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    # Plain text, not URLField: Django's URL validator rejects single-label hosts
    # such as the compose service name in http://models:8100/api/llm/v1. The
    # profile form validates the URL shape instead.
    llm_base_url = models.CharField("LLM base URL", max_length=500)
    llm_model = models.CharField("LLM model", max_length=200)
    llm_api_key = EncryptedTextField("LLM API key", blank=True)
    llm_temperature = models.FloatField("LLM temperature", default=0.7)
    llm_max_tokens = models.PositiveIntegerField("LLM max tokens per reply", default=300)

    stt_base_url = models.CharField("speech-to-text base URL", max_length=500)
    stt_model = models.CharField("speech-to-text model", max_length=200)
    stt_api_key = EncryptedTextField("speech-to-text API key", blank=True)
    stt_language = models.CharField("speech-to-text language", max_length=16, default="en")

    tts_base_url = models.CharField("text-to-speech base URL", max_length=500)
    tts_model = models.CharField("text-to-speech model", max_length=200)
    tts_api_key = EncryptedTextField("text-to-speech API key", blank=True)
    tts_voice = models.CharField("voice", max_length=200)
    tts_speed = models.FloatField("speaking speed", default=1.0)
    tts_response_format = models.CharField(
        "audio format", max_length=8, choices=AudioFormat.choices, default=AudioFormat.PCM
    )

    # voice_turn_bench, idle, embedded models: a candidate who pauses 1.2-1.5 s after a
    # finished sentence can't be told from one who is done, so any reply heard before then
    # talks over them. From 0.5 s to a 2.0 s maximum: p50 1.87-2.06 s and 2-3 cut-offs in
    # 12 answers; a fixed 1.7 s: p50 1.98 s, p90 2.42 s and none.
    min_endpointing_delay = models.FloatField(
        "minimum pause before replying (s)",
        default=1.7,
        help_text="How long the candidate must be silent before the interviewer may answer.",
    )
    max_endpointing_delay = models.FloatField(
        "maximum pause before replying (s)",
        default=1.7,
        help_text="The longest the interviewer waits when the candidate seems mid-sentence.",
    )
    allow_interruptions = models.BooleanField(
        default=True, help_text="The candidate can talk over the interviewer to interrupt it."
    )
    dynamic_endpointing = models.BooleanField(
        "learn the candidate's pauses",
        default=True,
        help_text=(
            "The pause before replying adapts, between the minimum and the maximum, to how "
            "long this candidate pauses mid-answer; off, it stays fixed."
        ),
    )
    vad_min_silence = models.FloatField(
        "silence that ends a stretch of speech (s)",
        default=0.55,
        help_text=(
            "How long the voice detector waits in silence before it hands the words to "
            "speech-to-text; every reply waits at least this long."
        ),
    )
    thinking_sound = models.BooleanField(
        "keyboard sound during a long wait",
        default=False,
        help_text="A quiet typing sound once the candidate has waited a second for a reply.",
    )
    preemptive_generation = models.BooleanField(
        "start replies before the candidate's turn is over",
        default=False,
        help_text=(
            "Saves time on a fast model server; on a busy CPU the extra requests slow the "
            "real ones down."
        ),
    )

    persona = models.TextField(
        default=(
            "You are Alex, a friendly, concise technical recruiter at our company. "
            "You speak in short sentences because your words are spoken aloud."
        ),
        help_text="Who the interviewer is and how it speaks.",
    )
    instructions_template = models.TextField(
        blank=True,
        help_text=(
            "Extra instructions for every interview. Placeholders: {role}, {job_description}, "
            "{candidate_name}."
        ),
    )

    gate_max_sentences = models.PositiveSmallIntegerField(
        "most sentences in a written reply",
        default=2,
        help_text="A longer reply is written again, then replaced by the plan's next line.",
    )
    gate_max_words = models.PositiveSmallIntegerField(
        "most words in a written reply",
        default=40,
        help_text="About 15 seconds of speech at 40 words.",
    )
    gate_repeat_window = models.PositiveSmallIntegerField(
        "turns a sentence may not be repeated within",
        default=12,
        help_text="A sentence the interviewer said in this many earlier turns may not come back.",
    )

    record_interviews = models.BooleanField(
        "record interviews",
        default=True,
        help_text="Keep the audio of each interview, candidate and interviewer on separate "
        "channels. The candidate is told before joining.",
    )

    avatar_enabled = models.BooleanField("show a Tavus video avatar", default=False)
    tavus_face_id = models.CharField("Tavus face id", max_length=200, blank=True)
    tavus_pal_id = models.CharField("Tavus pal id", max_length=200, blank=True)
    tavus_api_key = EncryptedTextField("Tavus API key", blank=True)

    is_active = models.BooleanField(default=False, editable=False)
    last_check = models.JSONField(default=dict, blank=True, editable=False)
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SERVICES = ("llm", "stt", "tts")
    SECRET_FIELDS = ("llm_api_key", "stt_api_key", "tts_api_key", "tavus_api_key")

    class Meta:
        # The table kept its name when profiles moved out of the dashboard app.
        db_table = "dashboard_providerprofile"
        ordering = ["-is_active", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="exactly_one_active_provider_profile",
            ),
            models.CheckConstraint(
                condition=models.Q(tts_speed__gte=0.25, tts_speed__lte=4.0),
                name="tts_speed_in_openai_range",
            ),
        ]

    def __str__(self):
        return self.name

    def service_settings(self, service):
        """(base_url, model, api_key) of one service: "llm", "stt" or "tts"."""
        return (
            getattr(self, f"{service}_base_url"),
            getattr(self, f"{service}_model"),
            getattr(self, f"{service}_api_key"),
        )

"""Checks that prove a provider profile's endpoints work, and model/voice discovery.

Pure functions over the client seam (providers.clients): they take a profile
(saved or not), call its servers and return results; nothing here writes to the
database. The Celery task, the `verify_providers` command and the form's
"fetch models" button all use them, so a person sees the same words everywhere.

Every failure becomes a message a person can act on. Messages never contain an
API key: server text is scrubbed of the profile's keys and of anything that
looks like a bearer token before it is used.
"""

import io
import json
import re
import socket
import ssl
import time
import wave
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import av
import openai
from django.views.decorators.debug import sensitive_variables

from providers.clients import openai_client

PASS, FAIL, SKIP = "pass", "fail", "skip"

# Generous because CPU-only servers load models lazily on the first request.
CHECK_TIMEOUT = 60.0

SPOKEN_SENTENCE = "Hello, this is a quick test of the interview voice."
# The words of SPOKEN_SENTENCE a transcript should give back; short function
# words are left out because small models drop or mishear them.
SPOKEN_KEYWORDS = ("hello", "quick", "test", "interview", "voice")
MIN_KEYWORDS_HEARD = 2

SERVICE_NAMES = {"llm": "LLM", "stt": "speech-to-text", "tts": "text-to-speech"}
CHECK_LABELS = {
    "models": "model list",
    "chat": "chat reply",
    "json": "JSON reply",
    "speech": "speech synthesis",
    "transcription": "transcription",
}
# What the server sends for each `response_format`; raw PCM has no header, so it
# is the one format that must be decoded with its parameters given.
PCM_RATE = 24000
STT_RATE = 16000


@dataclass(frozen=True)
class CheckResult:
    service: str
    check: str
    status: str
    latency_ms: int | None
    message: str

    @property
    def key(self):
        return f"{self.service}.{self.check}"

    @property
    def label(self):
        return f"{SERVICE_NAMES[self.service]} {CHECK_LABELS[self.check]}"

    @property
    def passed(self):
        return self.status == PASS

    def as_dict(self):
        return {
            **asdict(self),
            "key": self.key,
            "label": self.label,
            "check_label": CHECK_LABELS[self.check],
        }


class CheckFailed(Exception):
    """A check's own verdict (not a transport error): the message says what is wrong."""


class AudioUndecodable(Exception):
    pass


# --- secrets and server text -------------------------------------------------

_TOKEN_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"),
    re.compile(r"(?i)((?:api[-_ ]?key|authorization|token)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;]+"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"),
]


def scrub(text, secrets=()):
    """`text` without any of `secrets` and without anything shaped like a key."""
    text = str(text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[hidden]")
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[hidden]", text)
    return text


def _profile_secrets(profile):
    return [getattr(profile, field) for field in profile.SECRET_FIELDS]


def _server_message(error, secrets):
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        text = body.get("message") or body.get("detail") or body.get("error") or json.dumps(body)
    elif body:
        text = body
    else:
        response = getattr(error, "response", None)
        text = response.text if response is not None else str(error)
    text = " ".join(str(text).split())
    text = scrub(text, secrets)
    return text[:300] + ("…" if len(text) > 300 else "")


def _endpoint(profile, service, path):
    return profile.service_settings(service)[0].rstrip("/") + path


def _causes(error):
    seen = error
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


@sensitive_variables("api_key", "secrets")
def explain_error(error, *, profile, service, path, timeout):
    """A plain-words message for an exception raised while calling `path` of `service`."""
    base_url, model, api_key = profile.service_settings(service)
    url = _endpoint(profile, service, path)
    name = SERVICE_NAMES[service]
    secrets = _profile_secrets(profile)
    if isinstance(error, openai.APITimeoutError):
        return (
            f"No answer from {url} within {timeout:g} seconds. Check that this is the "
            f"{name} server's address and that the server is running and not busy with "
            "other requests. A server that loads the model on "
            "the first request answers sooner the second time: test again in a minute. To "
            "wait longer, run: python manage.py verify_providers --timeout 300"
        )
    if isinstance(error, openai.APIConnectionError):
        parts = urlsplit(url)
        for cause in _causes(error):
            if isinstance(cause, socket.gaierror):
                return (
                    f'Could not find the host "{parts.hostname}" (DNS lookup failed) while '
                    f"trying {url}. Check the host name in the base URL."
                )
            if isinstance(cause, ConnectionRefusedError):
                return (
                    f"Connection refused at {url}: nothing is listening on "
                    f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}. "
                    "Check that the server is running and that the port is right."
                )
            if isinstance(cause, ssl.SSLError):
                return f"The secure connection to {url} failed: {scrub(cause, secrets)}."
        detail = scrub(error.__cause__ or error, secrets)
        return f"Could not connect to {url}: {detail}."
    if isinstance(error, openai.AuthenticationError):
        hint = (
            "Enter the key this server expects."
            if api_key
            else "No key is stored for this service; this server needs one."
        )
        return f"The {name} server at {base_url} rejected the API key (401). {hint}"
    if isinstance(error, openai.PermissionDeniedError):
        return (
            f"The {name} server at {base_url} accepted the key but refused access (403): "
            f"{_server_message(error, secrets)}"
        )
    if isinstance(error, openai.NotFoundError):
        server_text = _server_message(error, secrets)
        if "model" in server_text.lower() and path != "/models":
            return (
                f'The {name} server does not know the model "{model}" (404). '
                'Use "Fetch models" to pick one it serves.'
            )
        return (
            f"Nothing found at {url} (404). Check the base URL: it is usually the address "
            "that ends in /v1, without the endpoint path."
        )
    if isinstance(error, openai.APIStatusError):
        server_text = _server_message(error, secrets)
        if error.status_code >= 500:
            return f"The {name} server failed with error {error.status_code}: {server_text}"
        return f"The {name} server refused the request ({error.status_code}): {server_text}"
    return f"Unexpected error from {url}: {type(error).__name__}: {scrub(error, secrets)}"


def _run(profile, service, check, path, timeout, attempt):
    """Run `attempt()` -> message, timing it and turning any failure into a result."""
    started = time.perf_counter()
    try:
        message = attempt()
    except CheckFailed as failure:
        status, message = FAIL, scrub(failure, _profile_secrets(profile))
    except Exception as error:  # a diagnostic reports every failure instead of crashing
        status = FAIL
        message = explain_error(error, profile=profile, service=service, path=path, timeout=timeout)
    else:
        status = PASS
    latency_ms = round((time.perf_counter() - started) * 1000)
    return CheckResult(service, check, status, latency_ms, message)


# --- discovery ---------------------------------------------------------------


def names_from_listing(payload, keys):
    """Ids from a /models or /audio/voices answer, whatever its shape.

    Accepts a bare list or an object holding the list under one of `keys`, with
    items that are strings or objects carrying "id", "voice_id" or "name"
    (OpenAI's {"data": [{"id": ...}]}, Kokoro-FastAPI's {"voices": ["af_bella"]},
    older {"voices": [{"id": ..., "name": ...}]}, speaches' [{"voice_id": ...}]).
    """
    items = payload
    if isinstance(payload, dict):
        items = next((payload[key] for key in keys if isinstance(payload.get(key), list)), [])
    if not isinstance(items, list):
        return []
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id") or item.get("voice_id") or item.get("name")
        if isinstance(item, str) and item and item not in names:
            names.append(item)
    return names


def list_models(profile, service, *, timeout=CHECK_TIMEOUT):
    client = openai_client(profile, service, timeout=timeout)
    return names_from_listing(client.get("/models", cast_to=object), ("data", "models"))


def list_voices(profile, *, timeout=CHECK_TIMEOUT):
    client = openai_client(profile, "tts", timeout=timeout)
    return names_from_listing(client.get("/audio/voices", cast_to=object), ("voices", "data"))


def discover(profile, service, *, timeout=CHECK_TIMEOUT):
    """What the form's "fetch models" button shows: models (and voices for TTS), or why not."""
    found = {"service": service, "models": [], "voices": [], "errors": []}
    try:
        found["models"] = list_models(profile, service, timeout=timeout)
    except (openai.OpenAIError, OSError) as error:
        found["errors"].append(
            explain_error(error, profile=profile, service=service, path="/models", timeout=timeout)
        )
    else:
        if not found["models"]:
            found["errors"].append("The server answered /models with an empty list.")
    if service == "tts":
        try:
            found["voices"] = list_voices(profile, timeout=timeout)
        except openai.NotFoundError:
            found["errors"].append(
                "This server has no voice list (/audio/voices); type the voice name yourself."
            )
        except (openai.OpenAIError, OSError) as error:
            found["errors"].append(
                explain_error(
                    error, profile=profile, service="tts", path="/audio/voices", timeout=timeout
                )
            )
    return found


# --- audio -------------------------------------------------------------------


@dataclass(frozen=True)
class DecodedAudio:
    duration: float
    wav: bytes  # 16 kHz mono 16-bit, what every transcription server accepts


def decode_audio(data, *, raw_pcm):
    """Decode TTS output with PyAV (raw PCM is 24 kHz mono s16le, as OpenAI sends it)."""
    if not data:
        raise AudioUndecodable("the server sent no audio bytes")
    if raw_pcm and len(data) % 2:
        raise AudioUndecodable("raw 16-bit PCM must have an even number of bytes")
    options = {"sample_rate": str(PCM_RATE), "ch_layout": "mono"} if raw_pcm else {}
    resampler = av.AudioResampler(format="s16", layout="mono", rate=STT_RATE)
    pcm = bytearray()
    duration = 0.0
    try:
        with av.open(io.BytesIO(data), format="s16le" if raw_pcm else None, options=options) as c:
            if not c.streams.audio:
                raise AudioUndecodable("it contains no audio stream")
            for frame in c.decode(audio=0):
                duration += frame.samples / frame.sample_rate
                for out in resampler.resample(frame):
                    pcm += bytes(out.planes[0])[: out.samples * 2]
            for out in resampler.resample(None):
                pcm += bytes(out.planes[0])[: out.samples * 2]
    except av.FFmpegError as error:
        raise AudioUndecodable(str(error).split(": '")[0]) from None
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(STT_RATE)
        out.writeframes(bytes(pcm))
    return DecodedAudio(duration=duration, wav=buffer.getvalue())


# --- the checks ----------------------------------------------------------------


def check_models(profile, service, *, timeout=CHECK_TIMEOUT):
    model = profile.service_settings(service)[1]

    def attempt():
        names = list_models(profile, service, timeout=timeout)
        if not names:
            raise CheckFailed(
                f"{_endpoint(profile, service, '/models')} answered, but with no models."
            )
        if model in names:
            return f'{len(names)} model(s) listed, including "{model}".'
        shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        return (
            f'{len(names)} model(s) listed ({shown}); "{model}" is not among them, '
            "but the server may accept it as an alias."
        )

    return _run(profile, service, "models", "/models", timeout, attempt)


def check_llm_chat(profile, *, timeout=CHECK_TIMEOUT):
    def attempt():
        completion = openai_client(profile, "llm", timeout=timeout).chat.completions.create(
            model=profile.llm_model,
            messages=[{"role": "user", "content": "Say hello"}],
            max_tokens=16,
        )
        text = (completion.choices[0].message.content or "").strip() if completion.choices else ""
        if not text:
            raise CheckFailed("The model answered with an empty reply.")
        if looks_like_ollama(profile.llm_base_url):
            return f"Replied: {_quote(text)}. {OLLAMA_CONTEXT_NOTE}"
        return f"Replied: {_quote(text)}"

    return _run(profile, "llm", "chat", "/chat/completions", timeout, attempt)


OLLAMA_CONTEXT_NOTE = (
    "This looks like Ollama, whose OpenAI endpoint ignores num_ctx: a long interview prompt "
    "is cut to the model's default context without an error. Raise it on the server "
    "(OLLAMA_CONTEXT_LENGTH=8192, or PARAMETER num_ctx in a Modelfile)."
)


def looks_like_ollama(base_url):
    parts = urlsplit(base_url)
    return parts.port == 11434 or "ollama" in (parts.hostname or "")


def check_llm_json(profile, *, timeout=CHECK_TIMEOUT):
    def attempt():
        completion = openai_client(profile, "llm", timeout=timeout).chat.completions.create(
            model=profile.llm_model,
            messages=[
                {"role": "system", "content": "You answer with one JSON object and nothing else."},
                {
                    "role": "user",
                    "content": 'Reply with a JSON object: the key "greeting", the value "hello".',
                },
            ],
            response_format={"type": "json_object"},
            max_tokens=60,
            temperature=0,
        )
        choice = completion.choices[0] if completion.choices else None
        text = (choice.message.content or "") if choice else ""
        try:
            parsed = json.loads(text)
        except ValueError:
            cut_off = bool(choice and choice.finish_reason == "length")
            if cut_off and _runs_on_whitespace(text):
                raise CheckFailed(
                    "JSON mode ran to the token limit on whitespace, a known quirk of plain "
                    'response_format {"type": "json_object"} on llama.cpp-based servers '
                    "(llama-server, Ollama): "
                    f"{_quote(text)}. Resume parsing, reports and drafts ask for a JSON schema "
                    "first, which these servers turn into a grammar; if those fail too, update "
                    "the server or use one with json_schema support (vLLM, llama-server)."
                ) from None
            cut = " It was cut off at the token limit." if cut_off else ""
            raise CheckFailed(
                f"JSON mode returned text that is not valid JSON: {_quote(text)}.{cut} "
                "Resume parsing needs a model and server that support "
                'response_format {"type": "json_object"}.'
            ) from None
        if not isinstance(parsed, dict):
            raise CheckFailed(f"JSON mode returned {type(parsed).__name__}, not an object.")
        return f"Valid JSON object: {_quote(json.dumps(parsed))}"

    return _run(profile, "llm", "json", "/chat/completions", timeout, attempt)


def _runs_on_whitespace(text):
    """A reply that is mostly whitespace, or ends in a long run of it."""
    stripped = text.strip()
    return len(stripped) < len(text) / 2 or bool(re.search(r"\s{20,}$", text))


def check_tts_speech(profile, *, timeout=CHECK_TIMEOUT):
    """Synthesize SPOKEN_SENTENCE; returns (result, DecodedAudio or None)."""
    decoded = []
    fmt = profile.tts_response_format

    def attempt():
        response = openai_client(profile, "tts", timeout=timeout).audio.speech.with_raw_response
        raw = response.create(
            model=profile.tts_model,
            voice=profile.tts_voice,
            input=SPOKEN_SENTENCE,
            response_format=fmt,
            speed=profile.tts_speed,
        )
        content_type = raw.headers.get("content-type", "").split(";")[0].strip().lower()
        data = raw.content
        if not (content_type.startswith("audio/") or content_type == "application/octet-stream"):
            snippet = _quote(
                scrub(data[:200].decode("utf-8", "replace"), _profile_secrets(profile))
            )
            raise CheckFailed(
                f"The server answered with {content_type or 'no content type'} instead of "
                f"audio: {snippet}"
            )
        raw_pcm = fmt == "pcm" or content_type in ("audio/pcm", "audio/l16")
        try:
            audio = decode_audio(data, raw_pcm=raw_pcm)
        except AudioUndecodable as error:
            if not raw_pcm and _plausible_raw_pcm(data):
                raise CheckFailed(
                    f"Asked for {fmt}, the server sent {len(data)} bytes with no audio header: "
                    "a raw PCM stream, as Kokoro-FastAPI sends for some formats. Set the audio "
                    "format to PCM (24 kHz raw)."
                ) from None
            raise CheckFailed(
                f"The {len(data)} bytes of {content_type} audio the server sent cannot be "
                f"decoded ({error}). Check that the audio format setting ({fmt}) is one this "
                "server produces."
            ) from None
        if audio.duration <= 0:
            raise CheckFailed("The server sent audio that lasts 0 seconds.")
        decoded.append(audio)
        return f"{audio.duration:.1f} s of {fmt} audio ({content_type})."

    result = _run(profile, "tts", "speech", "/audio/speech", timeout, attempt)
    return result, (decoded[0] if decoded else None)


def _plausible_raw_pcm(data):
    """Headerless 16-bit samples: an even length and no container's magic bytes."""
    magic = (b"RIFF", b"ID3", b"OggS", b"fLaC", b"\xff\xfb", b"\xff\xf3", b"\xff\xf1")
    return len(data) >= 4800 and len(data) % 2 == 0 and not data.startswith(magic)


def check_stt_transcription(profile, audio, *, timeout=CHECK_TIMEOUT):
    """Transcribe the speech check's audio and compare the words with what was said."""
    if audio is None:
        return CheckResult(
            "stt",
            "transcription",
            SKIP,
            None,
            "Not run: the text-to-speech check produced no audio to transcribe.",
        )

    extra = {"language": profile.stt_language} if profile.stt_language else {}

    def transcribe(wav):
        try:
            transcript = openai_client(profile, "stt", timeout=timeout).audio.transcriptions.create(
                model=profile.stt_model,
                file=("check.wav", wav, "audio/wav"),
                response_format="json",
                **extra,
            )
        except openai.APIStatusError as error:
            if getattr(error, "status_code", None) in (404, 405) and not _names_a_model(error):
                raise CheckFailed(
                    f"{_endpoint(profile, 'stt', '/audio/transcriptions')} does not take "
                    f"uploads ({error.status_code}). This product sends each answer as a file "
                    "to the HTTP transcription endpoint; a realtime-only (WebSocket) "
                    "speech-to-text server can't be used. Check the base URL, or run a server "
                    "with /v1/audio/transcriptions (speaches, faster-whisper-server, LocalAI)."
                ) from None
            raise
        return (getattr(transcript, "text", "") or "").strip()

    def attempt():
        text = transcribe(audio.wav)
        if not text:
            raise CheckFailed(
                f'No words came back for {audio.duration:.1f} s of speech ("{SPOKEN_SENTENCE}").'
            )
        heard = set(re.findall(r"[a-z']+", text.lower()))
        matched = [word for word in SPOKEN_KEYWORDS if word in heard]
        if len(matched) < MIN_KEYWORDS_HEARD:
            raise CheckFailed(
                f'Heard {_quote(text)} for "{SPOKEN_SENTENCE}": only {len(matched)} of the '
                f"words {', '.join(SPOKEN_KEYWORDS)} came back. Check the model and language."
            )
        heard_message = (
            f"Heard {_quote(text)} ({len(matched)} of {len(SPOKEN_KEYWORDS)} key words)."
        )
        on_silence = transcribe(_silence_wav())
        if re.search(r"\w", on_silence):
            heard_message += (
                f" But on a second of silence it heard {_quote(on_silence)}: Whisper models "
                "invent words on silence, and the transcript would show them as the "
                "candidate's. Turn on the server's VAD filter (speaches and "
                "faster-whisper-server: vad_filter)."
            )
        return heard_message

    return _run(profile, "stt", "transcription", "/audio/transcriptions", timeout, attempt)


def _names_a_model(error):
    return "model" in str(getattr(error, "message", error)).lower()


def _silence_wav(seconds=1.0):
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(STT_RATE)
        wav.writeframes(b"\x00\x00" * int(STT_RATE * seconds))
    return buffer.getvalue()


def run_checks(profile, *, timeout=CHECK_TIMEOUT, on_result=None):
    """Every check of a profile in a fixed order; `on_result(result)` hears each as it ends."""
    results = []

    def record(result):
        results.append(result)
        if on_result is not None:
            on_result(result)

    record(check_models(profile, "llm", timeout=timeout))
    record(check_llm_chat(profile, timeout=timeout))
    record(check_llm_json(profile, timeout=timeout))
    record(check_models(profile, "tts", timeout=timeout))
    speech, audio = check_tts_speech(profile, timeout=timeout)
    record(speech)
    record(check_models(profile, "stt", timeout=timeout))
    record(check_stt_transcription(profile, audio, timeout=timeout))
    return results


def _quote(text, limit=120):
    text = " ".join(str(text).split())
    return f'"{text[:limit]}{"…" if len(text) > limit else ""}"'

"""Starting points for the servers teams run, with the quirks each is known for.

A preset only fills the new-profile form: the admin checks the host, port and model
names against their own server and presses *Create and test*.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    label: str
    # Which part of the profile it fills: "LLM", "speech-to-text", "text-to-speech".
    serves: str
    values: dict
    quirks: tuple[str, ...] = ()


PRESETS = {
    "vllm": Preset(
        "vLLM",
        "LLM",
        {"llm_base_url": "http://127.0.0.1:8000/v1", "llm_model": "Qwen/Qwen2.5-7B-Instruct"},
        (
            "The model name must be the one vLLM was started with (“--served-model-name”, "
            "else the model path); *Fetch models* lists it.",
        ),
    ),
    "ollama": Preset(
        "Ollama",
        "LLM",
        {"llm_base_url": "http://127.0.0.1:11434/v1", "llm_model": "llama3.1:8b"},
        (
            "Ollama's OpenAI endpoint ignores “num_ctx”: a long interview prompt is cut to "
            "the model's default context without an error. Raise it on the server "
            "(OLLAMA_CONTEXT_LENGTH=8192, or PARAMETER num_ctx in a Modelfile).",
        ),
    ),
    "llamacpp": Preset(
        "llama.cpp server",
        "LLM",
        {"llm_base_url": "http://127.0.0.1:8080/v1", "llm_model": "default"},
        (
            "llama-server answers with the one model it loaded, whatever the name.",
            "Plain JSON mode can loop on whitespace until the token limit: this product asks "
            "for a JSON schema first, which llama-server turns into a grammar.",
        ),
    ),
    "speaches": Preset(
        "speaches / faster-whisper-server",
        "speech-to-text",
        {"stt_base_url": "http://127.0.0.1:8000/v1", "stt_model": "Systran/faster-whisper-small"},
        (
            'Whisper models invent words on silence ("Thank you."); keep the server\'s VAD '
            "filter on.",
            "Only the HTTP transcription endpoint is used; a realtime-only server won't work.",
        ),
    ),
    "kokoro": Preset(
        "Kokoro-FastAPI",
        "text-to-speech",
        {
            "tts_base_url": "http://127.0.0.1:8880/v1",
            "tts_model": "kokoro",
            "tts_voice": "af_heart",
            "tts_response_format": "pcm",
        },
        ("Its PCM stream is raw 24 kHz 16-bit mono with no header, which is what PCM here means.",),
    ),
    "localai": Preset(
        "LocalAI",
        "LLM, speech-to-text and text-to-speech",
        {
            "llm_base_url": "http://127.0.0.1:8080/v1",
            "llm_model": "llama-3.2-1b-instruct",
            "stt_base_url": "http://127.0.0.1:8080/v1",
            "stt_model": "whisper-1",
            "tts_base_url": "http://127.0.0.1:8080/v1",
            "tts_model": "tts-1",
            "tts_voice": "alloy",
            "tts_response_format": "wav",
        },
        ("Model names are the ones installed in LocalAI's gallery; *Fetch models* lists them.",),
    ),
}

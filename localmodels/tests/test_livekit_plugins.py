"""livekit-plugins-openai 1.8.9 (what the agent worker uses) against this server."""

from __future__ import annotations

import numpy as np
import pytest
from livekit import rtc
from livekit.agents import llm as lk_llm
from livekit.plugins import openai as lk_openai

from .helpers import decode, espeak_wav, words_found


def speech_frames(path, rate: int = 16000, frame_ms: int = 20) -> list[rtc.AudioFrame]:
    import av

    samples, src_rate = decode(path.read_bytes())
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = src_rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
    pcm = np.concatenate(
        [
            f.to_ndarray().reshape(-1)
            for f in [*resampler.resample(frame), *resampler.resample(None)]
        ]
    )
    step = rate * frame_ms // 1000
    return [
        rtc.AudioFrame(pcm[i : i + step].tobytes(), rate, 1, len(pcm[i : i + step]))
        for i in range(0, len(pcm), step)
    ]


@pytest.mark.asyncio
async def test_plugin_stt_recognizes_a_buffer_of_speech_frames(localmodels_url, tmp_path):
    stt = lk_openai.STT(
        base_url=f"{localmodels_url}/api/stt/v1", model="whisper-tiny.en", api_key="x"
    )
    try:
        event = await stt.recognize(speech_frames(espeak_wav(tmp_path / "speech.wav")))
    finally:
        await stt.aclose()
    assert len(words_found(event.alternatives[0].text)) >= 3, event.alternatives[0].text


@pytest.mark.asyncio
@pytest.mark.parametrize("fmt", ["mp3", "pcm"])
async def test_plugin_tts_synthesize_yields_audio_frames(localmodels_url, fmt):
    tts = lk_openai.TTS(
        base_url=f"{localmodels_url}/api/tts/v1",
        model="piper",
        voice="joe",
        api_key="x",
        response_format=fmt,
    )
    samples = 0
    frames = 0
    try:
        async for audio in tts.synthesize("Thanks for joining. Could you tell me about yourself?"):
            assert audio.frame.sample_rate == 24000
            samples += audio.frame.samples_per_channel
            frames += 1
    finally:
        await tts.aclose()
    assert frames > 1
    assert 1.5 < samples / 24000 < 8.0


@pytest.mark.asyncio
async def test_plugin_llm_chat_stream_gives_a_reply(localmodels_url):
    model = lk_openai.LLM(
        model="smollm2-135m", base_url=f"{localmodels_url}/api/llm/v1", api_key="x"
    )
    ctx = lk_llm.ChatContext()
    ctx.add_message(role="system", content="You are a friendly interviewer.")
    ctx.add_message(role="user", content="Hello, I am ready for the interview.")
    text = ""
    try:
        async with model.chat(chat_ctx=ctx) as stream:
            async for chunk in stream:
                if chunk.delta and chunk.delta.content:
                    text += chunk.delta.content
    finally:
        await model.aclose()
    assert text.strip()

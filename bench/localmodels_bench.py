"""Benchmark the embedded model server (localmodels) on this machine.

    .venv/bin/python bench/localmodels_bench.py [--url http://127.0.0.1:8100] [--reps 3]

Without --url (or LOCALMODELS_URL) it starts ``python -m localmodels`` on a free port.
Measures, at 1 and 4 concurrent requests: STT real-time factor on a ~5 s utterance; TTS time to
first audio byte and real-time factor for one sentence; LLM time to first token and tokens/s for
one stream; plus resident memory of the server process tree with all models loaded.
Prints a table and writes bench/results/localmodels.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx2 as httpx
import openai
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localmodels.pytest_plugin import run_server  # noqa: E402

UTTERANCE = "Hello, my name is Alice. I have five years of experience as a software engineer."
TTS_SENTENCE = (
    "Thank you for joining us today, could you start by telling me about your most recent role?"
)
LLM_PROMPT = (
    "You are interviewing a software engineer. Ask one short question about their last project."
)
TARGETS = {"stt_rtf": 0.25, "tts_ttfb_ms": 150, "llm_ttft_ms": 100, "llm_tok_s": 80, "rss_mb": 1536}


def make_utterance() -> tuple[bytes, float]:
    exe = shutil.which("espeak-ng")
    if not exe:
        sys.exit("espeak-ng is needed to make the test utterance (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "u.wav"
        subprocess.run([exe, "-v", "en-us", "-w", str(path), UTTERANCE], check=True)
        data = path.read_bytes()
    import io
    import wave  # noqa: E401

    with wave.open(io.BytesIO(data)) as w:
        return data, w.getnframes() / w.getframerate()


async def stt_once(url: str, audio: bytes, seconds: float) -> dict:
    client = openai.AsyncOpenAI(base_url=f"{url}/api/stt/v1", api_key="x", max_retries=0)
    started = time.perf_counter()
    result = await client.audio.transcriptions.create(
        model="whisper-tiny.en", file=("u.wav", audio)
    )
    elapsed = time.perf_counter() - started
    await client.close()
    return {"latency_s": elapsed, "rtf": elapsed / seconds, "text": result.text}


async def tts_once(url: str) -> dict:
    async with httpx.AsyncClient(timeout=60) as client:
        started = time.perf_counter()
        first = None
        size = 0
        async with client.stream(
            "POST",
            f"{url}/api/tts/v1/audio/speech",
            json={
                "model": "piper",
                "voice": "joe",
                "input": TTS_SENTENCE,
                "response_format": "pcm",
            },
        ) as resp:
            resp.raise_for_status()
            async for chunk in resp.aiter_bytes():
                if chunk and first is None:
                    first = time.perf_counter() - started
                size += len(chunk)
        total = time.perf_counter() - started
    audio_s = size / 2 / 24000
    return {"ttfb_ms": first * 1000, "total_s": total, "audio_s": audio_s, "rtf": total / audio_s}


_turn = iter(range(1, 10**9))


async def llm_once(url: str, max_tokens: int = 128) -> dict:
    # a new last line each time, as in a conversation: the shared prefix stays cached, the new
    # tokens must be evaluated before the first token
    prompt = f"{LLM_PROMPT}\nThis is question number {next(_turn)}."
    client = openai.AsyncOpenAI(base_url=f"{url}/api/llm/v1", api_key="x", max_retries=0)
    started = time.perf_counter()
    first = None
    pieces = 0
    usage = None
    stream = await client.chat.completions.create(
        model="smollm2-135m",
        messages=[{"role": "user", "content": prompt}],
        max_tokens=max_tokens,
        stream=True,
        stream_options={"include_usage": True},
        temperature=0.7,
    )
    async for chunk in stream:
        if chunk.usage:
            usage = chunk.usage
        if chunk.choices and chunk.choices[0].delta.content:
            if first is None:
                first = time.perf_counter() - started
            pieces += 1
    total = time.perf_counter() - started
    await client.close()
    tokens = usage.completion_tokens if usage else pieces
    gen_time = max(total - first, 1e-6)
    return {
        "ttft_ms": first * 1000,
        "tokens": tokens,
        "tok_s": (tokens - 1) / gen_time,
        "total_s": total,
    }


async def measure(fn, concurrency: int, reps: int) -> list[dict]:
    await fn()  # warm-up
    results: list[dict] = []
    for _ in range(reps):
        results.extend(await asyncio.gather(*(fn() for _ in range(concurrency))))
    return results


def med(rows: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 3)


def tree_rss_mb(pid: int) -> float:
    proc = psutil.Process(pid)
    procs = [proc, *proc.children(recursive=True)]
    return round(sum(p.memory_info().rss for p in procs) / 2**20, 1)


def server_pid(url: str, started: subprocess.Popen | None) -> int | None:
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return conn.pid
    return None


async def run(url: str, reps: int) -> dict:
    audio, seconds = make_utterance()
    out: dict = {"stt_audio_s": round(seconds, 2), "results": {}}
    for c in (1, 4):
        stt = await measure(lambda: stt_once(url, audio, seconds), c, reps)
        tts = await measure(lambda: tts_once(url), c, reps)
        llm = await measure(lambda: llm_once(url), c, reps)
        out["results"][f"c{c}"] = {
            "stt": {
                "rtf": med(stt, "rtf"),
                "latency_s": med(stt, "latency_s"),
                "sample_text": stt[0]["text"],
            },
            "tts": {
                "ttfb_ms": med(tts, "ttfb_ms"),
                "rtf": med(tts, "rtf"),
                "audio_s": med(tts, "audio_s"),
            },
            "llm": {
                "ttft_ms": med(llm, "ttft_ms"),
                "tok_s_per_stream": med(llm, "tok_s"),
                "tok_s_aggregate": round(med(llm, "tok_s") * c, 1),
                "tokens": med(llm, "tokens"),
            },
        }
    return out


def table(report: dict) -> str:
    r1, r4 = report["results"]["c1"], report["results"]["c4"]
    rows = [
        (
            f"STT real-time factor (~{report['stt_audio_s']:.1f} s utterance)",
            r1["stt"]["rtf"],
            r4["stt"]["rtf"],
            f"<= {TARGETS['stt_rtf']}",
        ),
        (
            "TTS time to first byte (ms)",
            r1["tts"]["ttfb_ms"],
            r4["tts"]["ttfb_ms"],
            f"<= {TARGETS['tts_ttfb_ms']}",
        ),
        ("TTS real-time factor", r1["tts"]["rtf"], r4["tts"]["rtf"], ""),
        (
            "LLM time to first token (ms)",
            r1["llm"]["ttft_ms"],
            r4["llm"]["ttft_ms"],
            f"<= {TARGETS['llm_ttft_ms']}",
        ),
        (
            "LLM tokens/s per stream",
            r1["llm"]["tok_s_per_stream"],
            r4["llm"]["tok_s_per_stream"],
            f">= {TARGETS['llm_tok_s']}",
        ),
        ("LLM tokens/s aggregate", r1["llm"]["tok_s_aggregate"], r4["llm"]["tok_s_aggregate"], ""),
        (
            "Server RSS with all models (MB)",
            report["rss_mb"],
            report.get("rss_mb_after_load", ""),
            f"<= {TARGETS['rss_mb']}",
        ),
    ]
    lines = ["| metric | 1 concurrent | 4 concurrent | target |", "|---|---:|---:|---|"]
    lines += [f"| {name} | {a} | {b} | {t} |" for name, a, b, t in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=os.environ.get("LOCALMODELS_URL", ""))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "localmodels"))
    args = parser.parse_args()
    with ExitStack() as stack:
        url = args.url.rstrip("/") or stack.enter_context(
            run_server(env={"LOCALMODELS_API_KEY": ""})
        )
        pid = server_pid(url, None)
        rss_idle = tree_rss_mb(pid) if pid else None
        report = asyncio.run(run(url, args.reps))
        report["rss_mb"] = rss_idle
        report["rss_mb_after_load"] = tree_rss_mb(pid) if pid else None
    report.update(
        {
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
            "targets": TARGETS,
            "reps": args.reps,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "notes": "medians; rss_mb: right after loading; rss_mb_after_load: after the whole run",
        }
    )
    md = table(report)
    m = report["machine"]
    print(md)
    Path(args.out + ".json").write_text(json.dumps(report, indent=2) + "\n")
    Path(args.out + ".md").write_text(
        "# localmodels benchmark\n\n"
        f"{m['cpus']} cores, {m['platform']}, Python {m['python']};"
        f" {report['timestamp']}; median of {args.reps} rounds after a warm-up.\n"
        "Run: `.venv/bin/python bench/localmodels_bench.py`.\n\n"
        "Memory row: first column right after loading, second after the whole run.\n\n" + md + "\n"
    )


if __name__ == "__main__":
    main()

"""Benchmark the embedded model server (localmodels) on this machine.

    .venv/bin/python bench/localmodels_bench.py [--url http://127.0.0.1:8100] [--reps 3]

Without --url (or LOCALMODELS_URL) it starts ``python -m localmodels`` on a free port.
Measures, at 1 and 4 concurrent requests: STT real-time factor on a ~5 s utterance; TTS time to
first audio byte and real-time factor for one sentence; LLM time to first token and tokens/s for
one stream; plus resident memory of the server process tree with all models loaded.
Prints a table and writes bench/results/localmodels.json and .md.

    .venv/bin/python bench/localmodels_bench.py --llm-formats [--reps 5]

instead compares the LLM's weight formats (LOCALMODELS_LLM_QUANT q4_1 / q8_0 / q4_0) and thread
counts (LOCALMODELS_LLM_THREADS 1 / 2, on an idle machine and with one core kept busy by another
process): prompt tokens/s, cold time to first token (first request after start, ~800-token
uncached prompt), uncached and warm (cached prefix) time to first token, generation tokens/s, and
the JSON-mode answers to a fixed set of prompts at temperature 0. It records the load average
before each run. Writes bench/results/localmodels.llm.json and .md. Run it on an idle machine.
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


# --- --llm-formats ---------------------------------------------------------------------------

RESUME = (
    "Jordan Example, Senior Backend Engineer. Email jordan@example.com, phone 555-0100. "
    "Summary: ten years building payment and logistics systems in Python and Go. "
    "Experience: Acme Payments (2019-2025), led a team of six that moved card settlement to an "
    "event-driven design, cut reconciliation time from hours to minutes, and ran the on-call "
    "rotation; Globex Logistics (2015-2019), built the routing service that planned deliveries "
    "for 40,000 parcels a day, introduced PostgreSQL partitioning and Redis caching; Initech "
    "(2012-2015), maintained billing scripts and wrote the first automated test suite. "
    "Skills: Python, Go, PostgreSQL, Redis, Kafka, Docker, Kubernetes, AWS, Terraform, "
    "observability with Prometheus and Grafana, mentoring, hiring. Education: BSc Computer "
    "Science, State University, 2012. Languages: English, Spanish. "
)
LONG_PROMPT = RESUME * 3 + "Summarise this candidate in two sentences."
JSON_PROMPTS = [
    [
        {"role": "system", "content": "You answer with one JSON object and nothing else."},
        {
            "role": "user",
            "content": 'Reply with a JSON object: the key "greeting", the value "hello".',
        },
    ],
    [
        {"role": "system", "content": "You answer with a JSON object."},
        {"role": "user", "content": "Give the name and age of a person called Bob who is 30."},
    ],
    [
        {"role": "system", "content": "You extract data from resumes as one JSON object."},
        {"role": "user", "content": f"Resume: {RESUME}\nGive name, email and skills as JSON."},
    ],
    [
        {"role": "system", "content": "You answer with a JSON object."},
        {"role": "user", "content": "Describe a cat: its name, age and three toys."},
    ],
    [
        {"role": "system", "content": "You answer with a JSON object."},
        {"role": "user", "content": "List three European capitals with their countries."},
    ],
]


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def stream_once(url: str, messages: list, max_tokens: int, **extra) -> dict:
    body = {
        "model": "smollm2-135m",
        "messages": messages,
        "max_tokens": max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0,
        **extra,
    }
    started = time.perf_counter()
    first = None
    timings: dict = {}
    url = f"{url}/api/llm/v1/chat/completions"
    with httpx.Client(timeout=300) as client, client.stream("POST", url, json=body) as resp:
        resp.raise_for_status()
        for line in resp.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("timings"):
                timings = chunk["timings"]
            choices = chunk.get("choices") or []
            if first is None and choices and choices[0].get("delta", {}).get("content"):
                first = time.perf_counter() - started
    return {
        "ttft_s": first,
        "prompt_tok_s": timings.get("prompt_per_second"),
        "prompt_n": timings.get("prompt_n"),
        "gen_tok_s": timings.get("predicted_per_second"),
    }


def json_answers(url: str) -> list[str]:
    answers = []
    for messages in JSON_PROMPTS:
        reply = httpx.post(
            f"{url}/api/llm/v1/chat/completions",
            json={
                "model": "smollm2-135m",
                "messages": messages,
                "response_format": {"type": "json_object"},
                "max_tokens": 200,
                "temperature": 0,
            },
            timeout=300,
        ).json()
        answers.append(reply["choices"][0]["message"]["content"])
    return answers


def bench_config(quant: str, threads: int, reps: int, busy_core: bool) -> dict:
    env = {
        "LOCALMODELS_API_KEY": "",
        "LOCALMODELS_LLM_QUANT": quant,
        "LOCALMODELS_LLM_THREADS": str(threads),
        "LOCALMODELS_LLM_PARALLEL": "1",
    }
    burner = None
    if busy_core:  # another process keeps one core busy, bounded to 15 minutes
        burner = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import time\nend = time.time() + 900\nwhile time.time() < end: pass",
            ]
        )
    try:
        load_before = load_average()
        with run_server(env=env, extra_args=["--services", "llm"]) as url:
            cold = stream_once(url, [{"role": "user", "content": LONG_PROMPT}], 16)
            uncached = [
                stream_once(url, [{"role": "user", "content": f"({i}) {LONG_PROMPT}"}], 16)
                for i in range(reps)
            ]
            warm = [
                stream_once(
                    url,
                    [{"role": "user", "content": f"{LLM_PROMPT}\nThis is question {i}."}],
                    16,
                )
                for i in range(reps + 1)
            ][1:]
            gen = [
                stream_once(
                    url, [{"role": "user", "content": f"({i}) {LLM_PROMPT}"}], 128, ignore_eos=True
                )
                for i in range(reps)
            ]
            answers = json_answers(url) if not busy_core else None
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()
    return {
        "quant": quant,
        "threads": threads,
        "busy_core": busy_core,
        "load_1min_before": load_before,
        "cold_ttft_s": round(cold["ttft_s"], 3),
        "cold_prompt_tok_s": round(cold["prompt_tok_s"], 1),
        "prompt_tokens": cold["prompt_n"],
        "uncached_ttft_s": med(uncached, "ttft_s"),
        "prompt_tok_s": round(statistics.median(r["prompt_tok_s"] for r in uncached), 1),
        "warm_ttft_s": med(warm, "ttft_s"),
        "gen_tok_s": round(statistics.median(r["gen_tok_s"] for r in gen), 1),
        "json_answers": answers,
    }


def llm_formats(reps: int, out: str) -> None:
    from localmodels import quant
    from localmodels.assets import smollm2_gguf

    conversions = {}
    for name in ("q8_0", "q4_0"):
        started = time.perf_counter()
        path = quant.ensure(smollm2_gguf(), name)
        conversions[name] = {
            "file": str(path),
            "first_use_s": round(time.perf_counter() - started, 2),
        }
    configs = [(q, 2, False) for q in ("q4_1", "q8_0", "q4_0")]
    configs += [("q4_1", 1, False), ("q4_1", 1, True), ("q4_1", 2, True)]
    rows = [bench_config(q, t, reps, busy) for q, t, busy in configs]
    reference = rows[0]["json_answers"]
    for row in rows:
        if row["json_answers"] is not None:
            row["json_same_as_q4_1"] = sum(
                a == b for a, b in zip(row["json_answers"], reference, strict=True)
            )
    report = {
        "rows": rows,
        "conversions": conversions,
        "json_prompts": len(JSON_PROMPTS),
        "reps": reps,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "notes": f"medians; one slot; long prompt {rows[0]['prompt_tokens']} tokens;"
        " load_1min_before: os.getloadavg()[0] just before the server started",
    }
    lines = [
        "| format | threads | other load | load avg | prompt tok/s | cold TTFT s |"
        " uncached TTFT s | warm TTFT s | gen tok/s | JSON answers = q4_1 |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        same = r.get("json_same_as_q4_1")
        lines.append(
            f"| {r['quant']} | {r['threads']} | {'1 busy core' if r['busy_core'] else 'idle'} |"
            f" {r['load_1min_before']} | {r['prompt_tok_s']} | {r['cold_ttft_s']} |"
            f" {r['uncached_ttft_s']} | {r['warm_ttft_s']} | {r['gen_tok_s']} |"
            f" {'' if same is None else f'{same}/{len(JSON_PROMPTS)}'} |"
        )
    md = "\n".join(lines)
    print(md)
    Path(out + ".llm.json").write_text(json.dumps(report, indent=2) + "\n")
    answers = "\n".join(
        f"- {r['quant']}: " + " · ".join(f"`{a}`" for a in r["json_answers"])
        for r in rows
        if r["json_answers"] is not None and r["threads"] == 2
    )
    Path(out + ".llm.md").write_text(
        "# localmodels LLM formats and threads\n\n"
        f"{os.cpu_count()} cores, {platform.platform()}; {report['timestamp']}; median of {reps}.\n"
        "Run: `.venv/bin/python bench/localmodels_bench.py --llm-formats`.\n\n"
        f"{report['notes']}. First-use conversion: "
        + ", ".join(f"{k} {v['first_use_s']} s" for k, v in conversions.items())
        + ".\n\n"
        + md
        + "\n\nJSON-mode answers (temperature 0):\n\n"
        + answers
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=os.environ.get("LOCALMODELS_URL", ""))
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "localmodels"))
    parser.add_argument("--llm-formats", action="store_true")
    args = parser.parse_args()
    if args.llm_formats:
        llm_formats(args.reps, args.out)
        return
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

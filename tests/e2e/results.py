"""Per-turn latency of the real pipeline, recorded by the e2e run into bench/results/."""

import json
import os
import platform
import time

from agents.metrics import WAIT_PARTS, latency_stats
from tests.e2e.system import BASE_DIR

RESULTS = BASE_DIR / "bench" / "results"
PARTS = [
    ("total_latency", "wait (speech end to first audio)"),
    *((name, label.lower()) for name, label in WAIT_PARTS),
    ("transcription_delay", "transcription (within end of turn)"),
    ("reply_seconds", "reply length"),
]


def summarise(turns):
    return latency_stats(turns, [key for key, _label in PARTS])


def write_turn_results(turns, *, run_dir):
    result = {
        "what": "per-turn latency of a real interview in the e2e run (browser -> LiveKit -> agent)",
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
        },
        "models": "embedded: whisper-tiny.en, smollm2-135m, piper en_US joe medium",
        "unit": "seconds",
        "summary": summarise(turns),
        "turns": turns,
    }
    lines = [
        "# Per-turn latency of the e2e interview",
        "",
        f"Recorded {result['recorded_at']} by `make e2e` on {result['machine']['cpus']} CPUs "
        f"(1-minute load average {result['machine']['load_average_1m']}), embedded models. "
        "Seconds; the agent stores one row per reply (TurnMetrics): the candidate's wait from "
        "the end of their speech to the interviewer's first audio frame, and its parts, which "
        "add up to it ('other' is what the measured stages leave unexplained). The greeting "
        "has no candidate speech before it, so no wait.",
        "",
        "| turn | " + " | ".join(label for _key, label in PARTS) + " |",
        "|---" * (len(PARTS) + 1) + "|",
    ]
    for turn in turns:
        cells = ["–" if turn.get(key) is None else f"{turn[key]:.3f}" for key, _label in PARTS]
        lines.append(f"| {turn['turn']} | " + " | ".join(cells) + " |")
    lines += ["", "| part | n | p50 | p90 | max |", "|---|---|---|---|---|"]
    for key, label in PARTS:
        if key in result["summary"]:
            row = result["summary"][key]
            lines.append(f"| {label} | {row['n']} | {row['p50']} | {row['p90']} | {row['max']} |")
    text_json = json.dumps(result, indent=2) + "\n"
    text_md = "\n".join(lines) + "\n"
    for directory in (RESULTS, run_dir):
        (directory / "e2e_turns.json").write_text(text_json)
        (directory / "e2e_turns.md").write_text(text_md)
    return result

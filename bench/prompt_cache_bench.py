"""Time to the first token of the interviewer's follow-up on the embedded model, cold and warm.

    flock /work/heavy.lock .venv/bin/python bench/prompt_cache_bench.py [--reps 6]

The prompt is the real one (agents/worker/prompts/transcript_follow_up.txt, filled as the
writer fills it) for a new question and the candidate's answer to it. For each repetition a
question the server has not seen is used three ways:

    cold    the follow-up request arrives with nothing of its prompt cached
    warmed  the worker's warm-up (agents.worker.writer.Writer.warm: the prompt up to the
            candidate's words, max_tokens 0) went first, while the question was spoken
    next    a second answer to the same question (the server has the prefix from the first)

It starts its own embedded server (LLM only) and writes bench/results/prompt_cache.{json,md}
with the load average before and after.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import openai

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localmodels.pytest_plugin import run_server  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PROMPT = (ROOT / "agents" / "worker" / "prompts" / "transcript_follow_up.txt").read_text().strip()
ROLE = "Backend engineer"
QUESTIONS = [
    "Tell me about a payment system you built.",
    "How did you test the billing service before each release?",
    "Which database schema change was the hardest to roll out?",
    "How do you decide between a queue and a direct call between services?",
    "Tell me about an outage you helped resolve.",
    "How do you review a colleague's pull request?",
    "What would you change in the last system you designed?",
    "How do you keep an API backwards compatible?",
]
ANSWERS = [
    "I built the ledger in Python on PostgreSQL, one row per entry and no updates.",
    "We ran the whole suite against a fake card network, then a shadow run for a week.",
]


def prompt_for(question, answers):
    conversation = "\n".join(f"Candidate: {answer}" for answer in answers)
    return PROMPT.format(role=ROLE, question=question, conversation=conversation, cue="")


def first_token_seconds(client, prompt):
    started = time.perf_counter()
    stream = client.completions.create(
        model="smollm2-135m", prompt=prompt, max_tokens=24, temperature=0.7, stop=["\n"],
        stream=True,
    )  # fmt: skip
    first = None
    for chunk in stream:
        if first is None and chunk.choices and chunk.choices[0].text:
            first = time.perf_counter() - started
    return first if first is not None else time.perf_counter() - started


def warm(client, question):
    started = time.perf_counter()
    client.completions.create(model="smollm2-135m", prompt=prompt_for(question, []), max_tokens=0)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=6)
    args = parser.parse_args()
    reps = min(args.reps, len(QUESTIONS) // 2)
    load_before = os.getloadavg()
    rows = []
    with run_server(env={"LOCALMODELS_API_KEY": ""}, extra_args=["--services", "llm"]) as url:
        client = openai.OpenAI(base_url=f"{url}/api/llm/v1", api_key="none", max_retries=0)
        # The header and worked example are shared by every question: read them once, as
        # the greeting's warm-up does, so "cold" below is a new question, not a new server.
        warm(client, "Tell me about yourself.")
        for index in range(reps):
            cold_question, warm_question = QUESTIONS[2 * index], QUESTIONS[2 * index + 1]
            cold = first_token_seconds(client, prompt_for(cold_question, ANSWERS[:1]))
            warm_seconds = warm(client, warm_question)
            warmed = first_token_seconds(client, prompt_for(warm_question, ANSWERS[:1]))
            following = first_token_seconds(client, prompt_for(warm_question, ANSWERS))
            rows.append(
                {
                    "cold": round(cold, 3),
                    "warm_up_request": round(warm_seconds, 3),
                    "warmed": round(warmed, 3),
                    "next": round(following, 3),
                }
            )
            print(rows[-1], flush=True)
    load_after = os.getloadavg()

    def p50(name):
        return round(statistics.median(row[name] for row in rows), 3)

    result = {
        "what": "time to first token of the embedded follow-up prompt (prompt_cache_bench)",
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_before": [round(v, 2) for v in load_before],
        "load_after": [round(v, 2) for v in load_after],
        "prompt_words": len(prompt_for(QUESTIONS[0], ANSWERS[:1]).split()),
        "p50": {name: p50(name) for name in ("cold", "warm_up_request", "warmed", "next")},
        "target_warm_ttft": 0.5,
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "prompt_cache.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# The interviewer's prompt, cold and warm, on the embedded model (prompt_cache_bench)",
        "",
        f"Recorded {result['recorded_at']} on {os.cpu_count()} CPUs; load average (1/5/15 min) "
        f"before {' '.join(map(str, result['load_before']))}, "
        f"after {' '.join(map(str, result['load_after']))}. "
        f"Prompt: {result['prompt_words']} words, SmolLM2-135M, {len(rows)} questions.",
        "",
        "| time to first token, p50 (s) | value |",
        "|---|---|",
        f"| cold: a new question, nothing of it cached | {result['p50']['cold']} |",
        f"| the warm-up request itself (while the question is spoken) "
        f"| {result['p50']['warm_up_request']} |",
        f"| warmed: the same kind of question after the warm-up | {result['p50']['warmed']} |",
        f"| next: a second answer to the same question | {result['p50']['next']} |",
        "",
        "Target (#13): warm ≤ 0.5 s.",
    ]
    (RESULTS / "prompt_cache.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""How many simultaneous interviews one agent worker carries: CPU per interview and the
latency the worker itself adds, as the number of interviews grows.

    flock /work/heavy.lock .venv/bin/python bench/agent_capacity_bench.py [--sizes 1,2,4,8]

The agent worker runs each interview in its own job process. So does this: for each size N,
N processes start at once, each running one interview exactly as a job process builds it
(build_session, Interviewer, InterviewRecorder, FailureGuard, writing to PostgreSQL and
broadcasting over Redis), with a simulated candidate speaking espeak-ng answers through
a paced microphone (bench/agent_overhead_bench.py's machinery). The models are instant and
scripted (tests/fake_openai.py: canned transcript, reply and silent speech), so every
millisecond of a turn beyond the configured pause before replying (the profile's minimum
or, when the turn detector thinks the answer unfinished, maximum endpointing delay) is
the worker's own: VAD, the turn detector, the plugins' HTTP and audio handling, the
hooks, and waiting for a CPU shared with the other interviews.

No LiveKit room: the WebRTC transport's audio decoding and encoding are not included.
Needs PostgreSQL and Redis as for the tests. Writes bench/results/agent_capacity.json
and .md, with /proc/loadavg before and after each size: other work on the machine
shows there.
"""

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET_ADDED_P50_MS_AT_4 = 150


def loadavg():
    return Path("/proc/loadavg").read_text().split()[:3]


# --- one interview, in its own process --------------------------------------------------


def child(interview_id, wav_dir, turns):
    sys.path.insert(0, str(ROOT / "bench"))
    import numpy as np
    from agent_overhead_bench import converse, session_failed
    from channels.db import database_sync_to_async
    from livekit.plugins import silero

    from agents.worker.entrypoint import load_interview
    from agents.worker.guard import FailureGuard
    from agents.worker.interviewer import Interviewer, InterviewState
    from agents.worker.recorder import InterviewRecorder
    from agents.worker.session import build_session

    meta = json.loads((Path(wav_dir) / "answers.json").read_text())
    answers = [np.fromfile(Path(wav_dir) / name, dtype=np.int16) for name in meta["files"]]
    answers = (answers * turns)[:turns]
    # What a job process has done before its interview arrives (the worker's prewarm).
    vad = silero.VAD.load()

    async def interview():
        brief, profile = await database_sync_to_async(load_interview)(interview_id)
        state = InterviewState(brief=brief)
        session = build_session(profile, vad=vad, userdata=state)
        recorder = InterviewRecorder(interview_id)
        recorder.attach(session)
        FailureGuard(session, state=state, profile=profile, recorder=recorder, end=session_failed)
        agent = Interviewer(brief, profile=profile)
        result = await converse(session, agent, answers, meta["rate"])
        await recorder.drain()
        return result, (profile.min_endpointing_delay, profile.max_endpointing_delay)

    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    turn_values, waits = asyncio.run(interview())
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # Threads the framework starts (inference, HTTP) count in RUSAGE_SELF too.
    print(
        "RESULT "
        + json.dumps({"turns": turn_values, "cpu_s": cpu, "wall_s": wall, "waits_s": waits}),
        flush=True,
    )


# --- the coordinator ----------------------------------------------------------------------


def fixtures(fake_url, count):
    from accounts.models import User
    from agents.services import interview_create
    from providers.models import ProviderProfile
    from providers.services import profile_activate
    from resumes.models import Candidate

    profile = ProviderProfile.objects.create(
        name="instant",
        llm_base_url=fake_url,
        llm_model="fake-model",
        stt_base_url=fake_url,
        stt_model="stt",
        tts_base_url=fake_url,
        tts_model="tts",
        tts_voice="voice",
        tts_response_format="pcm",
    )
    profile_activate(profile=profile)
    recruiter, _ = User.objects.get_or_create(
        username="bench", defaults={"role": User.Role.RECRUITER}
    )
    ids = []
    for number in range(count):
        candidate = Candidate.objects.create(name=f"Candidate {number}")
        interview, _secret = interview_create(
            candidate=candidate,
            role_title="Backend engineer",
            job_description="Payment services in Python and Go.",
            max_duration_minutes=15,
            created_by=recruiter,
        )
        ids.append(interview.pk)
    return ids


def write_answers(directory):
    sys.path.insert(0, str(ROOT / "bench"))
    from agent_overhead_bench import ANSWERS, speech_samples

    files = []
    rate = None
    for number, text in enumerate(ANSWERS):
        rate, samples = speech_samples(text, directory)
        name = f"answer-{number}.raw"
        samples.tofile(Path(directory) / name)
        files.append(name)
    (Path(directory) / "answers.json").write_text(json.dumps({"rate": rate, "files": files}))


def run_size(size, interview_ids, wav_dir, turns, env):
    load_before = loadavg()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                str(interview_id),
                "--wav-dir",
                wav_dir,
                "--turns",
                str(turns),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for interview_id in interview_ids[:size]
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        if process.returncode or not lines:
            raise RuntimeError(f"an interview process failed:\n{err[-3000:]}")
        results.append(json.loads(lines[-1][len("RESULT ") :]))
    return results, load_before, loadavg()


def percentile(values, share):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def endpointing_wait(turn, waits):
    """The pause the endpointing timer was set to for this turn: the longest of the
    profile's minimum and maximum pause that the end of utterance took (the turn detector
    picks the maximum when the answer sounds unfinished)."""
    shortest, longest = waits
    return longest if turn["end_of_utterance_delay"] >= longest else shortest


def summarise(size, results, load_before, load_after):
    added = []
    parts = {
        "end_of_utterance_delay": [],
        "transcription_delay": [],
        "llm_ttft": [],
        "tts_ttfb": [],
    }
    for result in results:
        for turn in result["turns"]:
            added.append(1000 * (turn["total"] - endpointing_wait(turn, result["waits_s"])))
            for name in parts:
                if turn.get(name) is not None:
                    parts[name].append(1000 * turn[name])
    cpu = [r["cpu_s"] for r in results]
    wall = [r["wall_s"] for r in results]
    busy = [c / w for c, w in zip(cpu, wall, strict=True)]
    return {
        "interviews": size,
        "turns": len(added),
        "added_ms": {
            "p50": round(percentile(added, 0.5), 1),
            "p90": round(percentile(added, 0.9), 1),
        },
        "parts_p50_ms": {name: round(statistics.median(v), 1) for name, v in parts.items() if v},
        "cpu_s_per_interview": round(statistics.mean(cpu), 2),
        "wall_s_per_interview": round(statistics.mean(wall), 2),
        # The share of one core an interview keeps busy while it talks.
        "cores_per_interview": round(statistics.mean(busy), 3),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }


def write_results(rows, args):
    at_four = next((row for row in rows if row["interviews"] == 4), None)
    result = {
        "what": "simultaneous interviews in one agent worker, instant scripted models",
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "turns_per_interview": args.turns,
        "added_ms": "turn total (end of utterance + LLM first token + TTS first byte) minus "
        "the endpointing pause it was set to (the profile's minimum or maximum)",
        "turns": "answers after which end of utterance, LLM first token and TTS first byte "
        "were all measured",
        "target": {"added_ms_p50_at_4": TARGET_ADDED_P50_MS_AT_4},
        "sizes": rows,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "agent_capacity.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "# Simultaneous interviews in one agent worker",
        "",
        f"Recorded {result['recorded_at']} with `bench/agent_capacity_bench.py --sizes "
        f"{args.sizes} --turns {args.turns}` on {os.cpu_count()} CPUs shared with other work "
        "(see the load). Instant scripted models, one process per interview as the worker runs "
        "them, no LiveKit room. Latency the worker adds = turn total minus the endpointing "
        "pause it was set to (the profile's minimum or maximum).",
        "",
        "| interviews | turns | added p50 ms | added p90 ms | CPU s / interview | cores / "
        "interview | loadavg before | loadavg after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['interviews']} | {row['turns']} | {row['added_ms']['p50']} | "
            f"{row['added_ms']['p90']} | {row['cpu_s_per_interview']} | "
            f"{row['cores_per_interview']} | {' '.join(row['loadavg_before'])} | "
            f"{' '.join(row['loadavg_after'])} |"
        )
    lines += ["", "Median parts per size (ms):", ""]
    for row in rows:
        parts = ", ".join(f"{name} {value}" for name, value in row["parts_p50_ms"].items())
        lines.append(f"- {row['interviews']}: {parts}")
    if at_four:
        verdict = "met" if at_four["added_ms"]["p50"] <= TARGET_ADDED_P50_MS_AT_4 else "missed"
        lines += [
            "",
            f"Target: <= {TARGET_ADDED_P50_MS_AT_4} ms added p50 at 4 interviews: {verdict} "
            f"({at_four['added_ms']['p50']} ms).",
        ]
    (RESULTS / "agent_capacity.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def coordinate(args):
    os.environ["DOTENV"] = "0"
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    os.environ.setdefault(
        "DATABASE_URL", f"postgres://interview:interview@127.0.0.1:5432/bench_{os.getpid()}"
    )
    os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    sys.path.insert(0, str(ROOT / "bench"))
    from agent_overhead_bench import ANSWERS

    from tests.fake_openai import FakeOpenAI, Reply
    from tests.processes import test_database_url

    sizes = [int(size) for size in args.sizes.split(",")]
    fake = FakeOpenAI().start()
    # A finished sentence rather than the fake's default fragment, as after a real answer.
    fake.defaults["transcriptions"] = Reply(json={"text": ANSWERS[0]})
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        with tempfile.TemporaryDirectory() as wav_dir:
            write_answers(wav_dir)
            ids = fixtures(fake.url, max(sizes) * len(sizes))
            env = {**os.environ, "DATABASE_URL": test_database_url()}
            rows = []
            for index, size in enumerate(sizes):
                # Fresh interviews each time: a finished one is not loaded again.
                batch = ids[index * max(sizes) :]
                started = time.perf_counter()
                results, before, after = run_size(size, batch, wav_dir, args.turns, env)
                row = summarise(size, results, before, after)
                rows.append(row)
                print(
                    f"{size} interviews: added p50 {row['added_ms']['p50']} ms, "
                    f"{row['cores_per_interview']} cores each "
                    f"({time.perf_counter() - started:.0f} s, load {' '.join(after)})",
                    flush=True,
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
        fake.stop()
    write_results(rows, args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,2,4,8")
    parser.add_argument("--turns", type=int, default=4)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--wav-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is None:
        coordinate(args)
        return
    # A child inherits the coordinator's environment, test database included; importing
    # agent_overhead_bench sets Django up from it.
    sys.path.insert(0, str(ROOT))
    child(args.child, args.wav_dir, args.turns)


if __name__ == "__main__":
    main()

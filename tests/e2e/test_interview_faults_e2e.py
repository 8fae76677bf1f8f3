"""Faults in the middle of a real interview: Redis restarted, PostgreSQL stopped, the agent
worker killed. Each takes the system's own Redis, PostgreSQL or agent (nobody else's) and
brings it back for the next test.

Run with `bash scripts/e2e.sh -k faults` (see conftest.py). How long each fault took to be
put right goes to faults.txt in the run's artifacts directory.
"""

import os
import re
import signal
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.system import HEARTBEAT_STALE_S
from tests.e2e.test_interview_e2e import AGENT_TIMEOUT_MS, join_the_interview, sign_in

pytestmark = pytest.mark.e2e

NEW_INTERVIEW = """
import json
from agents.services import interview_create
from resumes.models import Candidate
candidate = Candidate.objects.create(name={name!r}, email="faults@example.com")
interview, secret = interview_create(candidate=candidate, role_title="Backend engineer")
print(json.dumps([interview.pk, secret]))
"""
STORED = """
import json
from agents.models import Interview
interview = Interview.objects.get(pk={interview_id})
print(json.dumps({{
    "status": interview.status,
    "reason": interview.status_reason,
    "segments": [[s.seq, s.speaker, s.text] for s in interview.segments.order_by("seq")],
}}))
"""
CANCEL = """
import json
from agents.models import Interview
from agents.services import interview_cancel
print(json.dumps(interview_cancel(interview=Interview.objects.get(pk={interview_id})).room_left_open))
"""
# A word of conftest.ANSWER that Whisper tiny.en reliably gets from espeak-ng's voice.
ANSWER_WORD = re.compile(r"payment", re.IGNORECASE)
FAILED_MESSAGE = "The interview had to stop because of a technical problem."


def stored(system, interview_id):
    return system.query(STORED.format(interview_id=interview_id))


def wait_for(check, *, timeout, what, every=1.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(every)


def record(system, line):
    print(f"\ne2e fault: {line}")
    with open(system.run_dir / "faults.txt", "a") as figures:
        figures.write(line + "\n")


@pytest.fixture
def interview(system, browser_context_factory, screenshots, request):
    """A live interview: the recruiter (the admin) watches its page, the candidate is in it."""
    name = request.node.name.removeprefix("test_")[:40]
    interview_id, secret = system.query(NEW_INTERVIEW.format(name=name))
    recruiter = browser_context_factory("fault-recruiter").new_page()
    sign_in(recruiter, system.admin_username, system.admin_password)
    recruiter.goto(f"/interviews/{interview_id}/")
    expect(recruiter.locator("#transcript [data-connection]")).to_have_text("connected")
    candidate = browser_context_factory("fault-candidate").new_page()
    candidate.goto(f"/join/{secret}/")
    join_the_interview(candidate, screenshots, step=f"{name}-joining")
    # The interviewer starts its greeting: the turn it is saying is stored once said.
    expect(candidate.locator("#agent-state")).to_have_text("speaking", timeout=AGENT_TIMEOUT_MS)
    yield interview_id, recruiter, candidate
    if stored(system, interview_id)["status"] == "live":
        # Cancelled rather than left: no report for the embedded LLM to write before the next test.
        system.query(CANCEL.format(interview_id=interview_id))


def answered(system, interview_id):
    """The stored segments once the candidate's answer and a reply after it are among them."""
    segments = stored(system, interview_id)["segments"]
    speakers = [speaker for _seq, speaker, _text in segments]
    answer = next(
        (i for i, (_seq, speaker, text) in enumerate(segments) if ANSWER_WORD.search(text)), None
    )
    return segments if answer is not None and "agent" in speakers[answer + 1 :] else None


def words(text):
    return " ".join(text.split())


def assert_the_page_shows(recruiter, segments):
    page_segments = recruiter.locator("#transcript .segment")
    expect(page_segments).to_have_count(len(segments), timeout=30_000)
    shown = page_segments.locator(".segment-text").all_inner_texts()
    assert [words(text) for text in shown] == [words(text) for _seq, _sp, text in segments]


def assert_the_greeting_was_stored(candidate, segments):
    """The greeting, said while the fault lasted, is stored as the candidate heard it."""
    assert segments[0][1] == "agent"
    caption = candidate.locator("#captions .caption-agent").first.inner_text()
    assert words(segments[0][2]) in words(caption)


def test_a_redis_restart_mid_interview_loses_no_turn_and_the_recruiter_page_catches_up(
    system, interview, screenshots
):
    interview_id, recruiter, candidate = interview
    redis = system.processes["redis"]
    redis.stop()
    stopped_at = time.monotonic()
    # Down until the greeting, said meanwhile, is stored: its live broadcast is lost.
    wait_for(
        lambda: stored(system, interview_id)["segments"],
        timeout=60,
        what="the greeting being stored while Redis was down",
    )
    restarted = system.launcher.start("redis-restarted", redis.popen.args)
    system.processes["redis"] = restarted
    restarted.wait_for_log("Ready to accept connections", timeout=20)
    down_for = time.monotonic() - stopped_at

    segments = wait_for(
        lambda: answered(system, interview_id),
        timeout=AGENT_TIMEOUT_MS / 1000 * 2,
        what="the candidate's answer and the reply to it being stored",
        every=3,
    )
    assert_the_page_shows(recruiter, segments)
    caught_up = time.monotonic() - stopped_at
    assert_the_greeting_was_stored(candidate, segments)
    screenshots(recruiter, "fault-redis-recruiter-caught-up")
    record(
        system,
        f"Redis restart: held; Redis down {down_for:.0f} s, {len(segments)} turns stored and "
        f"shown, recruiter page complete {caught_up:.0f} s after the stop",
    )


def test_postgres_stopped_mid_interview_loses_no_turn(system, interview, screenshots):
    interview_id, recruiter, candidate = interview
    agent_log = system.processes["agent"].log_path
    log_before = len(agent_log.read_text(errors="replace"))

    def retried_a_write():
        return "could not store a turn" in agent_log.read_text(errors="replace")[log_before:]

    system.postgres.stop()
    stopped_at = time.monotonic()
    try:
        # At least 10 s, and until a turn was said meanwhile (the greeting being spoken).
        time.sleep(10)
        wait_for(retried_a_write, timeout=30, what="a turn being said while PostgreSQL was down")
    finally:
        system.postgres.start()
    down_for = time.monotonic() - stopped_at

    segments = wait_for(
        lambda: answered(system, interview_id),
        timeout=AGENT_TIMEOUT_MS / 1000 * 2,
        what="the candidate's answer and the reply to it being stored",
        every=3,
    )
    log = agent_log.read_text(errors="replace")[log_before:]
    assert "gave up storing a turn" not in log
    assert_the_greeting_was_stored(candidate, segments)
    assert [seq for seq, _speaker, _text in segments] == list(range(1, len(segments) + 1))
    assert_the_page_shows(recruiter, segments)
    screenshots(recruiter, "fault-postgres-recruiter")
    record(
        system,
        f"PostgreSQL stopped: held; down {down_for:.0f} s, {len(segments)} turns stored in order, "
        f"all stored {time.monotonic() - stopped_at:.0f} s after the stop",
    )


def test_killing_the_agent_worker_mid_interview_fails_the_interview_and_tells_the_candidate(
    system, interview, screenshots
):
    interview_id, recruiter, candidate = interview
    agent = system.processes["agent"]
    # The worker and its job processes, as when its machine or container dies.
    os.killpg(agent.popen.pid, signal.SIGKILL)
    agent.popen.wait()
    killed_at = time.monotonic()

    expect(candidate.get_by_text(FAILED_MESSAGE)).to_be_visible(
        timeout=(HEARTBEAT_STALE_S + 60) * 1000
    )
    told_after = time.monotonic() - killed_at
    screenshots(candidate, "fault-agent-killed-candidate")
    expect(recruiter.locator("[data-interview-status]")).to_have_text("Failed")
    outcome = stored(system, interview_id)
    assert outcome["status"] == "failed"
    assert outcome["reason"] == "The interviewer stopped unexpectedly."
    # Coming back to the link, the candidate reads why it can't be used.
    candidate.reload()
    expect(
        candidate.get_by_text("This interview ended because of a technical problem.")
    ).to_be_visible()
    record(
        system,
        f"agent worker killed: held; interview failed and candidate told {told_after:.0f} s after "
        f"the kill (heartbeat stale after {HEARTBEAT_STALE_S} s, reconciler every 5 s)",
    )

    restarted = system.launcher.start("agent-restarted", agent.popen.args)
    system.processes["agent"] = restarted
    restarted.wait_for_log("registered worker", timeout=120)

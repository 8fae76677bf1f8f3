"""A whole interview through the real system: browser, web, Celery, LiveKit, agent, models.

Run with `bash scripts/e2e.sh` (see conftest.py). Each step leaves a
screenshot in the run's artifacts directory.
"""

import json
import re

import pytest
from playwright.sync_api import expect

from agents.metrics import WAIT_PARTS
from tests.e2e.results import write_turn_results
from tests.e2e.resume_pdf import RESUME_NAME, write_resume_pdf
from tests.e2e.system import CANDIDATE_JOIN_TIMEOUT_S

pytestmark = pytest.mark.e2e
expect.set_options(timeout=20_000)

RECRUITER = ("e2e-recruiter", "a long recruiter passphrase 42")
# The profile check runs every model once, the first time on a cold CPU.
CHECK_TIMEOUT_MS = 180_000
PARSE_TIMEOUT_MS = 300_000
# From joining to the greeting, and from the answer to its transcript, on CPU models.
AGENT_TIMEOUT_MS = 120_000
# Words of conftest.ANSWER that Whisper tiny.en reliably gets from espeak-ng's voice.
ANSWER_WORDS = re.compile(r"payment", re.IGNORECASE)


def sign_in(page, username, password):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_candidate_talks_to_the_interviewer_while_a_recruiter_watches(
    system, browser_context_factory, screenshots, run_dir
):
    admin = browser_context_factory("admin").new_page()

    # The admin signs in and tests the active (embedded) profile: every service works.
    sign_in(admin, system.admin_username, system.admin_password)
    screenshots(admin, "admin-home")
    admin.goto("/providers/")
    profile = admin.locator("article.provider-active")
    expect(profile).to_be_visible()
    profile.get_by_role("button", name="Test connection").click()
    expect(profile.get_by_text("every check passed")).to_be_visible(timeout=CHECK_TIMEOUT_MS)
    for service in ("llm", "stt", "tts"):
        expect(
            profile.locator(f'[data-service="{service}"] [data-role="service-status"]')
        ).to_have_text("Working")
    expect(profile.locator(".check-fail")).to_have_count(0)
    screenshots(admin, "admin-profile-tested")

    # The admin adds a recruiter.
    admin.goto("/users/new/")
    admin.get_by_label("Username").fill(RECRUITER[0])
    admin.get_by_label("Role").select_option(label="Recruiter")
    admin.get_by_label(re.compile(r"^Password\W*$")).fill(RECRUITER[1])
    admin.get_by_label(re.compile(r"^Password confirmation")).fill(RECRUITER[1])
    screenshots(admin, "admin-adds-recruiter")
    admin.get_by_role("button", name="Create user").click()
    expect(admin.get_by_role("cell", name=RECRUITER[0])).to_be_visible()

    # The recruiter uploads a PDF resume and watches it get parsed.
    recruiter = browser_context_factory("recruiter").new_page()
    sign_in(recruiter, *RECRUITER)
    recruiter.goto("/candidates/")
    pdf = write_resume_pdf(run_dir / RESUME_NAME)
    recruiter.locator("#upload-input").set_input_files(str(pdf))
    upload = recruiter.locator("#upload-list li").filter(has_text=RESUME_NAME)
    expect(upload).to_have_class(re.compile(r"\bupload-ok\b"))
    screenshots(recruiter, "recruiter-uploaded")
    expect(upload.locator("[data-resume-id]")).to_have_text("Parsed", timeout=PARSE_TIMEOUT_MS)
    screenshots(recruiter, "recruiter-parsed")
    upload.get_by_role("link", name="Open candidate").click()
    expect(recruiter.get_by_text("jordan.reyes@example.com", exact=True)).to_be_visible()
    screenshots(recruiter, "recruiter-candidate")
    candidate_id = re.search(r"/candidates/(\d+)/", recruiter.url).group(1)

    # The recruiter interviews them for a job whose plan has two questions, from the job page.
    job_id = system.query(TWO_QUESTION_JOB)
    recruiter.goto(f"/jobs/{job_id}/")
    recruiter.get_by_label("Candidate", exact=True).select_option(value=candidate_id)
    recruiter.get_by_role("button", name="Add to job").click()
    recruiter.locator(f'input[name="candidate"][value="{candidate_id}"]').check()
    screenshots(recruiter, "recruiter-job")
    recruiter.get_by_role("button", name="Create interviews for the ticked candidates").click()
    join_link = recruiter.locator("#links input[type=text]").input_value()
    screenshots(recruiter, "recruiter-job-links")
    recruiter.locator("#links li a").click()
    interview_id = int(re.search(r"/interviews/(\d+)/", recruiter.url).group(1))
    transcript = recruiter.locator("#transcript")
    expect(transcript.locator("[data-connection]")).to_have_text("connected")
    progress = recruiter.locator("#progress [data-progress-summary]")
    expect(progress).to_contain_text("Not started: 2 questions")
    screenshots(recruiter, "recruiter-interview-created")

    # The candidate opens the link, checks the microphone, agrees and joins.
    candidate = browser_context_factory("candidate").new_page()
    candidate.goto(join_link)
    join_the_interview(candidate, screenshots, step="candidate-ready")

    # The interviewer greets first: the same words on the recruiter's page and in the captions.
    first = transcript.locator(".segment").first
    expect(first).to_have_class(re.compile(r"\bsegment-agent\b"), timeout=AGENT_TIMEOUT_MS)
    greeting = first.locator(".segment-text").inner_text()
    assert greeting.strip()
    expect(candidate.locator("#captions .caption-agent").first).to_contain_text(greeting)
    # The first question is the plan's, word for word, and the recruiter sees where it is.
    expect(transcript.locator(".segment-agent")).to_contain_text([FIRST_QUESTION])
    expect(progress).to_contain_text("question 1 of 2")
    screenshots(candidate, "candidate-greeted")
    screenshots(recruiter, "recruiter-greeted")

    # A reload by mistake does not end the interview: the browser asks first, and the
    # candidate joins the same interviewer again.
    dialogs = []
    candidate.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    candidate.reload()
    assert dialogs == ["beforeunload"]
    expect(candidate.get_by_text("Your interview is in progress")).to_be_visible()
    join_the_interview(candidate, screenshots, step="candidate-rejoining")
    expect(recruiter.locator("[data-interview-status]")).to_have_text("Live")

    # The candidate's spoken answer (the fake microphone's WAV) is transcribed for the recruiter.
    answer = transcript.locator(".segment-candidate .segment-text").first
    expect(answer).to_have_text(ANSWER_WORDS, timeout=AGENT_TIMEOUT_MS)
    screenshots(recruiter, "recruiter-heard-answer")
    screenshots(candidate, "candidate-answered")

    # The interviewer replies; the recruiter sees how long the candidate waited for it.
    expect(recruiter.locator("#latency")).to_contain_text(
        re.compile(r"over \d+ answered turns?"), timeout=90_000
    )
    screenshots(recruiter, "recruiter-latency")
    # Having heard the answer, the interviewer moves on to the plan's second question.
    expect(progress).to_contain_text("question 2 of 2", timeout=AGENT_TIMEOUT_MS)
    expect(recruiter.locator('#progress [data-question-status="covered"]')).to_have_count(1)
    screenshots(recruiter, "recruiter-progress")

    # The candidate leaves; the interview ends as completed and its report is written.
    leave_the_interview(candidate)
    expect(candidate.get_by_text("You left the interview")).to_be_visible()
    expect(candidate.locator("#agent-state")).to_have_text("the interview has ended")
    screenshots(candidate, "candidate-left")
    # The recruiter's page follows without a reload.
    expect(recruiter.locator("[data-interview-status]")).to_have_text("Completed", timeout=90_000)
    expect(recruiter.get_by_text("Completed: The candidate left the interview.")).to_be_visible()
    screenshots(recruiter, "recruiter-completed")
    # Ending the interview asked for its report; it appears once the worker has written it,
    # one block per competency of the job's rubric (scored, or saying why not).
    report = recruiter.locator("#report")
    expect(report).to_contain_text("Written by the AI", timeout=240_000)
    for key in ("payments", "languages"):
        expect(report.locator(f"#competency-{key}")).to_be_visible()
    screenshots(recruiter, "recruiter-report")

    # Both voices were recorded, each on its channel, in step with the transcript.
    check_the_recording(system, interview_id)
    # The recruiter plays it from the page: a click on the answer goes to where it was said.
    recruiter.reload()
    player = recruiter.locator("#recording audio")
    expect(player).to_be_visible()
    line = transcript.locator(".segment-candidate").first
    offset = float(line.get_attribute("data-offset"))
    line.click()
    recruiter.wait_for_function(
        "(offset) => Math.abs(document.querySelector('#recording audio').currentTime - offset)"
        " < 1.5",
        arg=offset,
    )
    expect(line).to_have_class(re.compile(r"\bsegment-playing\b"))
    screenshots(recruiter, "recruiter-recording")

    # The interview list sums up how long the candidate waited.
    recruiter.goto("/interviews/")
    row = recruiter.get_by_role("row").filter(has_text="Backend engineer")
    expect(row.locator("[data-latency]")).to_contain_text(re.compile(r"\d\.\d\d s p90"))
    screenshots(recruiter, "recruiter-interview-list")

    record_turn_latency(system, interview_id)


FIRST_QUESTION = "Tell me about a payment system you built. What was your part in it?"
TWO_QUESTION_JOB = f"""
import json
from jobs.services import job_create
levels = {{str(n): f"Level {{n}} of 5." for n in range(1, 6)}}
plan = {{"time_limit_minutes": 10, "sections": [{{"kind": "competency", "title": "Payments",
    "questions": [
        {{"id": "payments", "text": {FIRST_QUESTION!r}, "competency": "payments",
          "follow_ups": 0, "minutes": 3}},
        {{"id": "languages", "text": "Which programming languages did you use for it, and why?",
          "competency": "languages", "follow_ups": 1, "minutes": 3}}]}}]}}
rubric = {{"competencies": [
    {{"key": "payments", "name": "Payment systems", "levels": levels}},
    {{"key": "languages", "name": "Languages and tools", "levels": levels}}]}}
job, _saved = job_create(title="Backend engineer",
    description="Payment services in Python and Go on PostgreSQL.", plan=plan, rubric=rubric)
print(json.dumps(job.pk))
"""
NEW_INTERVIEW = """
import json
from agents.services import interview_create
from resumes.models import Candidate
candidate = Candidate.objects.create(name="Sam Late", email="sam.late@example.com")
_interview, secret = interview_create(candidate=candidate, role_title="Support engineer")
print(json.dumps(secret))
"""
# What the join page's script does before it connects to the room.
ASK_FOR_A_TOKEN = """async () => {
  const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
  const url = document.getElementById("join-config").dataset.tokenUrl;
  const response = await fetch(url, {method: "POST", headers: {"X-CSRFToken": csrf}});
  return response.status;
}"""


def test_a_candidate_who_connects_after_the_interviewer_gave_up_gets_a_new_one(
    system, browser_context_factory, screenshots
):
    secret = system.query(NEW_INTERVIEW)
    candidate = browser_context_factory("late-candidate").new_page()
    candidate.goto(f"/join/{secret}/")
    # The page asks for its token, which dispatches an interviewer, then never connects
    # (a network that blocks WebRTC, a browser closed at the wrong moment).
    assert candidate.evaluate(ASK_FOR_A_TOKEN) == 200
    system.processes["agent"].wait_for_log("never joined", timeout=CANDIDATE_JOIN_TIMEOUT_S + 60)

    # Joining right after, the candidate is greeted by a new interviewer.
    candidate.reload()
    join_the_interview(candidate, screenshots, step="late-candidate-ready")
    expect(candidate.locator("#captions .caption-agent")).not_to_have_count(
        0, timeout=AGENT_TIMEOUT_MS
    )
    screenshots(candidate, "late-candidate-greeted")
    leave_the_interview(candidate)
    expect(candidate.get_by_text("You left the interview")).to_be_visible()


def join_the_interview(page, screenshots, *, step):
    """From the candidate's link: check the microphone, agree, join."""
    page.get_by_role("button", name="Check my microphone").click()
    page.get_by_label(re.compile("I understand and agree")).check()
    join = page.get_by_role("button", name="Join the interview")
    expect(join).to_be_enabled()
    screenshots(page, step)
    join.click()
    expect(page.locator("#join-room")).to_be_visible()


def leave_the_interview(page):
    """Leave, and confirm it in the page's dialog (leaving ends the interview for good)."""
    page.get_by_role("button", name="Leave the interview").click()
    dialog = page.get_by_role("dialog", name="Leave the interview?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Leave", exact=True).click()


TURNS_QUERY = """
import json
from agents.models import TurnMetrics
from agents.transcripts import LATENCY_PARTS
fields = ["turn", "total_latency", *LATENCY_PARTS, "other_delay", "transcription_delay",
          "reply_seconds"]
rows = TurnMetrics.objects.filter(interview_id={interview_id}).order_by("turn")
print(json.dumps([{{name: getattr(r, name) for name in fields}} for r in rows]))
"""


# The recording as the worker stored it, measured where each segment says its words began:
# sound on the speaker's own channel, starting within SYNC_TOLERANCE_S of the segment's offset.
RECORDING_QUERY = """
import json
from agents.models import Recording, recordings_storage
from agents.recordings import segment_offsets
from agents.tests.recording_support import decode_stereo, energy, onsets
recording = Recording.objects.get(interview_id={interview_id})
segments = list(recording.interview.segments.order_by("seq"))
offsets = segment_offsets(segments, recording)
if recording.file:
    with recordings_storage().open(recording.file.name, "rb") as handle:
        left, right, rate = decode_stereo(handle)
channels = {{"candidate": left, "agent": right}} if recording.file else {{}}
found = {{
    speaker: onsets(channel, rate, threshold=0.1 * max(energy(channel, rate, t, t + 0.02)
                     for t in [i * 0.02 for i in range(int(len(channel) / rate / 0.02))]))
    for speaker, channel in channels.items()
}}
rows = []
for segment in segments:
    if segment.seq not in offsets or not channels:
        continue
    start = offsets[segment.seq]
    spoken = (segment.ended_at - segment.started_at).total_seconds() if segment.ended_at else 1.0
    end = start + max(0.3, min(spoken, 2.0))
    rows.append({{
        "seq": segment.seq, "speaker": segment.speaker, "offset": start,
        "own": energy(channels[segment.speaker], rate, start, end),
        "onset_gap": min((abs(t - start) for t in found[segment.speaker]), default=None),
    }})
print(json.dumps({{
    "file": bool(recording.file), "reason": recording.failure_reason,
    "duration": recording.duration_seconds, "size": recording.size_bytes,
    "channels": recording.channels, "segments": len(segments), "rows": rows,
}}))
"""
SYNC_TOLERANCE_S = 0.25


def check_the_recording(system, interview_id):
    recording = system.query(RECORDING_QUERY.format(interview_id=interview_id))
    # Kept with the run's artifacts: how far each segment's offset is from its audio.
    (system.run_dir / "recording_sync.json").write_text(json.dumps(recording, indent=2))
    assert recording["file"], recording["reason"]
    assert recording["channels"] == {"left": "candidate", "right": "interviewer"}
    assert recording["duration"] > 5 and recording["size"] > 1000
    rows = recording["rows"]
    assert len(rows) == recording["segments"], "every segment has its offset in the recording"
    for speaker in ("agent", "candidate"):
        spoken = [row for row in rows if row["speaker"] == speaker]
        assert spoken, f"no {speaker} segment in the recording"
        for row in spoken:
            assert row["own"] > 0.005, row
            assert row["onset_gap"] is not None and row["onset_gap"] <= SYNC_TOLERANCE_S, row


WAIT_PART_NAMES = [name for name, _label in WAIT_PARTS]


def record_turn_latency(system, interview_id):
    """Write the candidate's wait per turn, as the agent stored it, to bench/results/.

    Every reply to the candidate has a measured wait, and its parts add up to it.
    """
    turns = system.query(TURNS_QUERY.format(interview_id=interview_id))
    assert turns, "the agent stored no per-turn latency for the interview"
    answers = [t for t in turns if t["turn"] > 1]
    assert answers, f"no reply to the candidate was measured: {turns}"
    for turn in answers:
        assert turn["total_latency"] is not None, f"turn {turn['turn']} has no wait: {turn}"
        parts = [turn[name] for name in WAIT_PART_NAMES if turn[name] is not None]
        assert sum(parts) == pytest.approx(turn["total_latency"], abs=1e-6), turn
    write_turn_results(turns, run_dir=system.run_dir)

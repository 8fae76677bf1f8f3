"""Which dispatched jobs the interviewer takes: only one naming an interview of ours.

Anything holding the LiveKit API key can dispatch a job to the worker; one that
names no interview gets no interviewer (and no model spending). `console`, whose
job is a fake one on the local microphone, still gets the sample interview.
"""

from types import SimpleNamespace

import pytest

from agents.worker import entrypoint


class FakeJobContext:
    """What `interview_session` reads from and does to its JobContext."""

    def __init__(self, metadata, *, fake=False):
        self.job = SimpleNamespace(
            id="AJ_test", metadata=metadata, room=SimpleNamespace(name="some-room")
        )
        self.fake = fake
        self.shutdowns = []

    def is_fake_job(self):
        return self.fake

    def shutdown(self, reason=""):
        self.shutdowns.append(reason)


@pytest.fixture
def started(monkeypatch):
    """The briefs of the interviews `interview_session` started (none actually runs)."""
    briefs = []

    class RecordingRun:
        def __init__(self, ctx, brief, profile, *, recorded=False):
            briefs.append(brief)

        async def run(self):
            pass

    monkeypatch.setattr(entrypoint, "InterviewRun", RecordingRun)
    return briefs


@pytest.mark.parametrize(
    "metadata",
    ["", "{}", '{"room": "x"}', '{"interview_id": "1"}', '{"interview_id": true}', "[1]", "nope"],
)
async def test_a_job_that_names_no_interview_is_refused(
    metadata, started, transactional_db, interview_profile
):
    # (There is an active profile: the old behaviour ran a sample interview on it.)
    ctx = FakeJobContext(metadata)

    await entrypoint.interview_session(ctx)

    assert started == []
    assert ctx.shutdowns == ["no interview in the job"]


async def test_a_job_naming_an_interview_that_does_not_exist_is_refused(
    started, transactional_db, interview_profile
):
    ctx = FakeJobContext('{"interview_id": 987654}')

    await entrypoint.interview_session(ctx)

    assert started == []
    assert ctx.shutdowns == ["interview not joinable"]


async def test_a_job_naming_a_scheduled_interview_starts_it(
    started, transactional_db, scheduled_interview
):
    interview, _secret = scheduled_interview
    ctx = FakeJobContext(f'{{"interview_id": {interview.pk}}}')

    await entrypoint.interview_session(ctx)

    assert ctx.shutdowns == []
    assert [brief.interview_id for brief in started] == [interview.pk]
    assert started[0].candidate_name == interview.candidate.name


async def test_console_still_gets_the_sample_interview(
    started, transactional_db, interview_profile
):
    ctx = FakeJobContext("", fake=True)

    await entrypoint.interview_session(ctx)

    assert ctx.shutdowns == []
    assert [(brief.interview_id, brief.candidate_name) for brief in started] == [(None, "Sam")]


async def test_fake_job_contexts_say_so_as_the_worker_expects():
    """`console` runs `simulate_job(..., fake_job=True)`; the real JobContext reports it."""
    from livekit.agents import testing

    with testing.fake_job_context() as ctx:
        assert ctx.is_fake_job()

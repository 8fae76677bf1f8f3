import threading

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from accounts.models import User
from agents import consumers
from agents.models import Interview, TranscriptSegment
from agents.reports import report_write
from agents.tests.transcript_support import (
    append_segment,
    close_worker_connections,
    communicator,
    make_interview,
    receive_segments,
    session_cookie,
)
from agents.transcripts import (
    agent_state_broadcast,
    interview_part_changed,
    interview_status_broadcast,
    transcript_append,
    transcript_broadcast_interim,
    turn_metrics_record,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
async def _close_connections():
    yield
    await close_worker_connections()


@pytest.fixture
def interview():
    return make_interview()


@pytest.fixture
def recruiter_cookie(client, recruiter):
    return session_cookie(client, recruiter)


async def test_an_anonymous_visitor_is_refused(interview):
    socket = communicator(f"/ws/interviews/{interview.pk}/")
    connected, code = await socket.connect()
    assert not connected
    assert code == consumers.FORBIDDEN


async def test_a_signed_in_user_without_the_recruiter_role_is_refused(client, interview):
    outsider = await User.objects.acreate(username="otto", role="auditor")
    socket = communicator(
        f"/ws/interviews/{interview.pk}/", cookie=await _acookie(client, outsider)
    )
    connected, code = await socket.connect()
    assert not connected
    assert code == consumers.FORBIDDEN


async def test_a_page_from_another_origin_is_refused(interview, recruiter_cookie):
    socket = communicator(
        f"/ws/interviews/{interview.pk}/", cookie=recruiter_cookie, origin="http://evil.example"
    )
    connected, _ = await socket.connect()
    assert not connected


async def test_an_unknown_interview_is_not_found(recruiter_cookie):
    socket = communicator("/ws/interviews/999999/", cookie=recruiter_cookie)
    connected, code = await socket.connect()
    assert not connected
    assert code == consumers.NOT_FOUND


async def test_an_admin_can_watch_like_a_recruiter(client, admin_user, interview):
    await append_segment(interview.pk, "Hello")
    socket = communicator(
        f"/ws/interviews/{interview.pk}/?after=0", cookie=await _acookie(client, admin_user)
    )
    connected, _ = await socket.connect()
    assert connected
    [segment] = await receive_segments(socket, 1)
    assert segment["text"] == "Hello"
    await socket.disconnect()


async def test_the_recruiter_gets_the_backlog_after_the_seq_asked_then_live_segments(
    interview, recruiter_cookie
):
    for text in ("one", "two", "three"):
        await append_segment(interview.pk, text)
    socket = communicator(f"/ws/interviews/{interview.pk}/?after=1", cookie=recruiter_cookie)
    assert (await socket.connect())[0]
    backlog = await receive_segments(socket, 2)
    assert [(s["seq"], s["text"]) for s in backlog] == [(2, "two"), (3, "three")]

    await append_segment(interview.pk, "four", speaker="agent")
    [live] = await receive_segments(socket, 1)
    assert live["seq"] == 4
    assert live["speaker"] == "agent"
    assert live["text"] == "four"
    assert live["interrupted"] is False
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_the_backlog_can_be_asked_for_in_a_message(interview, recruiter_cookie):
    await append_segment(interview.pk, "one")
    socket = communicator(f"/ws/interviews/{interview.pk}/", cookie=recruiter_cookie)
    assert (await socket.connect())[0]
    assert await socket.receive_nothing(timeout=0.2)
    await socket.send_json_to({"after": 0})
    [segment] = await receive_segments(socket, 1)
    assert segment["text"] == "one"
    await socket.disconnect()


async def test_a_reconnecting_page_gets_each_segment_once_when_one_is_written_meanwhile(
    interview, recruiter_cookie, monkeypatch
):
    socket = communicator(f"/ws/interviews/{interview.pk}/?after=0", cookie=recruiter_cookie)
    assert (await socket.connect())[0]
    await append_segment(interview.pk, "one")
    await append_segment(interview.pk, "two")
    seen = await receive_segments(socket, 2)
    await socket.disconnect()

    await append_segment(interview.pk, "three while away")

    # A segment committed after the consumer joined the group but before it
    # read the backlog: it is both in the backlog and broadcast live.
    read_backlog = consumers.segments_after

    def write_then_read(interview_id, after):
        transcript_append(interview_id=interview_id, speaker="agent", text="four in the gap")
        return read_backlog(interview_id, after)

    monkeypatch.setattr(consumers, "segments_after", write_then_read)
    last = seen[-1]["seq"]
    socket = communicator(f"/ws/interviews/{interview.pk}/?after={last}", cookie=recruiter_cookie)
    assert (await socket.connect())[0]
    seen += await receive_segments(socket, 2)
    monkeypatch.setattr(consumers, "segments_after", read_backlog)
    await append_segment(interview.pk, "five")
    seen += await receive_segments(socket, 1)
    assert await socket.receive_nothing(timeout=0.3)

    assert [s["seq"] for s in seen] == [1, 2, 3, 4, 5]
    assert [s["text"] for s in seen] == [
        "one",
        "two",
        "three while away",
        "four in the gap",
        "five",
    ]
    await socket.disconnect()


async def test_concurrent_writers_get_unique_seqs_and_the_page_receives_them_in_order(
    interview, recruiter_cookie
):
    socket = communicator(f"/ws/interviews/{interview.pk}/?after=0", cookie=recruiter_cookie)
    assert (await socket.connect())[0]
    writers, per_writer = 4, 10
    start = threading.Barrier(writers)

    def write(writer):
        start.wait()
        try:
            for index in range(per_writer):
                transcript_append(
                    interview_id=interview.pk, speaker="agent", text=f"{writer}-{index}"
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    total = writers * per_writer
    received = await receive_segments(socket, total, timeout=10)
    for thread in threads:
        thread.join()

    stored = [seq async for seq in _seqs(interview.pk)]
    assert stored == list(range(1, total + 1))
    assert [s["seq"] for s in received] == list(range(1, total + 1))
    texts = {s["text"] for s in received}
    assert texts == {f"{w}-{i}" for w in range(writers) for i in range(per_writer)}
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_the_recruiter_sees_captions_agent_state_and_status(interview, recruiter_cookie):
    socket = communicator(f"/ws/interviews/{interview.pk}/?after=0", cookie=recruiter_cookie)
    assert (await socket.connect())[0]
    await _sync(transcript_broadcast_interim)(
        interview_id=interview.pk, speaker="candidate", text="I wor"
    )
    await _sync(agent_state_broadcast)(interview_id=interview.pk, state="thinking")
    await _sync(interview_status_broadcast)(
        interview_id=interview.pk, status="completed", reason="The candidate left."
    )
    assert await socket.receive_json_from() == {
        "type": "interim",
        "speaker": "candidate",
        "text": "I wor",
    }
    assert await socket.receive_json_from() == {"type": "agent_state", "state": "thinking"}
    assert await socket.receive_json_from() == {
        "type": "status",
        "status": "completed",
        "reason": "The candidate left.",
    }
    await socket.disconnect()


async def test_the_recruiter_page_is_told_which_of_its_parts_changed(interview, recruiter_cookie):
    socket = communicator(f"/ws/interviews/{interview.pk}/?after=0", cookie=recruiter_cookie)
    assert (await socket.connect())[0]
    await _sync(turn_metrics_record)(interview_id=interview.pk, turn=1, llm_ttft=0.5, tts_ttfb=0.2)
    await _sync(report_write)(interview_id=await _pending_report(interview.pk))
    assert await socket.receive_json_from() == {"type": "changed", "part": "latency"}
    # No transcript to write it from: the report fails, and the page is told.
    assert await socket.receive_json_from() == {"type": "changed", "part": "report"}
    await socket.disconnect()


@database_sync_to_async
def _pending_report(interview_id):
    Interview.objects.filter(pk=interview_id).update(report_status=Interview.ReportStatus.PENDING)
    return interview_id


async def test_the_candidate_link_gives_captions_of_its_own_interview_only():
    mine = await _make(secret="my-secret")
    other = await _make(secret="their-secret")
    socket = communicator("/ws/join/my-secret/?after=0")
    assert (await socket.connect())[0]

    await append_segment(other.pk, "someone else's interview")
    await _sync(agent_state_broadcast)(interview_id=other.pk, state="speaking")
    await append_segment(mine.pk, "Tell me about yourself.", speaker="agent")
    await _sync(interview_status_broadcast)(interview_id=mine.pk, status="live")
    await _sync(interview_status_broadcast)(
        interview_id=mine.pk, status="completed", reason="The candidate left."
    )
    await _sync(interview_part_changed)(interview_id=mine.pk, part="report")
    await _sync(agent_state_broadcast)(interview_id=mine.pk, state="listening")

    first = await socket.receive_json_from()
    assert first["type"] == "segment"
    assert first["text"] == "Tell me about yourself."
    # The candidate learns the interview is over, without the recruiter's reason or page updates.
    assert await socket.receive_json_from() == {"type": "ended", "status": "completed"}
    assert await socket.receive_json_from() == {"type": "agent_state", "state": "listening"}
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_an_invalid_candidate_link_is_refused():
    await _make(secret="real-secret")
    socket = communicator("/ws/join/guessed-secret/")
    connected, code = await socket.connect()
    assert not connected
    assert code == consumers.FORBIDDEN


async def test_the_link_of_a_finished_interview_gives_no_captions():
    await _make(secret="old-secret", status=Interview.Status.COMPLETED)
    socket = communicator("/ws/join/old-secret/")
    connected, code = await socket.connect()
    assert not connected
    assert code == consumers.LINK_UNUSABLE


def _sync(function):
    from channels.db import database_sync_to_async as sync_to_async

    return sync_to_async(function)


async def _make(**fields):
    return await _sync(make_interview)(**fields)


async def _acookie(client, user):
    return await _sync(session_cookie)(client, user)


async def _seqs(interview_id):
    async for segment in TranscriptSegment.objects.filter(interview_id=interview_id).order_by(
        "seq"
    ):
        yield segment.seq

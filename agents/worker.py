"""The agent worker: LiveKit dispatches agent "interviewer" here, one job per interview.

Run it with `python -m agents.worker start` (or `python manage.py runagent start`);
`console` tries the interviewer in a terminal without a room.
"""

import asyncio
import json
import logging
import os
from urllib.parse import urlparse

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
# Job processes start from this module, so Django must be ready before any model import.
django.setup()

from channels.db import database_sync_to_async  # noqa: E402
from django.conf import settings  # noqa: E402
from livekit import rtc  # noqa: E402
from livekit.agents import (  # noqa: E402
    NOT_GIVEN,
    AgentServer,
    AgentSession,
    APIConnectOptions,
    CloseReason,
    JobContext,
    JobProcess,
    cli,
    inference,
    room_io,
)
from livekit.agents.voice.agent_session import SessionConnectOptions  # noqa: E402
from livekit.plugins import silero  # noqa: E402

from agents import services, transcripts  # noqa: E402
from agents.interviewer import InterviewBrief, Interviewer, InterviewState, prompt  # noqa: E402
from agents.metrics import TurnLatency  # noqa: E402
from agents.models import Interview, TranscriptSegment  # noqa: E402
from agents.selectors import ENDED_STATUSES, interview_profile  # noqa: E402
from dashboard.providers import agent_plugins  # noqa: E402

logger = logging.getLogger("agents.worker")

# How long the interviewer waits for a candidate whose connection dropped to come back.
RECONNECT_GRACE = 60
# After asking the model to wrap up at the time limit, end anyway after this long.
TIME_UP_GRACE = 45
AVATAR_JOIN_TIMEOUT = 20
# Consecutive model failures (after the framework's own retries) before the interview fails.
MAX_FAILURES = 2
SERVICE_NAMES = {
    "llm_error": ("language model", "llm"),
    "stt_error": ("speech-to-text", "stt"),
    "tts_error": ("text-to-speech", "tts"),
}


def connect_options():
    """Retries per request (the framework's); our own failure budget is MAX_FAILURES."""
    return SessionConnectOptions(
        stt_conn_options=APIConnectOptions(max_retry=2, retry_interval=1.0, timeout=30.0),
        llm_conn_options=APIConnectOptions(max_retry=2, retry_interval=1.0, timeout=30.0),
        tts_conn_options=APIConnectOptions(max_retry=2, retry_interval=1.0, timeout=30.0),
        max_unrecoverable_errors=MAX_FAILURES + 1,
    )


def build_session(profile, *, vad, userdata, turn_detector=None):
    """An AgentSession on the profile's own models; nothing reaches a cloud service.

    Every component is a plugin object (a model string would go to LiveKit's
    cloud), the turn detector is the local v1-mini model and interruptions are
    detected by the VAD.
    """
    stt, llm, tts = agent_plugins(profile)
    if turn_detector is None:
        turn_detector = inference.TurnDetector(version="v1-mini")
    return AgentSession[InterviewState](
        stt=stt,
        llm=llm,
        tts=tts,
        vad=vad,
        userdata=userdata,
        turn_handling={
            "turn_detection": turn_detector,
            "endpointing": {
                "min_delay": profile.min_endpointing_delay,
                "max_delay": profile.max_endpointing_delay,
            },
            "interruption": {"enabled": profile.allow_interruptions, "mode": "vad"},
            # A speculative request competes with the real one on a CPU-bound server.
            "preemptive_generation": {"enabled": False},
        },
        conn_options=connect_options(),
    )


def describe_error(error, profile):
    """The plain-words reason stored on the interview; never includes a key."""
    label, service = SERVICE_NAMES.get(getattr(error, "type", ""), ("model", None))
    host = ""
    if service is not None and profile is not None:
        host = urlparse(profile.service_settings(service)[0]).netloc
    where = f" at {host}" if host else ""
    cause = getattr(error, "error", error)
    return f"The {label} service{where} stopped working: {cause}"


class InterviewRecorder:
    """Stores each committed turn, per-turn latency, and pushes live state to open pages."""

    def __init__(self, interview_id):
        self.interview_id = interview_id
        self.latency = TurnLatency(interview_id=interview_id)
        # Turns are written one at a time so their seq follows the conversation.
        self.write_lock = asyncio.Lock()
        self.pending = set()

    def attach(self, session):
        session.on("conversation_item_added", self._on_item)
        session.on("user_input_transcribed", self._on_transcribed)
        session.on("agent_state_changed", self._on_state)
        session.on("metrics_collected", self._on_metrics)

    def _spawn(self, coro):
        task = asyncio.create_task(coro)
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def drain(self):
        if self.pending:
            await asyncio.gather(*self.pending, return_exceptions=True)

    def _on_item(self, event):
        item = event.item
        if getattr(item, "type", None) != "message" or item.role not in ("user", "assistant"):
            return
        text = (item.text_content or "").strip()
        if not text:
            return
        speaker = (
            TranscriptSegment.Speaker.CANDIDATE
            if item.role == "user"
            else TranscriptSegment.Speaker.AGENT
        )
        self._spawn(self.append(speaker, text, interrupted=bool(item.interrupted)))

    async def append(self, speaker, text, *, interrupted=False):
        try:
            async with self.write_lock:
                await database_sync_to_async(transcripts.transcript_append)(
                    interview_id=self.interview_id,
                    speaker=speaker,
                    text=text,
                    interrupted=interrupted,
                )
        except Exception:
            logger.exception("could not store a turn of interview %s", self.interview_id)

    def _on_transcribed(self, event):
        if not event.is_final and event.transcript.strip():
            self._spawn(
                database_sync_to_async(transcripts.transcript_broadcast_interim)(
                    interview_id=self.interview_id,
                    speaker=TranscriptSegment.Speaker.CANDIDATE,
                    text=event.transcript,
                )
            )

    def _on_state(self, event):
        self._spawn(
            database_sync_to_async(transcripts.agent_state_broadcast)(
                interview_id=self.interview_id, state=event.new_state
            )
        )

    def _on_metrics(self, event):
        completed = self.latency.add(event.metrics)
        if completed:
            self._spawn(self._record_turn(completed))

    async def _record_turn(self, values):
        try:
            await database_sync_to_async(transcripts.turn_metrics_record)(**values)
        except Exception:
            logger.exception("could not store metrics of interview %s", self.interview_id)


class FailureGuard:
    """Turns model failures into something the candidate hears, and a recorded reason.

    The framework has already retried a request when it reports an error as
    unrecoverable; each such failure gets a spoken apology (shown as a caption
    when speech itself is what fails), and MAX_FAILURES in a row end the
    interview as failed.
    """

    def __init__(self, session, *, state, profile, recorder, end):
        self.session = session
        self.state = state
        self.profile = profile
        self.recorder = recorder
        self.end = end
        self.failures = 0
        self.last_reason = ""
        session.on("error", self._on_error)
        session.on("conversation_item_added", self._on_item)

    def _on_error(self, event):
        error = event.error
        if getattr(error, "recoverable", True):
            return
        self.failures += 1
        self.last_reason = describe_error(error, self.profile)
        logger.warning("interview failure %s: %s", self.failures, self.last_reason)
        text = prompt("apology.txt") if self.failures < MAX_FAILURES else prompt("failed.txt")
        if getattr(error, "type", "") == "tts_error":
            # Speech is what fails: at least the captions tell the candidate.
            if self.recorder is not None:
                self.recorder._spawn(self.recorder.append(TranscriptSegment.Speaker.AGENT, text))
        else:
            self.session.say(text, allow_interruptions=False)
        if self.failures >= MAX_FAILURES:
            self.state.failure = self.last_reason
            asyncio.create_task(self.end())

    def _on_item(self, event):
        item = event.item
        if getattr(item, "role", None) == "assistant" and item.text_content not in (
            prompt("apology.txt"),
            prompt("failed.txt"),
        ):
            self.failures = 0


def interview_outcome(state, close_event, profile):
    """(status, reason) an interview ends with, from how its session closed."""
    if state.failure:
        return Interview.Status.FAILED, state.failure
    if close_event.reason == CloseReason.ERROR:
        return Interview.Status.FAILED, describe_error(close_event.error, profile)
    return Interview.Status.COMPLETED, state.end_reason or "The interview ended."


async def start_avatar(*, avatar, session, room, join_timeout=AVATAR_JOIN_TIMEOUT):
    """Start the video avatar; if it fails or never joins, put room audio back.

    Returns None when the avatar works, else the reason it doesn't. Either way
    the candidate hears the interviewer.
    """
    room_audio = _audio_tail(session.output)
    try:
        await avatar.start(
            session,
            room,
            livekit_url=settings.LIVEKIT_URL,
            livekit_api_key=settings.LIVEKIT_API_KEY,
            livekit_api_secret=settings.LIVEKIT_API_SECRET,
        )
        await asyncio.wait_for(_avatar_joined(room, avatar.avatar_identity), join_timeout)
        return None
    except TimeoutError:
        reason = f"The Tavus avatar did not join within {join_timeout} s; audio only."
    except Exception as exc:
        reason = f"The Tavus avatar could not start ({exc}); audio only."
    if room_audio is not None:
        session.output.replace_audio_tail(room_audio)
    logger.warning(reason)
    return reason


async def _avatar_joined(room, identity):
    """Until the avatar participant is in the room with its video published."""
    while True:
        participant = room.remote_participants.get(identity)
        if participant is not None and any(
            publication.kind == rtc.TrackKind.KIND_VIDEO
            for publication in participant.track_publications.values()
        ):
            return
        await asyncio.sleep(0.2)


def _audio_tail(output):
    """The sink at the bottom of the session's audio output chain (the room's audio track)."""
    sink = output.audio
    while sink is not None and sink.next_in_chain is not None:
        sink = sink.next_in_chain
    return sink


def tavus_avatar(profile, *, api_url=None):
    from livekit.plugins import tavus

    return tavus.AvatarSession(
        face_id=profile.tavus_face_id,
        pal_id=profile.tavus_pal_id,
        api_key=profile.tavus_api_key,
        api_url=api_url or os.environ.get("TAVUS_API_URL") or NOT_GIVEN,
        # A failing avatar service must not hold the interview up for long: audio goes on.
        conn_options=APIConnectOptions(max_retry=1, retry_interval=1.0, timeout=10.0),
    )


def load_interview(interview_id):
    """(brief, profile) of one interview, read through Django; None once it is over."""
    interview = (
        Interview.objects.select_related("candidate", "resume")
        .exclude(status__in=ENDED_STATUSES)
        .filter(pk=interview_id)
        .first()
    )
    if interview is None:
        return None
    profile = interview_profile(interview)
    brief = InterviewBrief(
        interview_id=interview.pk,
        candidate_name=interview.candidate.name,
        role_title=interview.role_title,
        job_description=interview.job_description,
        resume=interview.resume.parsed if interview.resume else {},
        max_duration_minutes=interview.max_duration_minutes,
        persona=profile.persona,
        extra_instructions=profile.instructions_template,
    )
    return brief, profile


def console_interview():
    """A sample interview on the active profile for `console`; nothing is stored."""
    from dashboard.selectors import profile_get_active

    profile = profile_get_active()
    brief = InterviewBrief(
        interview_id=None,
        candidate_name="Sam",
        role_title="Software engineer",
        job_description="Builds and runs web services in Python.",
        resume={"work": [{"position": "Developer", "name": "Acme", "summary": "Web APIs."}]},
        max_duration_minutes=10,
        persona=profile.persona,
        extra_instructions=profile.instructions_template,
    )
    return brief, profile


def prewarm(proc: JobProcess):
    proc.userdata["vad"] = silero.VAD.load()


def interview_load(server: AgentServer) -> float:
    """Load as the share of interview slots in use.

    The framework's default measures machine-wide CPU: on a small box busy with
    the models the worker then reports itself full, and LiveKit drops the
    dispatches it cannot place instead of retrying them.
    """
    return len(server.active_jobs) / settings.AGENT_MAX_INTERVIEWS


server = AgentServer(
    setup_fnc=prewarm,
    load_fnc=interview_load,
    load_threshold=1.0,
    port=settings.AGENT_HEALTH_PORT,
    ws_url=settings.LIVEKIT_URL,
    api_key=settings.LIVEKIT_API_KEY,
    api_secret=settings.LIVEKIT_API_SECRET,
)


@server.rtc_session(agent_name=settings.LIVEKIT_AGENT_NAME)
async def interview_session(ctx: JobContext):
    metadata = json.loads(ctx.job.metadata or "{}")
    interview_id = metadata.get("interview_id")
    if interview_id is None:
        brief, profile = await database_sync_to_async(console_interview)()
    else:
        loaded = await database_sync_to_async(load_interview)(interview_id)
        if loaded is None:
            logger.info("interview %s is over or gone; not starting", interview_id)
            ctx.shutdown("interview not joinable")
            return
        brief, profile = loaded
    await InterviewRun(ctx, brief, profile).run()


class InterviewRun:
    """One interview in one room, from the candidate joining to the final status."""

    def __init__(self, ctx, brief, profile):
        self.ctx = ctx
        self.brief = brief
        self.profile = profile
        self.interview_id = brief.interview_id
        self.identity = f"candidate-{self.interview_id}"
        self.state = InterviewState(brief=brief, on_end=self._on_interviewer_end)
        self.recorder = InterviewRecorder(self.interview_id) if self.interview_id else None
        self.session = None
        self.ended = asyncio.Event()
        self.finishing = None
        self.timers = []

    async def _mark(self, service, **kwargs):
        if self.interview_id is None:
            return False
        return await database_sync_to_async(service)(interview_id=self.interview_id, **kwargs)

    async def run(self):
        ctx = self.ctx
        ctx.add_shutdown_callback(self._on_shutdown)
        await ctx.connect()
        if self.interview_id is not None:
            try:
                await asyncio.wait_for(
                    ctx.wait_for_participant(identity=self.identity),
                    settings.AGENT_CANDIDATE_JOIN_TIMEOUT_SECONDS,
                )
            except TimeoutError:
                # Not a failure: the link still works. The room goes with this interviewer,
                # so a later join creates a new one and dispatches a new interviewer into
                # it instead of finding this finished dispatch and nobody to talk to.
                logger.info("candidate of interview %s never joined", self.interview_id)
                self.ended.set()
                await ctx.delete_room()
                ctx.shutdown("candidate never joined")
                return
            await self._mark(services.interview_mark_live)

        self.session = session = build_session(
            self.profile,
            vad=ctx.proc.userdata.get("vad") or silero.VAD.load(),
            userdata=self.state,
        )
        if self.recorder:
            self.recorder.attach(session)
        FailureGuard(
            session, state=self.state, profile=self.profile, recorder=self.recorder, end=self.end
        )
        session.on("close", self._on_close)
        ctx.room.on("participant_disconnected", self._on_participant_left)
        ctx.room.on("participant_connected", self._on_participant_joined)

        agent = Interviewer(self.brief)
        await session.start(
            agent=agent,
            room=ctx.room,
            room_options=room_io.RoomOptions(
                participant_identity=self.identity if self.interview_id else NOT_GIVEN,
                # A dropped connection may come back; leaving is handled below.
                close_on_disconnect=False,
            ),
        )
        if self.profile.avatar_enabled:
            reason = await start_avatar(
                avatar=tavus_avatar(self.profile), session=session, room=ctx.room
            )
            if reason and self.interview_id:
                await database_sync_to_async(services.interview_record_avatar_failure)(
                    interview_id=self.interview_id, reason=reason
                )
        self.timers.append(asyncio.create_task(self._time_limit(agent)))

    async def _time_limit(self, agent):
        await asyncio.sleep(self.brief.max_duration_minutes * 60)
        logger.info("interview %s reached its time limit", self.interview_id)
        agent.time_is_up()
        await asyncio.sleep(TIME_UP_GRACE)
        if self.state.end_reason is None:
            self.state.end_reason = "Time limit reached."
            await self.end()

    async def _on_interviewer_end(self, reason):
        await self.end()

    async def end(self):
        """End once the words in progress (the closing ones) have been spoken."""
        self.close(drain=True)

    def close(self, *, drain):
        """Close the session once; the close handler records the outcome.

        Without `drain` the speech in progress is cut off: with nobody left in the room a
        long reply would otherwise hold the final status back for as long as it takes to say.
        """
        if self.session is not None and not self.ended.is_set():
            self.session.shutdown(drain=drain)

    def _on_participant_left(self, participant: rtc.RemoteParticipant):
        if participant.identity != self.identity:
            return
        if participant.disconnect_reason == rtc.DisconnectReason.CLIENT_INITIATED:
            self.state.end_reason = self.state.end_reason or "The candidate left the interview."
            self.close(drain=False)
        else:
            self.timers.append(asyncio.create_task(self._wait_for_return()))

    async def _wait_for_return(self):
        await asyncio.sleep(RECONNECT_GRACE)
        if self.identity not in self.ctx.room.remote_participants:
            self.state.end_reason = (
                self.state.end_reason or "The candidate's connection dropped and did not return."
            )
            self.close(drain=False)

    def _on_participant_joined(self, participant: rtc.RemoteParticipant):
        if participant.identity == self.identity:
            logger.info("candidate of interview %s is back", self.interview_id)

    def _on_close(self, event):
        self.finishing = asyncio.create_task(self._finish(event))

    async def _finish(self, event):
        if self.ended.is_set():
            return
        self.ended.set()
        for timer in self.timers:
            timer.cancel()
        if self.recorder:
            await self.recorder.drain()
        status, reason = interview_outcome(self.state, event, self.profile)
        if status == Interview.Status.FAILED:
            await self._mark(services.interview_mark_failed, reason=reason)
        else:
            await self._mark(services.interview_mark_completed, reason=reason)
        self.ctx.shutdown(reason)

    async def _on_shutdown(self, reason=""):
        if self.finishing is not None:
            # The room closing also shuts the job down; the process must not exit
            # while the final status and the report request are still being sent.
            await self.finishing
            return
        # The worker stopping mid-interview is a failure; after a normal end this changes nothing.
        if not self.ended.is_set():
            await self._mark(
                services.interview_mark_failed,
                reason=f"The interviewer stopped unexpectedly ({reason or 'worker shut down'}).",
            )


def run_cli():
    # The agents CLI installs its own root log handler (JSON in production);
    # Django's console handler would print every line a second time.
    logging.getLogger().handlers.clear()
    cli.run_app(server)


if __name__ == "__main__":
    # Run the importable module's server so job processes resolve the entrypoint by its
    # module name (agents.worker), not __main__.
    from agents import worker

    worker.run_cli()

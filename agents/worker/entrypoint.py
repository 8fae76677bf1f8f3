"""The worker's server: LiveKit dispatches one job per interview to `interview_session`."""

import asyncio
import json
import logging
import os

from channels.db import database_sync_to_async
from django.conf import settings
from livekit import rtc
from livekit.agents import NOT_GIVEN, AgentServer, JobContext, JobProcess, cli, room_io

# `openai` is imported with the worker, not on the first interview: importing the plugin
# (and the openai types it pulls in) blocked a job's event loop for 2.9 s between the
# candidate joining and the greeting (voice_turn_bench, load 8 on 2 cores).
from livekit.plugins import openai, silero  # noqa: F401

from agents import services
from agents.models import Interview
from agents.selectors import ENDED_STATUSES, interview_profile
from agents.worker.avatar import start_avatar, tavus_avatar
from agents.worker.guard import FailureGuard, interview_outcome
from agents.worker.heartbeat import heartbeat
from agents.worker.interviewer import InterviewBrief, Interviewer, InterviewState
from agents.worker.recorder import InterviewRecorder
from agents.worker.recording import RoomRecording
from agents.worker.session import build_session
from agents.worker.speech_cache import SpeechCache
from agents.worker.thinking import thinking_sound_start
from providers.selectors import profile_get_active

logger = logging.getLogger("agents.worker")

# How long the interviewer waits for a candidate whose connection dropped to come back.
RECONNECT_GRACE = 60
# After the closing words at the time limit, end anyway after this long.
TIME_UP_GRACE = 45


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
        plan=interview.plan,
    )
    return brief, profile


def interview_recorded(interview_id):
    """Whether the interview is recorded, as decided when it was created (the join page says so)."""
    return Interview.objects.filter(pk=interview_id, recording_enabled=True).exists()


def console_interview():
    """A sample interview on the active profile for `console`; nothing is stored."""
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


def speech_cache(profile, session):
    """The audio cache of fixed lines, on the interview's own TTS."""
    return SpeechCache(
        tts=session.tts,
        model=profile.tts_model,
        voice=profile.tts_voice,
        speed=profile.tts_speed,
        conn_options=session.conn_options.tts_conn_options,
    )


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
    # Warm processes waiting for an interview. The framework keeps one per core and waits
    # 12 s at start for them; on a 2-core box that also loads the models they are not ready
    # by then ("timed out waiting for idle processes to initialize"). One per two cores, never
    # more than the interviews the worker takes; a further interview starts a process itself.
    num_idle_processes=min(settings.AGENT_MAX_INTERVIEWS, max(1, (os.cpu_count() or 2) // 2)),
    port=settings.AGENT_HEALTH_PORT,
    ws_url=settings.LIVEKIT_URL,
    api_key=settings.LIVEKIT_API_KEY,
    api_secret=settings.LIVEKIT_API_SECRET,
)


def job_interview_id(metadata):
    """The interview a dispatch names (rooms.room_prepare writes it), or None."""
    try:
        interview_id = json.loads(metadata or "{}").get("interview_id")
    except (ValueError, AttributeError):
        return None
    if isinstance(interview_id, bool) or not isinstance(interview_id, int):
        return None
    return interview_id


@server.rtc_session(agent_name=settings.LIVEKIT_AGENT_NAME)
async def interview_session(ctx: JobContext):
    if ctx.is_fake_job():
        # `console` runs a fake job (room "console-room") against the local
        # microphone; nobody else can reach it, so it gets the sample interview.
        brief, profile = await database_sync_to_async(console_interview)()
        await InterviewRun(ctx, brief, profile).run()
        return
    interview_id = job_interview_id(ctx.job.metadata)
    if interview_id is None:
        # Anything holding the API key can dispatch; without an interview of ours
        # there is nobody to interview and no profile it may spend.
        logger.warning(
            "refusing job %s in room %s: its metadata names no interview",
            ctx.job.id,
            ctx.job.room.name,
        )
        ctx.shutdown("no interview in the job")
        return
    loaded = await database_sync_to_async(load_interview)(interview_id)
    if loaded is None:
        logger.info("interview %s is over or gone; not starting", interview_id)
        ctx.shutdown("interview not joinable")
        return
    brief, profile = loaded
    recorded = await database_sync_to_async(interview_recorded)(interview_id)
    await InterviewRun(ctx, brief, profile, recorded=recorded).run()


class InterviewRun:
    """One interview in one room, from the candidate joining to the final status."""

    def __init__(self, ctx, brief, profile, *, recorded=False):
        self.ctx = ctx
        self.brief = brief
        self.profile = profile
        self.interview_id = brief.interview_id
        self.identity = f"candidate-{self.interview_id}"
        self.state = InterviewState(
            brief=brief,
            on_end=self._on_interviewer_end,
            on_progress=self._on_progress,
            on_gate_fallback=self._on_gate_fallback,
        )
        self.recorder = InterviewRecorder(self.interview_id) if self.interview_id else None
        self.recording = RoomRecording(self.interview_id, enabled=recorded)
        self.session = None
        self.ended = asyncio.Event()
        self.finishing = None
        self.timers = []
        # Progress is written in the order it happened, the last one wins.
        self.progress_lock = asyncio.Lock()
        self.writes = set()

    def _spawn(self, coro):
        task = asyncio.create_task(coro)
        self.writes.add(task)
        task.add_done_callback(self.writes.discard)

    def _on_progress(self, progress):
        if self.interview_id is not None:
            self._spawn(self._save_progress(progress))

    async def _save_progress(self, progress):
        async with self.progress_lock:
            try:
                await self._mark(services.interview_progress_save, progress=progress)
            except Exception:
                logger.exception("could not store the progress of interview %s", self.interview_id)

    def _on_gate_fallback(self):
        if self.interview_id is not None:
            self._spawn(self._count_gate_fallback())

    async def _count_gate_fallback(self):
        try:
            await self._mark(services.interview_gate_fallback_count)
        except Exception:
            logger.exception("could not count a gate fallback of interview %s", self.interview_id)

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
            self.timers.append(asyncio.create_task(heartbeat(self.interview_id)))

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

        agent = Interviewer(
            self.brief, profile=self.profile, speech_cache=speech_cache(self.profile, session)
        )
        await session.start(
            agent=agent,
            room=ctx.room,
            room_options=room_io.RoomOptions(
                participant_identity=self.identity if self.interview_id else NOT_GIVEN,
                # A dropped connection may come back; leaving is handled below.
                close_on_disconnect=False,
            ),
            record=self.recording.session_option,
        )
        if self.profile.avatar_enabled:
            reason = await start_avatar(
                avatar=tavus_avatar(self.profile), session=session, room=ctx.room
            )
            if reason and self.interview_id:
                await database_sync_to_async(services.interview_record_avatar_failure)(
                    interview_id=self.interview_id, reason=reason
                )
        if self.profile.thinking_sound:
            await thinking_sound_start(session, ctx.room)
        self.timers.append(asyncio.create_task(self._time_limit(agent)))

    async def _time_limit(self, agent):
        await asyncio.sleep(self.state.runner.plan.time_limit_minutes * 60)
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
        if self.writes:
            await asyncio.gather(*self.writes, return_exceptions=True)
        # Kept before the status changes, so the finished page offers it (or says why not).
        await self.recording.keep(session=self.session, job=self.ctx)
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
            if self.recorder:
                # Turns said before the stop are stored before the job goes.
                await self.recorder.drain()
            await self.recording.lost()
            await self._mark(
                services.interview_mark_failed,
                reason=f"The interviewer stopped unexpectedly ({reason or 'worker shut down'}).",
            )


def _drop_django_root_handler():
    """The agents framework logs through a root handler of its own: JSON in the worker
    (installed by the CLI) and, in each job process, one that forwards records to the worker.
    Django's console handler (settings.LOGGING) would print every line a second time."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "console":
            root.removeHandler(handler)


# Job processes import this module (with Django set up) before the framework adds its handler.
_drop_django_root_handler()


# Written when the worker has registered with LiveKit, for `make run`'s ready line
# (scripts/wait_ready.py): the health port answers before the worker can take interviews.
REGISTERED_MARKER = settings.VAR_DIR / "agent-registered"


def _mark_registered(worker_id, *_):
    REGISTERED_MARKER.parent.mkdir(parents=True, exist_ok=True)
    REGISTERED_MARKER.write_text(f"{worker_id}\n")


class _StoppingFilter(logging.Filter):
    """Once the worker is stopping, a warm job process reporting exit code 255 is not an error.

    honcho (and a terminal's Ctrl-C) signals the worker's whole process group: the
    multiprocessing forkserver dies with it, and every process it started then reports 255
    ("process exited with non-zero exit code 255", ERROR) although nothing went wrong. After
    the worker has logged that it is draining, that record becomes one INFO line.
    """

    def __init__(self):
        super().__init__()
        self.stopping = False

    def filter(self, record):
        message = record.getMessage()
        if message.startswith(("draining worker", "shutting down worker")):
            self.stopping = True
        elif self.stopping and message == "process exited with non-zero exit code 255":
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = "job process stopped with the worker", ()
        return True


def run_cli():
    _drop_django_root_handler()
    logging.getLogger("livekit.agents").addFilter(_StoppingFilter())
    REGISTERED_MARKER.unlink(missing_ok=True)
    server.on("worker_registered", _mark_registered)
    cli.run_app(server)

"""Interview recordings: storing the worker's file, byte ranges for playback, deletion.

The file lives in the "recordings" storage (settings.STORAGES: local files, or an
S3-compatible bucket); the Recording row keeps what the page needs without opening it.
"""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

import av
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from agents.models import Recording, TranscriptSegment, recordings_storage
from agents.selectors import ENDED_STATUSES

logger = logging.getLogger(__name__)

# Channel 0 of the framework's file is what the room heard from the candidate, 1 the interviewer.
CHANNELS = {"left": TranscriptSegment.Speaker.CANDIDATE.value, "right": "interviewer"}
REASON_TURNED_OFF = "recording was turned off for this interview."
# A failure reason is shown on the page; an exception's text is cut to this length.
REASON_MAX_CHARS = 300


def recording_duration(path):
    """The file's length in seconds, read from its last packet (an OGG header holds none)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        if container.duration:
            return container.duration / av.time_base
        end = 0
        for packet in container.demux(stream):
            if packet.pts is not None and packet.duration:
                end = max(end, packet.pts + packet.duration)
        return float(end * stream.time_base)


def recording_store(*, interview_id, path, started_at, channels=CHANNELS):
    """Keep the worker's file as the interview's recording; raises when it can't be stored."""
    duration = recording_duration(path)
    size = path.stat().st_size
    storage = recordings_storage()
    with path.open("rb") as handle:
        name = storage.save(f"interview-{interview_id}-{uuid.uuid4().hex}.ogg", File(handle))
    try:
        recording, _created = Recording.objects.update_or_create(
            interview_id=interview_id,
            defaults={
                "file": name,
                "started_at": started_at,
                "duration_seconds": duration,
                "size_bytes": size,
                "channels": dict(channels),
                "failure_reason": "",
            },
        )
    except Exception:
        storage.delete(name)
        raise
    logger.info(
        "stored the recording of interview %s: %s, %.1f s, %d bytes",
        interview_id,
        name,
        duration,
        size,
    )
    return recording


def recording_fail(*, interview_id, reason):
    """Note why the interview has no recording, in words for the page; a stored one stays."""
    reason = reason.strip()[:REASON_MAX_CHARS]
    logger.warning("interview %s has no recording: %s", interview_id, reason)
    recording, created = Recording.objects.get_or_create(
        interview_id=interview_id, defaults={"failure_reason": reason}
    )
    if not created and not recording.file:
        recording.failure_reason = reason
        recording.save(update_fields=["failure_reason"])
    return recording


def recording_problem(interview):
    """Why the page has nothing to play, in plain words; None when it has a recording."""
    recording = getattr(interview, "recording", None)
    if recording is not None and recording.playable:
        return None
    if recording is not None and recording.deleted_at:
        who = (
            "retention"
            if recording.deletion == Recording.Deletion.RETENTION
            else f"by admin {recording.deleted_by or 'no longer listed'}"
        )
        return (
            f"Recording deleted on {timezone.localtime(recording.deleted_at):%b %-d, %Y} ({who})."
        )
    if recording is not None and recording.failure_reason:
        return f"No recording: {recording.failure_reason}"
    if not interview.recording_enabled:
        return f"No recording: {REASON_TURNED_OFF}"
    if interview.status in ENDED_STATUSES:
        if interview.started_at is None:
            return "No recording: the interview never started."
        return "No recording: the interviewer did not store one."
    return "The recording is kept when the interview ends."


def segment_offsets(segments, recording):
    """{seq: seconds into the recording where the segment starts}, for segments with a time."""
    if recording is None or not recording.playable or recording.started_at is None:
        return {}
    offsets = {}
    for segment in segments:
        if segment.started_at is not None:
            offset = (segment.started_at - recording.started_at).total_seconds()
            offsets[segment.seq] = round(max(0.0, offset), 3)
    return offsets


@transaction.atomic
def recording_delete(*, recording, deletion, user=None):
    """Delete the file (transcript and report stay) and note when, why and by whom."""
    recording = Recording.objects.select_for_update().get(pk=recording.pk)
    if recording.deleted_at is not None:
        return recording
    if recording.file:
        recordings_storage().delete(recording.file.name)
    recording.file = ""
    recording.deleted_at = timezone.now()
    recording.deletion = deletion
    recording.deleted_by = user
    recording.save(update_fields=["file", "deleted_at", "deletion", "deleted_by"])
    logger.info(
        "deleted the recording of interview %s (%s%s)",
        recording.interview_id,
        deletion,
        f" by {user.get_username()}" if user else "",
    )
    return recording


def recordings_expire(*, now=None):
    """Delete recordings older than RECORDING_RETENTION_DAYS; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.RECORDING_RETENTION_DAYS)
    expired = Recording.objects.filter(deleted_at__isnull=True, created_at__lt=cutoff).exclude(
        file=""
    )
    count = 0
    for recording in expired:
        try:
            recording_delete(recording=recording, deletion=Recording.Deletion.RETENTION)
        except Exception:
            # One file the storage refuses must not keep the others past their time.
            logger.exception("could not delete the recording of interview %s", recording.pk)
        else:
            count += 1
    return count


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self):
        return self.end - self.start + 1


class RangeNotSatisfiable(ValueError):
    pass


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header, size):
    """The one byte range a Range header asks for within `size`; None for the whole file.

    Raises RangeNotSatisfiable for a range outside the file or one the server can't parse
    as a single range (several ranges are refused rather than sent as multipart).
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        raise RangeNotSatisfiable(header)
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable(header)
    return ByteRange(start, end)


async def recording_chunks(recording, byte_range_, *, chunk=256 * 1024):
    """The bytes of a range of the file, read through its storage a chunk at a time.

    Asynchronous, so that under ASGI the response streams: Django would read a synchronous
    iterator into memory whole before sending any of it.
    """
    handle = await sync_to_async(recordings_storage().open)(recording.file.name, "rb")
    try:
        await sync_to_async(handle.seek)(byte_range_.start)
        left = byte_range_.length
        while left > 0:
            data = await sync_to_async(handle.read)(min(chunk, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        await sync_to_async(handle.close)()

"""Batch LLM work (resume parsing, report writing) gives way to live interviews.

One self-hosted model server often answers both a live interview and a bulk upload; a
candidate waiting seconds for the interviewer's next sentence matters more than a resume
parsed a minute later. So, per model server (its normalised base URL):

- the agent worker marks each live interview on the server it talks to (live_mark, every
  heartbeat), with an expiry, so an interview whose worker died stops counting by itself;
- a batch task asks batch_slot_take before its model calls: while an interview is live it
  gets Busy and asks again later (a Celery retry with a countdown, which holds no worker
  slot and is no failed try); otherwise it gets one of LLM_BATCH_CONCURRENCY slots, on a
  short lease renewed while it is held, so a killed worker's slot comes back.

A task that has waited LLM_BATCH_YIELD_MAX_SECONDS for interviews goes ahead anyway, still
within the concurrency limit: a server that is never free must not mean no reports at all.
"""

import contextlib
import functools
import hashlib
import random
import threading
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from django.conf import settings

WAITING_FOR_INTERVIEW = "Waiting for the live interview to finish"
WAITING_FOR_OTHERS = "Waiting for other resumes and reports on the same model server"

_DEFAULT_PORTS = {"http": 80, "https": 443}
# The same machine under its usual names.
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"}


def normalized_base_url(base_url):
    """The base URL as one key per server: case, default port, trailing slash and the
    loopback host's spelling don't make two servers of one."""
    parts = urlsplit((base_url or "").strip())
    scheme = (parts.scheme or "http").lower()
    host = (parts.hostname or "").lower()
    if host in _LOOPBACK:
        host = "127.0.0.1"
    port = parts.port or _DEFAULT_PORTS.get(scheme)
    path = parts.path.rstrip("/")
    return f"{scheme}://{host}:{port}{path}"


def _key(kind, base_url):
    digest = hashlib.sha256(normalized_base_url(base_url).encode()).hexdigest()[:24]
    return f"llm-slots:{kind}:{digest}"


@functools.cache
def _client():
    # redis-py's pool notices a fork and reconnects, so Celery's pool children may share this.
    return redis.Redis.from_url(settings.REDIS_URL)


def setting(name):
    defaults = {
        "LLM_BATCH_CONCURRENCY": 1,
        "LLM_BATCH_YIELD_MAX_SECONDS": 1800,
        "LLM_BATCH_POLL_SECONDS": 5,
    }
    return getattr(settings, name, defaults[name])


def live_mark(*, base_url, interview_id, seconds):
    """Count the interview as live on this server for the next `seconds`."""
    key = _key("live", base_url)
    now = time.time()
    pipe = _client().pipeline()
    pipe.zadd(key, {str(interview_id): now + seconds})
    pipe.expire(key, int(seconds) + 60)
    pipe.execute()


def live_clear(*, base_url, interview_id):
    _client().zrem(_key("live", base_url), str(interview_id))


def live_count(*, base_url):
    """How many interviews are live on this server now."""
    key = _key("live", base_url)
    pipe = _client().pipeline()
    pipe.zremrangebyscore(key, "-inf", time.time())
    pipe.zcard(key)
    return pipe.execute()[1]


# Expired leases go first; then a slot is taken only while fewer than the limit are held.
_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) - tonumber(ARGV[1])) + 60)
return 1
"""


# A held slot's lease is renewed every LEASE_RENEW_SECONDS for LEASE_SECONDS ahead, so a
# worker killed mid-request gives its slot back within LEASE_SECONDS.
LEASE_SECONDS = 10
LEASE_RENEW_SECONDS = 2


class Slot:
    """One batch request slot on a server, held until release()."""

    def __init__(self, *, base_url, token):
        self.key = _key("batch", base_url)
        self.token = token
        self._released = threading.Event()
        self._renewer = threading.Thread(target=self._renew, daemon=True, name="llm-slot")
        self._renewer.start()

    def _renew(self):
        while not self._released.wait(LEASE_RENEW_SECONDS):
            # XX: a lease that ran out (this process stalled) is not taken back over the
            # limit; Redis not answering now is tried again at the next renewal.
            with contextlib.suppress(redis.RedisError):
                _client().zadd(self.key, {self.token: time.time() + LEASE_SECONDS}, xx=True)

    def release(self):
        self._released.set()
        _client().zrem(self.key, self.token)


@dataclass
class Busy:
    """Not now: ask again in `seconds`. `reason` says why, in words for the page."""

    seconds: float
    reason: str


# While an interview goes on, a waiting task looks again less and less often (up to this),
# so that a bulk upload's many waiting tasks don't take CPU from the interview either.
LIVE_POLL_MAX_SECONDS = 30


def _poll_seconds(waited=0.0):
    base = max(float(setting("LLM_BATCH_POLL_SECONDS")), min(LIVE_POLL_MAX_SECONDS, waited / 2))
    # Spread out, so tasks that waited together don't all ask at the same moment.
    return base / 2 + random.uniform(0, base / 2)


def batch_slot_take(*, base_url, job):
    """A Slot for one batch job's model calls on this server, or Busy.

    `job` names the work ("resume-attempt:12"), so the time it has waited for live
    interviews is remembered between its tries.
    """
    client = _client()
    waited_key = f"{_key('waited', base_url)}:{job}"
    now = time.time()
    if live_count(base_url=base_url):
        bound = setting("LLM_BATCH_YIELD_MAX_SECONDS")
        client.set(waited_key, now, nx=True, ex=int(bound) + 3600)
        since = float(client.get(waited_key) or now)
        if now - since < bound:
            return Busy(_poll_seconds(now - since), WAITING_FOR_INTERVIEW)
    token = f"{job}:{uuid.uuid4().hex}"
    taken = client.eval(
        _TAKE,
        1,
        _key("batch", base_url),
        now,
        now + LEASE_SECONDS,
        int(setting("LLM_BATCH_CONCURRENCY")),
        token,
    )
    if not taken:
        return Busy(_poll_seconds(), WAITING_FOR_OTHERS)
    client.delete(waited_key)
    return Slot(base_url=base_url, token=token)

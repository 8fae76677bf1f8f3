"""One settings module for every environment, driven by environment variables.

`.env.example` documents each variable. With DEBUG on, everything has an
embedded default (SQLite, local Redis, LiveKit dev keys, the embedded model
server); with DEBUG off, the ones that matter must be set.
"""

import base64
import hashlib
import os
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

from dashboard.env import Env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

if os.environ.get("DOTENV", "1") != "0":
    # Real environment variables win over the file.
    load_dotenv(BASE_DIR / ".env", override=False)

env = Env()
DEBUG = env.debug

SECRET_KEY = env.str("SECRET_KEY", dev_default="dev-only-insecure-secret-key-change-me-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", dev_default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Keys that encrypt provider API keys at rest. The first encrypts; all of them
# decrypt, so a new key can be put in front and old rows re-encrypted with
# `manage.py rotate_secrets` before the old key is dropped. Only development
# falls back to SECRET_KEY: in production a leaked SECRET_KEY must not also
# open every stored API key.
_NEW_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
_ENCRYPTION_KEYS_ADVICE = (
    f"Set SECRETS_ENCRYPTION_KEYS to a new long random string (for example from `{_NEW_KEY}`), "
    "different from SECRET_KEY. If provider API keys were stored while it defaulted to "
    "SECRET_KEY, set SECRETS_ENCRYPTION_KEYS=<new key>,<your SECRET_KEY>, run "
    "`python manage.py rotate_secrets`, then remove SECRET_KEY from the list."
)
SECRETS_ENCRYPTION_KEYS = env.list(
    "SECRETS_ENCRYPTION_KEYS", dev_default=[SECRET_KEY], advice=_ENCRYPTION_KEYS_ADVICE
)
if not SECRETS_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        f"The setting SECRETS_ENCRYPTION_KEYS lists no key. {_ENCRYPTION_KEYS_ADVICE}"
    )
if SECRETS_ENCRYPTION_KEYS[0] == SECRET_KEY:
    env.refuse_in_production(
        "SECRETS_ENCRYPTION_KEYS",
        "encrypts with SECRET_KEY",
        _ENCRYPTION_KEYS_ADVICE,
    )

DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", dev_default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", dev_default="redis://127.0.0.1:6379/0")

# Where people reach this site, for links made outside a request (mails, the API, webhooks).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", dev_default="http://localhost:8000").rstrip("/")

LIVEKIT_URL = env.str("LIVEKIT_URL", dev_default="ws://127.0.0.1:7880")
# What browsers connect to; differs from LIVEKIT_URL behind a proxy or in Docker.
LIVEKIT_PUBLIC_URL = env.str("LIVEKIT_PUBLIC_URL", default=LIVEKIT_URL)
LIVEKIT_API_KEY = env.str("LIVEKIT_API_KEY", dev_default="devkey")
LIVEKIT_API_SECRET = env.str("LIVEKIT_API_SECRET", dev_default="secret")
# `livekit-server --dev` accepts these; anybody can mint room tokens with them.
_LIVEKIT_KEYS_ADVICE = (
    "Generate a key pair for your LiveKit server (`livekit-server generate-keys`), "
    "put it in the server's keys and set LIVEKIT_API_KEY and LIVEKIT_API_SECRET to it."
)
if LIVEKIT_API_KEY == "devkey":
    env.refuse_in_production(
        "LIVEKIT_API_KEY", "is the LiveKit development key 'devkey'", _LIVEKIT_KEYS_ADVICE
    )
if LIVEKIT_API_SECRET == "secret":
    env.refuse_in_production(
        "LIVEKIT_API_SECRET", "is the LiveKit development secret 'secret'", _LIVEKIT_KEYS_ADVICE
    )
LIVEKIT_AGENT_NAME = env.str("LIVEKIT_AGENT_NAME", default="interviewer")
# Interviews one agent worker process runs at once; run more workers to scale out.
AGENT_MAX_INTERVIEWS = env.int("AGENT_MAX_INTERVIEWS", default=4)
# How long a dispatched interviewer waits for the candidate to connect before it gives the
# room up (joining later starts a fresh one).
AGENT_CANDIDATE_JOIN_TIMEOUT_SECONDS = env.int("AGENT_CANDIDATE_JOIN_TIMEOUT_SECONDS", default=300)
# The agent worker's health endpoint (0 picks a free port).
AGENT_HEALTH_PORT = env.int("AGENT_HEALTH_PORT", default=8081)

# Largest resume file accepted, in megabytes.
RESUME_MAX_UPLOAD_MB = env.int("RESUME_MAX_UPLOAD_MB", default=10)
# How long one LLM request may take before it counts as failed (and is retried), in seconds:
# raise them for a slow or busy model server.
RESUME_LLM_TIMEOUT_SECONDS = env.int("RESUME_LLM_TIMEOUT_SECONDS", default=120)
REPORT_LLM_TIMEOUT_SECONDS = env.int("REPORT_LLM_TIMEOUT_SECONDS", default=120)
# A DOCX or ODT is a zip archive: the most it may unpack to, all its parts together
# and any one part, in megabytes, and the most any part may be compressed (unpacked
# size over packed size). Anything past these is refused as a zip bomb.
RESUME_MAX_UNPACKED_MB = env.int("RESUME_MAX_UNPACKED_MB", default=50)
RESUME_MAX_UNPACKED_PART_MB = env.int("RESUME_MAX_UNPACKED_PART_MB", default=20)
RESUME_MAX_COMPRESSION_RATIO = env.int("RESUME_MAX_COMPRESSION_RATIO", default=100)
# Longest PDF whose text is read; checked before any page is.
RESUME_MAX_PDF_PAGES = env.int("RESUME_MAX_PDF_PAGES", default=30)

# The embedded model server that a new install's first provider profile uses.
LOCALMODELS_URL = env.str("LOCALMODELS_URL", default="http://127.0.0.1:8100")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "django_ratelimit",
    "dashboard",
    "accounts",
    "providers",
    "resumes",
    "agents",
    "jobs",
    "notifications",
    "webhooks",
    # REST API (api/): Django REST Framework and its OpenAPI schema.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "dashboard.middleware.permissions_policy_middleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a locked-out sign-in into the lockout page (see "Rate limits").
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dashboard.urls"
ASGI_APPLICATION = "dashboard.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# Pub/sub fans a group message out inside each web process (one Redis message
# per process, not one per open page); pages recover anything missed from the
# database by sequence number, so no per-channel queue is needed.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL]},
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TRACK_STARTED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Every task is stopped once it has run this long, in seconds: at the soft limit
# the task gets an exception it can handle (a resume fails with a plain reason);
# at the hard limit its pool process is killed and replaced. A resume in the most
# parts allowed (6) with every model call taking its full 120 s takes 12 minutes.
# The limits travel in each task's message, so the process that sends a task
# decides them: give the web process and the workers the same values.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=900)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=CELERY_TASK_SOFT_TIME_LIMIT + 60)
# A late-acked task whose worker died is redelivered once this has passed. It sits
# above the hard limit so that no delivery can still be running when Redis hands its
# message to another worker (a duplicate run), and resume parsing takes the same
# value as the lease after which a claim counts as dead. Keep it above the hard
# limit when setting either.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int(
        "CELERY_VISIBILITY_TIMEOUT", default=max(3600, CELERY_TASK_TIME_LIMIT + 300)
    )
}

# --- Rate limits and request sizes ---------------------------------------------------
# Counters live in Redis so that every web process sees the same ones.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "limits": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "limits",
    },
}
# Sign-in (the login page and the Django admin's): after LOGIN_FAILURE_LIMIT wrong passwords
# from one IP address, or for one user name, sign-in is refused for LOGIN_LOCKOUT_MINUTES,
# even with the right password. Each try during the lockout starts the wait again.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "limits"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
# (The lockout page says so.)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
# The cache handler records nothing in the database, so its admin pages would stay empty.
AXES_ENABLE_ADMIN = False
# The candidate's join page and token endpoint, counted per link and per IP address:
# "<requests>/<period>" with period s, m, h or d (for example 30/m).
JOIN_RATE_PER_LINK = env.rate("JOIN_RATE_PER_LINK", default="30/m")
JOIN_RATE_PER_IP = env.rate("JOIN_RATE_PER_IP", default="60/m")
RATELIMIT_USE_CACHE = "limits"
# The largest request body accepted, refused before it is read (dashboard/asgi_limits.py):
# a resume upload, the largest legitimate body, plus room for the form around the file.
REQUEST_MAX_BODY_BYTES = (RESUME_MAX_UPLOAD_MB + 1) * 1024 * 1024
# Form fields other than files, kept in memory (Django's default).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# django-ratelimit only lists third-party Redis backends as supported; Django's own
# increments atomically too, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# The reconciler (agents/reconciler.py, resumes/reconciler.py), run by `celery beat`: it
# fails what a dead process left behind. The agent writes a live interview's heartbeat
# every AGENT_HEARTBEAT_SECONDS; one quiet for AGENT_HEARTBEAT_STALE_SECONDS has lost its
# interviewer. A report still being written after REPORT_PENDING_TIMEOUT_SECONDS lost its task.
AGENT_HEARTBEAT_SECONDS = env.int("AGENT_HEARTBEAT_SECONDS", default=15)
# 90 s stale plus one 30 s reconciler interval: a dead interviewer is noticed within 2 minutes.
AGENT_HEARTBEAT_STALE_SECONDS = env.int("AGENT_HEARTBEAT_STALE_SECONDS", default=90)
REPORT_PENDING_TIMEOUT_SECONDS = env.int("REPORT_PENDING_TIMEOUT_SECONDS", default=600)
RECONCILE_INTERVAL_SECONDS = env.int("RECONCILE_INTERVAL_SECONDS", default=30)
CELERY_BEAT_SCHEDULE = {
    name: {
        "task": task,
        "schedule": float(RECONCILE_INTERVAL_SECONDS),
        # A run that waited past the next one is dropped: the next covers it.
        "options": {"expires": float(RECONCILE_INTERVAL_SECONDS)},
    }
    for name, task in [
        ("reconcile-interviews", "agents.tasks.interviews_reconcile"),
        ("reconcile-resumes", "resumes.tasks.resumes_reconcile"),
    ]
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Webhooks (webhooks/) ------------------------------------------------------------
# A delivery that fails is tried again after WEBHOOK_RETRY_BASE_SECONDS, then twice as
# long each time up to WEBHOOK_RETRY_MAX_SECONDS between tries, until
# WEBHOOK_RETRY_FOR_SECONDS after the event. The longest wait stays under the broker's
# visibility timeout (its default is half of it, at most 30 minutes), or Redis would hand
# the waiting task to a second worker.
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env.int(
    "WEBHOOK_RETRY_MAX_SECONDS",
    default=max(1, min(30 * 60, CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] // 2)),
)
WEBHOOK_RETRY_FOR_SECONDS = env.int("WEBHOOK_RETRY_FOR_SECONDS", default=24 * 60 * 60)
# How long one request to an endpoint may take, in seconds.
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= WEBHOOK_RETRY_MAX_SECONDS:
    raise ImproperlyConfigured(
        "WEBHOOK_RETRY_MAX_SECONDS must be shorter than CELERY_VISIBILITY_TIMEOUT "
        f"({CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout']} s)."
    )
# Deliveries whose task was lost (Redis restarted, a worker died mid-request) are resumed.
CELERY_BEAT_SCHEDULE["reconcile-webhooks"] = {
    "task": "webhooks.tasks.deliveries_reconcile",
    "schedule": float(RECONCILE_INTERVAL_SECONDS),
    "options": {"expires": float(RECONCILE_INTERVAL_SECONDS)},
}
# Saving, deleting, disabling and replaying on the webhook pages, per admin.
WEBHOOK_ADMIN_POST_RATE = env.rate("WEBHOOK_ADMIN_POST_RATE", default="60/m")
# --- REST API (api/) ---------------------------------------------------------------
# Bearer tokens made on /api/tokens/; each token may make API_RATE_PER_TOKEN requests
# ("<requests>/<period>", like the join limits), and wrong tokens count against an IP address
# like wrong passwords (LOGIN_FAILURE_LIMIT per LOGIN_LOCKOUT_MINUTES).
API_RATE_PER_TOKEN = env.rate("API_RATE_PER_TOKEN", default="60/m")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsRecruiter"],
    "DEFAULT_THROTTLE_CLASSES": ["api.limits.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Voice Interviews API",
    "DESCRIPTION": (
        "Jobs, candidates and their resumes, interviews, transcripts and reports. "
        "Authenticate with `Authorization: Bearer <token>` (make one on /api/tokens/). "
        'Every error is `{"error": {"code", "message", "fields"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are grouped by what follows the prefix: jobs, candidates, interviews...
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI (/api/docs/) from the sidecar package's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge fetched from swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "jobs.models.Job.Status",
        "ResumeStatusEnum": "resumes.models.Resume.Status",
        "InterviewStatusEnum": "agents.models.Interview.Status",
        "ReportStatusEnum": "agents.models.Interview.ReportStatus",
    },
}
# --- Interview recordings (agents.recordings) -----------------------------------------------
# One stereo Opus/OGG file per interview, in the "recordings" storage: files under MEDIA_ROOT,
# or an S3-compatible bucket when RECORDING_S3_BUCKET is set (django-storages; credentials
# from the env or the usual AWS sources). Files older than RECORDING_RETENTION_DAYS are deleted
# by beat; the transcript and the report stay.
RECORDING_RETENTION_DAYS = env.int("RECORDING_RETENTION_DAYS", default=90)
RECORDING_S3_BUCKET = env.str("RECORDING_S3_BUCKET", default="")
if RECORDING_S3_BUCKET:
    STORAGES["recordings"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RECORDING_S3_BUCKET,
            "endpoint_url": env.str("RECORDING_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("RECORDING_S3_REGION", default="") or None,
            "access_key": env.str("RECORDING_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("RECORDING_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("RECORDING_S3_PREFIX", default="recordings"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            # Path-style addressing: self-hosted servers rarely have a DNS name per bucket.
            "addressing_style": "path",
        },
    }
else:
    STORAGES["recordings"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "recordings")},
    }
CELERY_BEAT_SCHEDULE["delete-expired-recordings"] = {
    "task": "agents.tasks.recordings_expire",
    "schedule": 3600.0,
    "options": {"expires": 3600.0},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def _livekit_origins(url):
    """The LiveKit server's origin as the browser reaches it: WebSocket and HTTP(S) forms."""
    parts = urlsplit(url)
    other = {"ws": "http", "wss": "https", "http": "ws", "https": "wss"}.get(parts.scheme.lower())
    if other is None or not parts.netloc:
        raise ImproperlyConfigured(
            f"LIVEKIT_PUBLIC_URL must be a ws://, wss://, http:// or https:// address, not {url!r}."
        )
    return [f"{parts.scheme.lower()}://{parts.netloc}", f"{other}://{parts.netloc}"]


def _inline_style_hashes(template):
    """CSP hashes of the <style> blocks of a page rendered without a request (500.html)."""
    text = (BASE_DIR / "templates" / template).read_text()
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
        for block in re.findall(r"<style>(.*?)</style>", text, re.DOTALL)
    ]


# Pages load scripts and styles from this site only (no inline script anywhere:
# page scripts are static files configured through data- attributes). Browsers
# connect back here (fetch, ws:/wss: to 'self') and to the LiveKit server.
# Frames stay governed by X-Frame-Options (the resume preview is framed by its own site).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *_inline_style_hashes("500.html")],
        "connect-src": [SELF, *_livekit_origins(LIVEKIT_PUBLIC_URL)],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

# Powerful browser features, all off. A view turns one on for its own page by
# setting `response.permissions_policy`, as the candidate's join page does for
# the microphone. (The video avatar only receives video: no camera, ever.)
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "display-capture": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}


if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Health checks come from inside the private network, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Batch LLM work gives way to live interviews (providers/llm_slots.py) -----------------
# Resume parsing and report writing wait while an interview is live on the same LLM base
# URL, for at most LLM_BATCH_YIELD_MAX_SECONDS, and then send at most LLM_BATCH_CONCURRENCY
# requests at once to one server. A waiting task looks again every LLM_BATCH_POLL_SECONDS.
LLM_BATCH_CONCURRENCY = env.int("LLM_BATCH_CONCURRENCY", default=1)
LLM_BATCH_YIELD_MAX_SECONDS = env.int("LLM_BATCH_YIELD_MAX_SECONDS", default=1800)
LLM_BATCH_POLL_SECONDS = env.int("LLM_BATCH_POLL_SECONDS", default=5)

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}},
}

# --- Email (notifications) --------------------------------------------------------------
# Invitations, their reminder and the recruiter's notices. With EMAIL_HOST set, mail goes out
# through that SMTP server; without it, each mail is written as a file to EMAIL_FILE_PATH
# (var/mail), so an install without a mail server loses nothing and shows what it would send.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
# STARTTLS (usually port 587), or implicit TLS (EMAIL_USE_SSL, usually port 465): one of them.
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured(
        "EMAIL_USE_TLS and EMAIL_USE_SSL are both true; set one: EMAIL_USE_TLS for STARTTLS "
        "(usually port 587), EMAIL_USE_SSL for implicit TLS (usually port 465)."
    )
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Interviews <interviews@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
)
# A send that fails for a reason that may pass (server away, 4xx answer) is tried
# MAIL_SEND_ATTEMPTS times in all, waiting MAIL_RETRY_SECONDS, then twice, four times as long.
MAIL_SEND_ATTEMPTS = env.int("MAIL_SEND_ATTEMPTS", default=4)
MAIL_RETRY_SECONDS = env.int("MAIL_RETRY_SECONDS", default=30)
# How often beat looks for links that expire within 24 hours and reminds their candidate.
MAIL_REMINDER_INTERVAL_SECONDS = env.int("MAIL_REMINDER_INTERVAL_SECONDS", default=600)
CELERY_BEAT_SCHEDULE["send-invitation-reminders"] = {
    "task": "notifications.tasks.invitation_reminders_send",
    "schedule": float(MAIL_REMINDER_INTERVAL_SECONDS),
    "options": {"expires": float(MAIL_REMINDER_INTERVAL_SECONDS)},
}

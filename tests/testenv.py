"""Environment for test runs, loaded as a pytest plugin (`-p tests.testenv`) so
it applies before pytest-django sets Django up.

Tests always run against PostgreSQL and Redis; the defaults match
`scripts/services.sh`, and DATABASE_URL / REDIS_URL point elsewhere. The .env
file of `make run` is ignored so tests never touch the embedded SQLite database.
"""

import os

os.environ["DOTENV"] = "0"
os.environ.setdefault("DEBUG", "true")
# Per-process names let several test runs share one PostgreSQL and Redis
# without dropping each other's test database or consuming each other's tasks.
os.environ.setdefault(
    "DATABASE_URL", f"postgres://interview:interview@127.0.0.1:5432/interview_{os.getpid()}"
)
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}")

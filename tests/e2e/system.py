"""The whole system for the e2e tests, started as real processes on free loopback ports.

Every process here runs inside the network namespace scripts/e2e.sh made, so
nothing reaches the host's services or real interfaces. Each step waits for
its process to be ready and says which one did not come up; everything is
stopped at the end, even when starting failed half-way.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from tests.livekit_netns import CONFIG as LIVEKIT_CONFIG

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
NODE_IP = "192.0.2.10"
STOP_TIMEOUT = 15


class NotReady(RuntimeError):
    """A process did not come up in time; the message names it and its log."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback http
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log_tail(self, chars=3000):
        return self.log_path.read_text(errors="replace")[-chars:]

    def wait_until(self, check, *, timeout, what):
        """Poll `check()` until true; fail naming the process (and why) if it never is."""
        deadline = time.monotonic() + timeout
        while not check():
            if self.popen.poll() is not None:
                raise NotReady(
                    f"{self.name} exited with {self.popen.returncode} before {what}; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise NotReady(
                    f"{self.name}: {what} did not happen within {timeout:.0f} s; "
                    f"log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def wait_for_log(self, text, *, timeout):
        self.wait_until(
            lambda: text in self.log_path.read_text(errors="replace"),
            timeout=timeout,
            what=f"log line {text!r}",
        )

    def wait_for_http(self, url, *, timeout):
        self.wait_until(lambda: _http_ok(url), timeout=timeout, what=f"GET {url} answering 200")

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


@dataclass
class System:
    """What the tests need to know about the running system."""

    run_dir: Path
    env: dict
    web_url: str
    livekit_url: str
    models_url: str
    admin_username: str
    admin_password: str
    processes: dict = field(default_factory=dict)
    # For the fault tests: (re)start processes, stop and start the database.
    launcher: "Launcher" = None
    postgres: "Postgres" = None

    def manage(self, *args, input_text=None, timeout=120):
        """Run a manage.py command against the system's database; returns its stdout."""
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def query(self, code):
        """Run Python in `manage.py shell` and return the JSON it prints on its last line."""
        out = self.manage("shell", "--no-imports", "-c", code)
        return json.loads(out.strip().splitlines()[-1])


class Launcher:
    """Starts processes with their output in the run directory and stops them all at the end."""

    def __init__(self, stack: ExitStack, run_dir: Path, env: dict):
        self.stack = stack
        self.run_dir = run_dir
        self.env = env

    def start(self, name, args, *, env=None):
        log_path = self.run_dir / f"{name}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed by the exit stack
        self.stack.callback(log.close)
        popen = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env or self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = Process(name, popen, log_path)
        self.stack.callback(process.stop)
        return process


def _run_as_postgres(args, **kwargs):
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, **kwargs)


@dataclass
class Postgres:
    """The system's own PostgreSQL cluster (no other test run uses it), stoppable mid-test."""

    url: str
    pg_ctl: list
    log_path: Path

    def stop(self):
        _run_as_postgres([*self.pg_ctl, "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL)

    def start(self):
        _run_as_postgres(
            [*self.pg_ctl, "-l", str(self.log_path), "-w", "-t", "60", "start"],
            stdout=subprocess.DEVNULL,
        )


def start_postgres(stack, run_dir):
    """A throwaway PostgreSQL cluster owned by the postgres user, trust auth, loopback only."""
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: int(p.name))
    bindir = versions[-1] / "bin"
    # The postgres user must own (and be able to reach) the cluster's directory.
    pg_dir = Path(tempfile.mkdtemp(prefix="e2e-pg-"))
    stack.callback(shutil.rmtree, pg_dir, ignore_errors=True)
    shutil.chown(pg_dir, "postgres", "postgres")
    pg_dir.chmod(0o700)
    data, log_path, port = pg_dir / "data", run_dir / "postgres.log", free_port()
    log_path.touch()
    shutil.chown(log_path, "postgres", "postgres")
    _run_as_postgres(
        [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -k {pg_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    stop = [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
    stack.callback(
        lambda: subprocess.run(
            ["runuser", "-u", "postgres", "--", *stop], check=False, stdout=subprocess.DEVNULL
        )
    )
    try:
        _run_as_postgres(
            [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log_path), "-o", options, "-w",
             "-t", "60", "start"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _run_as_postgres(
            [str(bindir / "createdb"), "-h", str(pg_dir), "-p", str(port), "e2e"],
        )
    except subprocess.CalledProcessError as exc:
        raise NotReady(
            f"PostgreSQL did not start ({exc}); log {log_path}:\n"
            + log_path.read_text(errors="replace")[-3000:]
        ) from exc
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data), "-o", options]
    return Postgres(f"postgres://postgres@127.0.0.1:{port}/e2e", pg_ctl, log_path)


def livekit_binary():
    path = (
        os.environ.get("LIVEKIT_SERVER_BIN")
        or subprocess.run(
            ["bash", "scripts/livekit-server.sh", "path"],
            cwd=BASE_DIR,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    if not Path(path).is_file():
        raise NotReady(f"no LiveKit server at {path}: run `bash scripts/livekit-server.sh install`")
    return path


# How long the system's interviewer waits for a candidate who asked to join to connect.
CANDIDATE_JOIN_TIMEOUT_S = 15
# A live interview whose agent sent no heartbeat for this long is failed by the reconciler.
HEARTBEAT_STALE_S = 60


def start_system(stack: ExitStack, run_dir: Path) -> System:
    """Start every process of the product in dependency order; return how to reach them."""
    run_dir.mkdir(parents=True, exist_ok=True)
    api_key, api_secret = "e2ekey", secrets.token_urlsafe(32)
    admin_username, admin_password = "e2e-admin", secrets.token_urlsafe(12)
    ports = {name: free_port() for name in ("redis", "livekit", "models", "web")}
    livekit_url = f"ws://127.0.0.1:{ports['livekit']}"
    models_url = f"http://127.0.0.1:{ports['models']}"
    web_url = f"http://127.0.0.1:{ports['web']}"

    postgres = start_postgres(stack, run_dir)
    (run_dir / "var").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DEBUG": "true",
        "DOTENV": "0",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": postgres.url,
        "REDIS_URL": f"redis://127.0.0.1:{ports['redis']}/0",
        "LIVEKIT_URL": livekit_url,
        "LIVEKIT_PUBLIC_URL": livekit_url,
        "LIVEKIT_API_KEY": api_key,
        "LIVEKIT_API_SECRET": api_secret,
        "LOCALMODELS_URL": models_url,
        "LOCALMODELS_API_KEY": "",
        "VAR_DIR": str(run_dir / "var"),
        "ADMIN_USERNAME": admin_username,
        "ADMIN_PASSWORD": admin_password,
        # Short, so the late-join scenario doesn't wait the default five minutes.
        "AGENT_CANDIDATE_JOIN_TIMEOUT_SECONDS": str(CANDIDATE_JOIN_TIMEOUT_S),
        # The reconciler as in production, on a shorter clock (the fault tests wait for it).
        "AGENT_HEARTBEAT_SECONDS": "3",
        "AGENT_HEARTBEAT_STALE_SECONDS": str(HEARTBEAT_STALE_S),
        "RECONCILE_INTERVAL_SECONDS": "5",
    }
    launcher = Launcher(stack, run_dir, env)

    redis = launcher.start(
        "redis",
        ["redis-server", "--port", str(ports["redis"]), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
    )  # fmt: skip
    config = run_dir / "livekit.yaml"
    config.write_text(
        LIVEKIT_CONFIG.format(
            port=ports["livekit"],
            tcp_port=free_port(),
            udp_port=free_port(),
            node_ip=NODE_IP,
            key=api_key,
            secret=api_secret,
        )
    )
    livekit = launcher.start(
        "livekit", [livekit_binary(), "--config", str(config), "--node-ip", NODE_IP]
    )
    models = launcher.start(
        "localmodels",
        [PYTHON, "-m", "localmodels", "--host", "127.0.0.1", "--port", str(ports["models"])],
    )
    redis.wait_for_log("Ready to accept connections", timeout=20)
    livekit.wait_for_http(f"http://127.0.0.1:{ports['livekit']}/", timeout=30)

    system = System(
        run_dir=run_dir,
        env=env,
        web_url=web_url,
        livekit_url=livekit_url,
        models_url=models_url,
        admin_username=admin_username,
        admin_password=admin_password,
    )
    system.manage("migrate", "--noinput", timeout=300)
    system.manage("ensure_admin")
    system.manage("ensure_default_profile")

    web = launcher.start(
        "web",
        [PYTHON, "-m", "uvicorn", "dashboard.asgi:application", "--host", "127.0.0.1",
         "--port", str(ports["web"])],
    )  # fmt: skip
    celery = launcher.start(
        "celery",
        [PYTHON, "-m", "celery", "-A", "dashboard", "worker", "--loglevel=INFO",
         "--concurrency=1", "--hostname=e2e@%h", "--without-gossip", "--without-mingle",
         "--without-heartbeat"],
    )  # fmt: skip
    beat = launcher.start(
        "beat", [PYTHON, "-m", "celery", "-A", "dashboard", "beat", "--loglevel=INFO"]
    )
    agent = launcher.start("agent", [PYTHON, "manage.py", "runagent", "start"])

    web.wait_for_http(f"{web_url}/healthz", timeout=60)
    celery.wait_for_log(" ready.", timeout=90)
    # The models load before the server answers ready; the agent needs them for every turn.
    models.wait_until(
        lambda: _models_ready(models_url), timeout=300, what="/health reporting ready"
    )
    agent.wait_for_log("registered worker", timeout=120)
    beat.wait_for_log("beat: Starting", timeout=30)
    system.processes = {p.name: p for p in (redis, livekit, models, web, celery, beat, agent)}
    system.launcher, system.postgres = launcher, postgres
    return system


def _models_ready(url):
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
            return bool(json.loads(response.read()).get("ready"))
    except (OSError, ValueError, urllib.error.URLError):
        return False

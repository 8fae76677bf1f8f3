"""A real LiveKit server for tests, inside a network namespace the test creates.

WebRTC gathers candidates on every interface, so the LiveKit server and every
client that talks to it run only inside a namespace made for the test (see
DESIGN.md, "WebRTC on these machines"). The test process itself stays outside
and drives code inside with `LiveKitNamespace.run_python(...)`, which runs a
`python -m tests.livekit_netns <command>` helper in the namespace and returns
its JSON answer for the test to assert on.

    with livekit_namespace(tmp_path) as lk:
        answer = lk.run_python("prepare-room", "--interview-id", "7", "--room", "r1")

Needs root (`ip netns`) and the server binary from `scripts/livekit-server.sh install`.
"""

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
NODE_IP = "192.0.2.10"
PEER_IP = "192.0.2.11"
LIVEKIT_PORT = 7880

CONFIG = """\
port: {port}
bind_addresses: [0.0.0.0]
rtc:
  tcp_port: {tcp_port}
  udp_port: {udp_port}
  use_external_ip: false
  node_ip: {node_ip}
  enable_loopback_candidate: false
keys:
  {key}: {secret}
logging:
  level: info
"""


class NamespaceUnavailable(Exception):
    pass


def livekit_binary():
    path = (
        os.environ.get("LIVEKIT_SERVER_BIN")
        or subprocess.run(
            ["bash", str(BASE_DIR / "scripts/livekit-server.sh"), "path"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    if not os.access(path, os.X_OK):
        raise NamespaceUnavailable(
            f"no LiveKit server at {path}: run `bash scripts/livekit-server.sh install`"
        )
    return path


def _ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


@contextmanager
def network_namespace(prefix="lk"):
    """A fresh namespace with loopback and a veth pair on documentation addresses."""
    name = f"{prefix}-{os.getpid()}-{secrets.token_hex(3)}"
    try:
        _ip("netns", "add", name)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        raise NamespaceUnavailable(
            f"cannot create a network namespace (root needed): {exc}"
        ) from exc
    try:
        _ip("-n", name, "link", "set", "lo", "up")
        _ip("-n", name, "link", "add", "v0", "type", "veth", "peer", "name", "v1")
        _ip("-n", name, "addr", "add", f"{NODE_IP}/24", "dev", "v0")
        _ip("-n", name, "addr", "add", f"{PEER_IP}/24", "dev", "v1")
        _ip("-n", name, "link", "set", "v0", "up")
        _ip("-n", name, "link", "set", "v1", "up")
        yield name
    finally:
        _stop_namespace_processes(name)
        subprocess.run(["ip", "netns", "delete", name], capture_output=True)


def _stop_namespace_processes(name):
    """Whatever still runs in the namespace was started by this test: stop it by pid."""
    pids = subprocess.run(["ip", "netns", "pids", name], capture_output=True, text=True).stdout
    for pid in pids.split():
        with suppress(ProcessLookupError):
            os.kill(int(pid), 15)


@dataclass
class LiveKitNamespace:
    namespace: str
    url: str
    api_key: str
    api_secret: str
    log_path: Path

    def env(self, **extra):
        env = dict(os.environ)
        env.update(
            LIVEKIT_URL=self.url,
            LIVEKIT_PUBLIC_URL=self.url,
            LIVEKIT_API_KEY=self.api_key,
            LIVEKIT_API_SECRET=self.api_secret,
            DOTENV="0",
            DEBUG="true",
            PYTHONUNBUFFERED="1",
        )
        env.update({key: str(value) for key, value in extra.items()})
        return env

    def command(self, args):
        return ["ip", "netns", "exec", self.namespace, *args]

    def popen(self, args, *, log_path, env=None):
        log = open(log_path, "wb")  # noqa: SIM115 - owned by the process
        process = subprocess.Popen(
            self.command(args), cwd=BASE_DIR, env=env or self.env(), stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        process.log = log
        return process

    def run_python(self, *args, timeout=60, env=None):
        """Run `python -m tests.livekit_netns <args>` in the namespace; return its JSON answer."""
        result = subprocess.run(
            self.command([sys.executable, "-m", "tests.livekit_netns", *args]),
            cwd=BASE_DIR, env=env or self.env(), capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if result.returncode != 0:
            raise AssertionError(
                f"helper {args[0]} failed ({result.returncode}):\n{result.stderr[-4000:]}"
            )
        return json.loads(result.stdout.strip().splitlines()[-1])

    def wait_until_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            probe = subprocess.run(
                self.command(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                              f"http://127.0.0.1:{LIVEKIT_PORT}/"]),
                capture_output=True, text=True,
            )  # fmt: skip
            if probe.stdout.strip() == "200":
                return
            time.sleep(0.3)
        raise TimeoutError(
            f"LiveKit did not start within {timeout} s:\n{self.log_path.read_text()[-3000:]}"
        )


@contextmanager
def livekit_namespace(tmp_path):
    """A LiveKit server (dev keys replaced by fresh ones) running in its own namespace."""
    binary = livekit_binary()
    api_key, api_secret = "testkey", secrets.token_urlsafe(32)
    with network_namespace() as namespace:
        config = tmp_path / "livekit.yaml"
        config.write_text(
            CONFIG.format(
                port=LIVEKIT_PORT, tcp_port=7881, udp_port=7882, node_ip=NODE_IP,
                key=api_key, secret=api_secret,
            )
        )  # fmt: skip
        lk = LiveKitNamespace(
            namespace=namespace,
            url=f"ws://127.0.0.1:{LIVEKIT_PORT}",
            api_key=api_key,
            api_secret=api_secret,
            log_path=tmp_path / "livekit.log",
        )
        server = lk.popen(
            [binary, "--config", str(config), "--node-ip", NODE_IP], log_path=lk.log_path
        )
        try:
            lk.wait_until_ready()
            yield lk
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            server.log.close()


# --- Helpers run inside the namespace (python -m tests.livekit_netns ...) ---


async def _prepare_room(args):
    """Prepare the room twice, as a page reload would, then read back what the server holds."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    django.setup()
    from django.conf import settings
    from livekit import api

    from agents.models import Interview
    from agents.rooms import room_prepare

    interview = Interview(pk=args.interview_id, room_name=args.room)
    first = await room_prepare(interview=interview)
    second = await room_prepare(interview=interview)
    lkapi = api.LiveKitAPI(
        settings.LIVEKIT_URL, settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET
    )
    try:
        dispatches = await lkapi.agent_dispatch.list_dispatch(args.room)
        rooms = await lkapi.room.list_rooms(api.ListRoomsRequest(names=[args.room]))
    finally:
        await lkapi.aclose()
    return {
        "first": {"dispatch_id": first.dispatch_id, "dispatched_now": first.dispatched_now},
        "second": {"dispatch_id": second.dispatch_id, "dispatched_now": second.dispatched_now},
        "dispatches": [
            {"id": d.id, "agent_name": d.agent_name, "metadata": d.metadata, "room": d.room}
            for d in dispatches
        ],
        "rooms": [{"name": r.name, "metadata": r.metadata} for r in rooms.rooms],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.livekit_netns")
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare-room")
    prepare.add_argument("--interview-id", type=int, required=True)
    prepare.add_argument("--room", required=True)
    args = parser.parse_args(argv)
    if args.command == "prepare-room":
        answer = asyncio.run(_prepare_room(args))
    print(json.dumps(answer))


if __name__ == "__main__":
    main()

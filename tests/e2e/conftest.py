"""Session fixtures of the whole-system tests: the running system, the browser, the artifacts.

Run through `bash scripts/e2e.sh` (or `make e2e`): it makes the network
namespace these processes must live in. Artifacts (screenshots, per-turn
latency, and every process's log when something failed) go to
test-artifacts/e2e/<run>/.
"""

import os
import shutil
import subprocess
import time
import wave
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.system import BASE_DIR, start_system
from tests.fixtures import CHROMIUM

# The candidate's spoken answer. Distinctive words that Whisper tiny gets right from espeak-ng.
ANSWER = "I built payment systems in Python and Go for six years."
# Silence around the answer: the interviewer greets first, and the pause after the
# answer lets the end of turn be detected. Chromium plays the file in a loop.
SILENCE_BEFORE_S = 25
SILENCE_AFTER_S = 30


TAILED_ON_FAILURE = ("agent", "celery", "beat", "web", "browser-console")
FAILURE_TAIL_LINES = 60

_passed = set()


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        _passed.add(report.nodeid)


@pytest.fixture(autouse=True)
def _no_rate_limits_carried_over():
    """Replaces the unit tests' fixture of this name, which clears the counters in the Redis of
    settings.REDIS_URL: in the namespace nothing listens there. The system's web process counts
    in the system's own Redis, and no e2e test comes near a limit."""


@pytest.fixture(scope="session")
def run_dir():
    path = BASE_DIR / "test-artifacts" / "e2e" / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="session")
def system(request, run_dir):
    """Every process of the product, started once for the session and stopped at its end."""
    if not os.environ.get("E2E_NETNS"):
        pytest.fail(
            "The e2e tests start a LiveKit server and a browser: run them with "
            "`bash scripts/e2e.sh` (or `make e2e`), which keeps them in their own network "
            "namespace.",
            pytrace=False,
        )
    failed = True
    started = time.monotonic()
    try:
        with ExitStack() as stack:
            running = start_system(stack, run_dir)
            print(f"\ne2e: system up in {time.monotonic() - started:.0f} s; artifacts in {run_dir}")
            yield running
            # Interrupted or failed runs keep everything: only a full pass tidies up.
            failed = len(_passed) < len(request.session.items)
    finally:
        if failed:
            # CI keeps only what is printed: the end of the logs that usually say why.
            for name in TAILED_ON_FAILURE:
                log = run_dir / f"{name}.log"
                if log.exists():
                    tail = log.read_text(errors="replace").splitlines()[-FAILURE_TAIL_LINES:]
                    print(f"\n----- last lines of {name}.log -----\n" + "\n".join(tail))
            print(f"\ne2e: FAILED; logs and screenshots kept in {run_dir}")
        else:
            # Logs only matter when something went wrong; screenshots and numbers stay.
            for log in run_dir.glob("*.log"):
                log.unlink()
            shutil.rmtree(run_dir / "var", ignore_errors=True)
            print(f"\ne2e: screenshots and turn latency in {run_dir}")


@pytest.fixture(scope="session")
def answer_wav(run_dir):
    """The candidate's microphone: the spoken answer between stretches of silence."""
    speech = run_dir / "answer-speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(speech), ANSWER], check=True)
    padded = run_dir / "answer.wav"
    with wave.open(str(speech), "rb") as source:
        params = source.getparams()
        frames = source.readframes(source.getnframes())
    silence = b"\x00" * params.sampwidth * params.nchannels
    with wave.open(str(padded), "wb") as target:
        target.setparams(params)
        target.writeframes(silence * params.framerate * SILENCE_BEFORE_S)
        target.writeframes(frames)
        target.writeframes(silence * params.framerate * SILENCE_AFTER_S)
    speech.unlink()
    return padded


@pytest.fixture(scope="session")
def browser(answer_wav):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={answer_wav}",
            ],
        )
        yield browser
        browser.close()


class Screenshots:
    """Numbered full-page screenshots, in the order the scenario takes them."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.count = 0

    def __call__(self, page, name):
        self.count += 1
        path = self.directory / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def screenshots(run_dir):
    directory = run_dir / "screenshots"
    directory.mkdir()
    return Screenshots(directory)


def _make_context(browser, system, record_console):
    context = browser.new_context(base_url=system.web_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    context.on("page", lambda page: page.on("console", record_console))
    return context


@pytest.fixture
def browser_context_factory(browser, system, run_dir):
    """New isolated browser contexts (one per person); their console output goes to a log."""
    contexts = []
    console_log = open(run_dir / "browser-console.log", "a")  # noqa: SIM115 - closed below

    def make(who):
        def record(message):
            console_log.write(f"[{who}] {message.type}: {message.text}\n")
            console_log.flush()

        context = _make_context(browser, system, record)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    console_log.close()

"""The candidate's interview room in a real browser, on a stand-in for livekit-client.

A LiveKit room can't be had outside the e2e network namespace, so the page gets
a stub `LivekitClient` in place of the vendored build (same names, same calls
room.js makes) that the test drives: it opens the interviewer's transcription
text streams chunk by chunk, and sees which microphone calls the page made. The
captions WebSocket is played by the test too (Playwright's WebSocket routing);
the page itself, its scripts and styles come from the real server.
"""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agents.models import Interview

pytestmark = pytest.mark.django_db(transaction=True)
expect.set_options(timeout=15_000)

# What room.js uses of livekit-client 2.x, and handles for the test (window.__lk).
LIVEKIT_STUB = r"""
(() => {
  const RoomEvent = {
    TrackSubscribed: "trackSubscribed", TrackUnsubscribed: "trackUnsubscribed",
    ActiveSpeakersChanged: "activeSpeakersChanged",
    ParticipantAttributesChanged: "participantAttributesChanged",
    Reconnecting: "reconnecting", Reconnected: "reconnected", Disconnected: "disconnected",
  };
  const ParticipantKind = { STANDARD: 0, AGENT: 4 };
  const Track = { Source: { Microphone: "microphone" } };
  const lk = { rooms: [], micCalls: [], streams: {} };

  class LocalParticipant {
    constructor() { this.identity = "candidate-1"; this.track = null; }
    async setMicrophoneEnabled(enabled) {
      lk.micCalls.push(enabled);
      if (!this.track) {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        this.track = { mediaStreamTrack: stream.getAudioTracks()[0] };
      }
      // As livekit-client mutes: the track stays, its samples go silent.
      this.track.mediaStreamTrack.enabled = enabled;
    }
    getTrackPublication(source) {
      return source === Track.Source.Microphone && this.track ? { track: this.track } : undefined;
    }
  }

  class Room {
    constructor(options) {
      this.options = options;
      this.handlers = {};
      this.textStreamHandlers = new Map();
      this.remoteParticipants = new Map();
      this.localParticipant = new LocalParticipant();
      this.state = "new";
      lk.rooms.push(this);
    }
    on(event, handler) { (this.handlers[event] ||= []).push(handler); return this; }
    emit(event, ...args) { (this.handlers[event] || []).forEach((handler) => handler(...args)); }
    registerTextStreamHandler(topic, handler) {
      if (this.textStreamHandlers.has(topic)) throw new Error(`handler for ${topic} already set`);
      this.textStreamHandlers.set(topic, handler);
    }
    async connect(url, token) { this.state = "connected"; this.connectedWith = { url, token }; }
    async disconnect() { this.state = "disconnected"; this.emit(RoomEvent.Disconnected); }
  }

  // A text stream as TextStreamReader gives it: async iterable of chunks, `info` whose
  // attributes take the trailer's once the stream closes.
  lk.openText = (id, identity, attributes, topic = "lk.transcription") => {
    const queue = [];
    let wake = null;
    let closed = false;
    const info = { id, topic, attributes: { ...attributes }, timestamp: Date.now() };
    const next = () => new Promise((resolve) => {
      if (queue.length) resolve({ value: queue.shift(), done: false });
      else if (closed) resolve({ value: undefined, done: true });
      else wake = () => { wake = null; next().then(resolve); };
    });
    const reader = { info, [Symbol.asyncIterator]() { return { next }; } };
    lk.streams[id] = {
      write(chunk) { queue.push(chunk); if (wake) wake(); },
      close(trailer) {
        Object.assign(info.attributes, trailer || {});
        closed = true;
        if (wake) wake();
      },
    };
    const room = lk.rooms[lk.rooms.length - 1];
    const handler = room.textStreamHandlers.get(topic);
    if (handler) handler(reader, { identity });
    return Boolean(handler);
  };
  lk.write = (id, chunk) => lk.streams[id].write(chunk);
  lk.close = (id, trailer) => lk.streams[id].close(trailer);
  lk.room = () => lk.rooms[lk.rooms.length - 1];

  window.__lk = lk;
  window.LivekitClient = { Room, RoomEvent, ParticipantKind, Track };
})();
"""

AGENT = "agent-AJ_interviewer"
CANDIDATE = "candidate-1"


def open_stream(page, stream, *, identity=AGENT, segment):
    """A transcription stream as RoomIO opens it: header attributes say it isn't final yet."""
    attributes = {
        "lk.segment_id": segment,
        "lk.transcribed_track_id": "TR_interviewer",
        "lk.transcription_final": "false",
    }
    return page.evaluate(
        "([s, who, a]) => __lk.openText(s, who, a)", [stream, identity, attributes]
    )


def write(page, stream, text):
    page.evaluate("([s, text]) => __lk.write(s, text)", [stream, text])


def close(page, stream):
    """The trailer of a segment's stream marks it final."""
    page.evaluate("(s) => __lk.close(s, {'lk.transcription_final': 'true'})", stream)


class CaptionsSocket:
    """The page's captions WebSocket, played by the test."""

    def __init__(self):
        self.routes = []

    def connected(self, route):
        self.routes.append(route)

    def send(self, **message):
        self.routes[-1].send(json.dumps(message))


@pytest.fixture
def join_url(web_server, scheduled_interview):
    _interview, secret = scheduled_interview
    return f"{web_server}/join/{secret}/"


@pytest.fixture
def browser(microphone_browser):
    return microphone_browser


def room_page(browser, *, width=1280, height=900):
    """A page with the stub livekit-client, a token endpoint that answers and a scripted socket."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route(
        re.compile(r"/static/vendor/livekit-client\.umd\.js$"),
        lambda route: route.fulfill(body=LIVEKIT_STUB, content_type="text/javascript"),
    )
    page.route(
        re.compile(r"/join/[^/]+/token/$"),
        lambda route: route.fulfill(
            json={"url": "ws://livekit.test", "token": "t", "room": "r", "identity": "candidate-1"}
        ),
    )
    socket = CaptionsSocket()
    page.route_web_socket(re.compile(r"/ws/join/"), socket.connected)
    return page, socket


def join(page):
    page.get_by_role("button", name="Check my microphone").click()
    page.get_by_label(re.compile("I understand and agree")).check()
    page.get_by_role("button", name="Join the interview").click()
    expect(page.locator("#join-room")).to_be_visible()


def stored_lines(page, speaker="agent"):
    return page.locator(f"#captions .caption-{speaker}")


def live_lines(page):
    return page.locator("#captions-live .caption-agent")


def test_the_interviewers_words_show_as_they_are_spoken_and_the_stored_turn_replaces_them(
    join_url, browser, tmp_path
):
    page, socket = room_page(browser)
    page.goto(join_url)
    join(page)
    page.wait_for_function("() => window.__lk.room().textStreamHandlers.has('lk.transcription')")

    assert open_stream(page, "S1", segment="SG_1")
    write(page, "S1", "Hello Grace, ")
    line = live_lines(page)
    expect(line).to_have_count(1)
    expect(line).to_have_text("Interviewer: Hello Grace,")
    expect(line).to_have_class(re.compile(r"\bcaption-live\b"))
    # Screen readers get the line once it is complete, not word by word.
    expect(line).to_have_attribute("aria-busy", "true")

    write(page, "S1", "thanks for joining. Tell me about the A-0 compiler")
    expect(line).to_have_text(
        "Interviewer: Hello Grace, thanks for joining. Tell me about the A-0 compiler"
    )
    page.screenshot(path=str(tmp_path / "room-speaking.png"))

    close(page, "S1")
    expect(line).not_to_have_class(re.compile(r"\bcaption-live\b"))
    expect(line).not_to_have_attribute("aria-busy", "true")

    # The stored turn comes on the captions socket: it takes the live line's place, once.
    wait_for_socket(page, socket)
    stored = "Hello Grace, thanks for joining. Tell me about the A-0 compiler."
    socket.send(type="segment", seq=1, speaker="agent", text=stored, interrupted=False)
    expect(stored_lines(page)).to_have_text([f"Interviewer: {stored}"])
    expect(live_lines(page)).to_have_count(0)

    # The candidate answers (stored turn from the socket); the candidate's own transcription
    # stream is not shown as the interviewer's.
    open_stream(page, "S2", identity=CANDIDATE, segment="SG_2")
    write(page, "S2", "I wrote it in 1952.")
    close(page, "S2")
    socket.send(type="interim", speaker="candidate", text="I wrote it")
    expect(page.locator("#caption-interim")).to_have_text("I wrote it")
    socket.send(type="segment", seq=2, speaker="candidate", text="I wrote it in 1952.")
    expect(stored_lines(page, "candidate")).to_have_text(["You: I wrote it in 1952."])
    expect(page.locator("#caption-interim")).to_have_text("")
    expect(live_lines(page)).to_have_count(0)

    # An interrupted reply: the live line stops where the audio stopped, the stored turn says so.
    open_stream(page, "S3", segment="SG_3")
    write(page, "S3", "Impressive. And what")
    expect(live_lines(page)).to_have_text(["Interviewer: Impressive. And what"])
    close(page, "S3")
    socket.send(
        type="segment", seq=3, speaker="agent", text="Impressive. And what", interrupted=True
    )
    expect(live_lines(page)).to_have_count(0)
    # In conversation order: interviewer, candidate, interviewer.
    expect(page.locator("#captions li")).to_have_text(
        [
            f"Interviewer: {stored}",
            "You: I wrote it in 1952.",
            "Interviewer: Impressive. And what …",
        ]
    )
    assert page.locator(".captions").get_attribute("aria-live") == "polite"


def test_back_after_a_reload_the_history_goes_above_what_the_interviewer_is_saying(
    join_url, browser
):
    page, socket = room_page(browser)
    page.goto(join_url)
    join(page)
    # The interviewer is speaking when the captions socket sends the history.
    open_stream(page, "S9", segment="SG_9")
    write(page, "S9", "Welcome back, Grace. Where were we?")
    expect(live_lines(page)).to_have_text(["Interviewer: Welcome back, Grace. Where were we?"])
    wait_for_socket(page, socket)
    socket.send(type="segment", seq=1, speaker="agent", text="Hello Grace, thanks for joining.")
    socket.send(type="segment", seq=2, speaker="candidate", text="Glad to be here.")
    expect(page.locator("#captions li")).to_have_text(
        ["Interviewer: Hello Grace, thanks for joining.", "You: Glad to be here."]
    )
    expect(live_lines(page)).to_have_text(["Interviewer: Welcome back, Grace. Where were we?"])

    # Its own stored turn (in slightly different words) replaces it once it has been said.
    close(page, "S9")
    socket.send(type="segment", seq=3, speaker="agent", text="Welcome back Grace! Where were we?")
    expect(live_lines(page)).to_have_count(0)
    expect(stored_lines(page)).to_have_text(
        [
            "Interviewer: Hello Grace, thanks for joining.",
            "Interviewer: Welcome back Grace! Where were we?",
        ]
    )


def wait_for_socket(page, socket):
    for _ in range(100):
        if socket.routes:
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page never opened its captions socket")


def clock(page):
    """(elapsed, remaining) on the room's clock, in seconds, read at one instant."""
    texts = page.evaluate(
        "() => [document.getElementById('timer-elapsed').textContent,"
        " document.getElementById('timer-remaining').textContent]"
    )

    def seconds(text):
        minutes, secs = text.split(":")
        return int(minutes) * 60 + int(secs)

    return tuple(seconds(text) for text in texts)


def test_the_clock_counts_from_joining_towards_the_time_limit(join_url, browser):
    page, _socket = room_page(browser)
    page.goto(join_url)
    join(page)
    expect(page.get_by_role("timer", name="Interview time")).to_contain_text("elapsed")
    elapsed, remaining = clock(page)
    assert elapsed + remaining == 15 * 60
    page.wait_for_function("() => document.getElementById('timer-elapsed').textContent !== '00:00'")
    later_elapsed, later_remaining = clock(page)
    assert later_elapsed > elapsed
    assert later_elapsed + later_remaining == 15 * 60


@pytest.fixture
def live_join_url(web_server, scheduled_interview):
    """The link of an interview that went live five minutes ago (the candidate reloaded)."""
    interview, secret = scheduled_interview
    Interview.objects.filter(pk=interview.pk).update(
        status=Interview.Status.LIVE, started_at=timezone.now() - timedelta(minutes=5)
    )
    return f"{web_server}/join/{secret}/"


def test_back_in_a_live_interview_the_clock_carries_on_from_its_start(live_join_url, browser):
    page, _socket = room_page(browser)
    page.goto(live_join_url)
    join(page)
    elapsed, remaining = clock(page)
    assert elapsed >= 5 * 60
    assert remaining <= 10 * 60
    assert elapsed + remaining == 15 * 60


METER_WIDTH = "() => parseFloat(document.getElementById('room-mic-level').style.width) || 0"


def meter_width(page):
    return page.evaluate(METER_WIDTH)


def test_the_candidate_mutes_and_unmutes_and_sees_their_level(join_url, browser, tmp_path):
    page, _socket = room_page(browser)
    page.goto(join_url)
    join(page)
    status = page.locator("#room-mic-status")
    expect(status).to_have_text("Your microphone is on")
    # The fake microphone beeps: the level meter in the room moves.
    page.wait_for_function(f"() => ({METER_WIDTH})() > 0")
    page.screenshot(path=str(tmp_path / "room-level.png"))

    page.get_by_role("button", name="Mute", exact=True).click()
    expect(page.get_by_role("button", name="Unmute", exact=True)).to_be_visible()
    expect(status).to_have_text("Muted: the interviewer can't hear you")
    assert page.evaluate("() => __lk.micCalls") == [True, False]
    expect(page.locator("#join-room")).to_have_class(re.compile(r"\bmic-muted\b"))
    # Muted, the track sends silence and the meter shows it.
    page.wait_for_function(f"() => ({METER_WIDTH})() === 0")
    widths = []
    for _ in range(10):
        widths.append(meter_width(page))
        page.wait_for_timeout(200)
    assert widths == [0] * 10
    page.screenshot(path=str(tmp_path / "room-muted.png"))

    page.get_by_role("button", name="Unmute", exact=True).click()
    expect(page.get_by_role("button", name="Mute", exact=True)).to_be_visible()
    expect(status).to_have_text("Your microphone is on")
    assert page.evaluate("() => __lk.micCalls") == [True, False, True]
    page.wait_for_function(f"() => ({METER_WIDTH})() > 0")


def test_leaving_asks_first_and_staying_keeps_the_interview_going(join_url, browser, tmp_path):
    page, _socket = room_page(browser)
    native_dialogs = []
    page.on("dialog", lambda dialog: (native_dialogs.append(dialog.type), dialog.dismiss()))
    page.goto(join_url)
    join(page)
    leave = page.get_by_role("button", name="Leave the interview")

    leave.click()
    dialog = page.get_by_role("dialog", name="Leave the interview?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("you can't come back")
    # Staying is the safe choice, so it has the focus.
    expect(dialog.get_by_role("button", name="Stay")).to_be_focused()
    page.screenshot(path=str(tmp_path / "room-leave-dialog.png"))
    dialog.get_by_role("button", name="Stay").click()
    expect(dialog).to_be_hidden()
    expect(leave).to_be_focused()
    assert page.evaluate("() => __lk.room().state") == "connected"

    leave.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("() => __lk.room().state") == "connected"
    expect(page.get_by_text("You left the interview")).to_have_count(0)

    leave.click()
    dialog.get_by_role("button", name="Leave", exact=True).click()
    expect(page.get_by_text("You left the interview")).to_be_visible()
    assert page.evaluate("() => __lk.room().state") == "disconnected"
    expect(page.locator("#agent-state")).to_have_text("the interview has ended")
    expect(leave).to_be_hidden()
    expect(page.get_by_role("button", name="Mute", exact=True)).to_be_hidden()
    assert native_dialogs == []


def test_consent_is_remembered_after_a_reload_of_the_same_interview(
    join_url, scheduled_interview, browser
):
    interview, secret = scheduled_interview
    page, _socket = room_page(browser)
    page.goto(join_url)
    consent = page.get_by_label(re.compile("I understand and agree"))
    expect(consent).not_to_be_checked()
    consent.check()
    page.reload()
    expect(consent).to_be_checked()
    stored = page.evaluate("() => Object.entries(sessionStorage)")
    assert stored == [[f"interview-consent:{interview.pk}", "given"]]
    assert secret not in json.dumps(stored)

    # The microphone is still checked again; then joining needs nothing more.
    join_button = page.get_by_role("button", name="Join the interview")
    expect(join_button).to_be_disabled()
    page.get_by_role("button", name="Check my microphone").click()
    expect(join_button).to_be_enabled()

    consent.uncheck()
    page.reload()
    expect(consent).not_to_be_checked()
    assert page.evaluate("() => Object.entries(sessionStorage)") == []


@pytest.mark.parametrize("width", [390, 1280])
def test_the_room_fits_the_screen(join_url, browser, tmp_path, width):
    page, socket = room_page(browser, width=width, height=844 if width == 390 else 900)
    page.goto(join_url)
    page.screenshot(path=str(tmp_path / f"setup-{width}.png"), full_page=True)
    join(page)
    wait_for_socket(page, socket)
    socket.send(type="segment", seq=1, speaker="agent", text="Hello Grace, thanks for joining.")
    socket.send(type="segment", seq=2, speaker="candidate", text="Thank you, glad to be here.")
    open_stream(page, "S3", segment="SG_3")
    write(page, "S3", "Tell me about the A-0 compiler you built at Remington")
    expect(page.locator(".captions .caption-agent")).to_have_count(2)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"room-{width}.png"), full_page=True)
    page.get_by_role("button", name="Leave the interview").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"leave-{width}.png"))

// The candidate's interview room: token from the server, LiveKit room, agent state and captions,
// the interview clock, muting, the microphone level and leaving (after a confirmation).
(() => {
  const config = document.getElementById("join-config");
  if (!config) return;
  const setup = document.getElementById("join-setup");
  const roomSection = document.getElementById("join-room");
  const joinButton = document.getElementById("join");
  const consent = document.getElementById("consent");
  const leaveButton = document.getElementById("leave");
  const leaveDialog = document.getElementById("leave-dialog");
  const muteButton = document.getElementById("mute");
  const micStatus = document.getElementById("room-mic-status");
  const micLevel = document.getElementById("room-mic-level");
  const timerElapsed = document.getElementById("timer-elapsed");
  const timerRemaining = document.getElementById("timer-remaining");
  const timerNotice = document.getElementById("timer-notice");
  const message = document.getElementById("join-message");
  const agentState = document.getElementById("agent-state");
  const captions = document.getElementById("captions");
  const liveCaptions = document.getElementById("captions-live");
  const captionsBox = captions.parentElement;
  const interim = document.getElementById("caption-interim");
  const avatar = document.getElementById("avatar");
  const STATE_LABELS = {
    initializing: "getting ready…", idle: "waiting", listening: "listening",
    thinking: "thinking…", speaking: "speaking", ended: "the interview has ended",
  };
  const ENDED_MESSAGES = {
    completed: "The interview is over. Thank you for your time!",
    failed: "The interview had to stop because of a technical problem. The recruiter can see what happened and will be in touch.",
    cancelled: "The recruiter cancelled this interview.",
    expired: "This interview link has expired. Please ask the recruiter for a new one.",
  };
  // livekit-agents' RoomIO publishes the interviewer's words on this text stream topic, in step
  // with its audio; the trailer of each segment's stream says it is final.
  const TRANSCRIPTION_TOPIC = "lk.transcription";
  let micOk = false;
  let room = null;
  let socket = null;
  let leaving = false;
  let lastSeq = 0;
  let muted = false;
  let stopMeter = null;
  let clock = null;

  function show(text, isError = true) {
    message.textContent = text;
    message.hidden = !text;
    message.classList.toggle("error", isError);
  }

  // --- Consent, remembered for this interview while the tab is open (a reload keeps it) ---

  const consentKey = `interview-consent:${config.dataset.interviewId}`;
  function sessionStore() {
    try {
      return window.sessionStorage;
    } catch {
      return null; // storage blocked: the candidate ticks the box again after a reload
    }
  }
  if (sessionStore()?.getItem(consentKey) === "given") consent.checked = true;
  consent.addEventListener("change", () => {
    const store = sessionStore();
    if (!store) return;
    if (consent.checked) store.setItem(consentKey, "given");
    else store.removeItem(consentKey);
  });

  function updateJoinButton() {
    joinButton.disabled = !(micOk && consent.checked);
  }
  document.addEventListener("mic-check", (event) => { micOk = event.detail.ok; updateJoinButton(); });
  consent.addEventListener("change", updateJoinButton);

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function fetchToken() {
    let response;
    try {
      response = await fetch(config.dataset.tokenUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      });
    } catch {
      throw new Error("The interview server can't be reached. Check your internet connection and try again.");
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.error || "The interview could not be started. Please try again in a minute.");
    }
    return body;
  }

  function setAgentState(state) {
    agentState.textContent = STATE_LABELS[state] || state;
    agentState.dataset.state = state;
  }

  function isAgent(participant) {
    return participant && participant.kind === LivekitClient.ParticipantKind.AGENT;
  }

  // --- Captions: stored turns from the socket, in order; below them, the interviewer's words
  // as it speaks them, from the room ---

  // Lines of the room's transcription streams, oldest first, each until its stored turn arrives.
  const liveLines = [];
  // The line of each transcription segment (lk.segment_id) that may get more streams.
  const segmentLines = new Map();

  function scrollCaptions(force = false) {
    const nearBottom = captionsBox.scrollHeight - captionsBox.scrollTop - captionsBox.clientHeight < 80;
    if (force || nearBottom) captionsBox.scrollTop = captionsBox.scrollHeight;
  }

  function captionLine(speaker, list) {
    const item = document.createElement("li");
    item.className = `caption caption-${speaker}`;
    const who = document.createElement("strong");
    who.textContent = speaker === "agent" ? "Interviewer: " : "You: ";
    const words = document.createElement("span");
    words.className = "caption-text";
    item.append(who, words);
    list.append(item);
    return { item, words, streaming: false, retired: false };
  }

  function letters(text) {
    return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  }

  function sameTurn(line, text) {
    const shown = letters(line.words.textContent);
    const stored = letters(text);
    const length = Math.min(24, shown.length, stored.length);
    return length > 0 && shown.slice(0, length) === stored.slice(0, length);
  }

  // A stored turn of the interviewer replaces the live line of the same words (and any older
  // one). Without one of the same words, it is the oldest line whose stream has ended: a turn
  // still being spoken is newer than every stored one (say, the history sent after a reload).
  function retireLiveLine(text) {
    let index = liveLines.findIndex((line) => sameTurn(line, text));
    if (index < 0) index = liveLines.findIndex((line) => !line.streaming);
    if (index < 0) return;
    for (const line of liveLines.splice(0, index + 1)) {
      line.retired = true;
      line.item.remove();
    }
  }

  function addCaption(speaker, text, interrupted) {
    if (speaker === "agent") retireLiveLine(text);
    const line = captionLine(speaker, captions);
    line.words.textContent = text + (interrupted ? " …" : "");
    scrollCaptions(true);
  }

  async function showTranscription(reader, participantInfo) {
    // The candidate's own words come with the captions socket (interim and stored).
    if (!room || participantInfo.identity === room.localParticipant.identity) return;
    const attributes = reader.info.attributes || {};
    const segmentId = attributes["lk.segment_id"] || reader.info.id;
    let line = segmentLines.get(segmentId);
    if (!line) {
      line = captionLine("agent", liveCaptions);
      segmentLines.set(segmentId, line);
      liveLines.push(line);
    }
    line.streaming = true;
    line.item.classList.add("caption-live");
    // Screen readers announce the line once it is complete, not word by word.
    line.item.setAttribute("aria-busy", "true");
    // The interviewer's stream is a delta stream: chunks add to the line. A stream that
    // restates a segment (each one holding the whole text so far) replaces it.
    let text = "";
    try {
      for await (const chunk of reader) {
        text += chunk;
        if (line.retired) continue;
        line.words.textContent = text;
        scrollCaptions();
      }
    } catch {
      // Cut off (the interviewer was interrupted or the connection dropped): keep what was said.
    }
    if ((reader.info.attributes || {})["lk.transcription_final"] === "true") {
      segmentLines.delete(segmentId);
    }
    line.streaming = false;
    line.item.classList.remove("caption-live");
    line.item.removeAttribute("aria-busy");
    if (!line.retired && !line.words.textContent) {
      line.retired = true;
      line.item.remove();
      liveLines.splice(liveLines.indexOf(line), 1);
    }
  }

  function connectCaptions(attempt = 0) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${config.dataset.captionsPath}?after=${lastSeq}`);
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "segment" && data.seq > lastSeq) {
        lastSeq = data.seq;
        if (data.speaker !== "agent") interim.textContent = "";
        addCaption(data.speaker, data.text, data.interrupted);
      } else if (data.type === "interim") {
        interim.textContent = data.text;
      } else if (data.type === "agent_state") {
        setAgentState(data.state);
      } else if (data.type === "ended") {
        finish(ENDED_MESSAGES[data.status] || ENDED_MESSAGES.completed, data.status !== "completed");
      }
    });
    socket.addEventListener("open", () => { attempt = 0; });
    socket.addEventListener("close", () => {
      if (leaving) return;
      // Captions are a convenience: reconnect quietly with backoff.
      setTimeout(() => connectCaptions(attempt + 1), Math.min(15000, 1000 * 2 ** attempt));
    });
  }

  // --- The interview clock: elapsed and remaining of the interview's time limit ---

  const limitSeconds = Number(config.dataset.maxMinutes) * 60;
  // The server's clock says when a live interview started; this browser's clock may differ.
  const clockOffset = Date.now() / 1000 - Number(config.dataset.serverNow);
  let startedAt = config.dataset.startedAt ? Number(config.dataset.startedAt) + clockOffset : null;
  let noticeGiven = "";

  function clockText(seconds) {
    const minutes = Math.floor(seconds / 60);
    return `${String(minutes).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function notice(key, text) {
    if (noticeGiven === key) return;
    noticeGiven = key;
    timerNotice.textContent = text;
  }

  function tick() {
    const elapsed = Math.max(0, Math.floor(Date.now() / 1000 - startedAt));
    const remaining = Math.max(0, limitSeconds - elapsed);
    timerElapsed.textContent = clockText(elapsed);
    timerRemaining.textContent = clockText(remaining);
    roomSection.dataset.time = remaining === 0 ? "up" : remaining <= 120 ? "short" : "";
    if (remaining === 0) notice("up", "Time is up. The interviewer will wrap up now.");
    else if (remaining <= 120) notice("short", "About two minutes left.");
  }

  function startClock() {
    if (startedAt === null) startedAt = Date.now() / 1000;
    tick();
    clock = setInterval(tick, 1000);
  }

  // --- The microphone in the room: level meter and mute ---

  function microphoneTrack() {
    const publication = room && room.localParticipant.getTrackPublication(LivekitClient.Track.Source.Microphone);
    return publication && publication.track && publication.track.mediaStreamTrack;
  }

  function startRoomMeter() {
    if (stopMeter) stopMeter();
    stopMeter = null;
    const track = microphoneTrack();
    if (!track || !window.micCheck) return;
    try {
      stopMeter = window.micCheck.startMeter(new MediaStream([track]), micLevel);
    } catch {
      // No meter in this browser: the interview works without it.
    }
  }

  function showMuted(isMuted, why = "Muted: the interviewer can't hear you") {
    muted = isMuted;
    muteButton.textContent = isMuted ? "Unmute" : "Mute";
    muteButton.classList.toggle("primary", isMuted);
    roomSection.classList.toggle("mic-muted", isMuted);
    micStatus.textContent = isMuted ? why : "Your microphone is on";
  }

  async function toggleMute() {
    if (!room) return;
    const enable = muted;
    muteButton.disabled = true;
    try {
      await room.localParticipant.setMicrophoneEnabled(enable);
      showMuted(!enable);
      // Unmuting may bring a new track (or the first one, if the microphone failed at first).
      if (enable) startRoomMeter();
    } catch (error) {
      show(window.micCheck ? window.micCheck.micErrorMessage(error) : "The microphone could not be started.");
    }
    muteButton.disabled = false;
  }

  function attachTrack(track, participant) {
    const element = track.attach();
    if (track.kind === "video") {
      avatar.replaceChildren(element);
      avatar.hidden = false;
    } else {
      element.dataset.participant = participant.identity;
      document.body.append(element);
    }
  }

  function highlightSpeakers(speakers) {
    const agentSpeaking = speakers.some((p) => isAgent(p) || p.identity.startsWith("tavus"));
    const meSpeaking = speakers.some((p) => room && p.identity === room.localParticipant.identity);
    document.getElementById("speaker-agent").classList.toggle("speaking", agentSpeaking);
    document.getElementById("speaker-me").classList.toggle("speaking", meSpeaking);
  }

  function stopRoomExtras() {
    if (clock) clearInterval(clock);
    clock = null;
    if (stopMeter) stopMeter();
    stopMeter = null;
  }

  async function join() {
    joinButton.disabled = true;
    show("");
    if (window.micCheck) window.micCheck.stop();
    let details;
    try {
      details = await fetchToken();
    } catch (error) {
      show(error.message);
      updateJoinButton();
      return;
    }
    // Leaving is the Leave button only: a reload or a closed tab counts as a dropped
    // connection, which the interviewer waits for the candidate to come back from.
    room = new LivekitClient.Room({ adaptiveStream: true, dynacast: true, disconnectOnPageLeave: false });
    room
      .on(LivekitClient.RoomEvent.TrackSubscribed, (track, _pub, participant) => attachTrack(track, participant))
      .on(LivekitClient.RoomEvent.TrackUnsubscribed, (track) => track.detach().forEach((el) => el.remove()))
      .on(LivekitClient.RoomEvent.ActiveSpeakersChanged, highlightSpeakers)
      .on(LivekitClient.RoomEvent.ParticipantAttributesChanged, (changed, participant) => {
        if (isAgent(participant) && changed["lk.agent.state"]) setAgentState(changed["lk.agent.state"]);
      })
      .on(LivekitClient.RoomEvent.Reconnecting, () => show("Connection lost. Reconnecting…", false))
      .on(LivekitClient.RoomEvent.Reconnected, () => show(""))
      .on(LivekitClient.RoomEvent.Disconnected, () => {
        if (!leaving) show("You were disconnected. Reload this page to rejoin the interview.");
        stopRoomExtras();
        roomSection.classList.add("ended");
      });
    // Registered before connecting, so the first words of the greeting are not missed.
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, showTranscription);
    try {
      await room.connect(details.url, details.token);
    } catch {
      room = null;
      show("The interview room can't be reached right now. Please try again in a minute; if it keeps happening, tell the recruiter.");
      updateJoinButton();
      return;
    }
    try {
      await room.localParticipant.setMicrophoneEnabled(true);
      showMuted(false);
    } catch (error) {
      show(window.micCheck ? window.micCheck.micErrorMessage(error) : "The microphone could not be started.");
      showMuted(true, "Your microphone is off: press Unmute to try again");
    }
    setup.hidden = true;
    roomSection.hidden = false;
    startRoomMeter();
    startClock();
    room.remoteParticipants.forEach((participant) => {
      if (isAgent(participant) && participant.attributes["lk.agent.state"]) {
        setAgentState(participant.attributes["lk.agent.state"]);
      }
    });
    connectCaptions();
  }

  async function finish(text, isError) {
    if (leaving) return;
    leaving = true;
    if (leaveDialog.open) leaveDialog.close();
    leaveButton.hidden = true;
    muteButton.hidden = true;
    stopRoomExtras();
    if (socket) socket.close();
    if (room) await room.disconnect();
    setAgentState("ended");
    highlightSpeakers([]);
    show(text, isError);
  }

  function leave() {
    return finish("You left the interview. Thank you for your time!", false);
  }

  joinButton.addEventListener("click", join);
  muteButton.addEventListener("click", toggleMute);
  // Leaving ends the interview for good, so it asks first; Stay (or Escape) keeps it going.
  leaveButton.addEventListener("click", () => leaveDialog.showModal());
  document.getElementById("leave-stay").addEventListener("click", () => leaveDialog.close());
  document.getElementById("leave-confirm").addEventListener("click", () => {
    leaveDialog.close();
    leave();
  });
  window.addEventListener("beforeunload", (event) => {
    // The browser asks "Leave site?" before a reload or close takes the candidate out.
    if (room && !leaving) event.preventDefault();
  });
})();

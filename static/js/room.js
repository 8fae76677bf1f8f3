// The candidate's interview room: token from the server, LiveKit room, agent state and captions.
(() => {
  const config = document.getElementById("join-config");
  if (!config) return;
  const setup = document.getElementById("join-setup");
  const roomSection = document.getElementById("join-room");
  const joinButton = document.getElementById("join");
  const consent = document.getElementById("consent");
  const leaveButton = document.getElementById("leave");
  const message = document.getElementById("join-message");
  const agentState = document.getElementById("agent-state");
  const captions = document.getElementById("captions");
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
  let micOk = false;
  let room = null;
  let socket = null;
  let leaving = false;
  let lastSeq = 0;

  function show(text, isError = true) {
    message.textContent = text;
    message.hidden = !text;
    message.classList.toggle("error", isError);
  }

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

  function addCaption(speaker, text, interrupted) {
    const item = document.createElement("li");
    item.className = `caption caption-${speaker}`;
    const who = document.createElement("strong");
    who.textContent = speaker === "agent" ? "Interviewer: " : "You: ";
    item.append(who, document.createTextNode(text + (interrupted ? " …" : "")));
    captions.append(item);
    captions.parentElement.scrollTop = captions.parentElement.scrollHeight;
  }

  function connectCaptions(attempt = 0) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    socket = new WebSocket(`${scheme}://${location.host}${config.dataset.captionsPath}?after=${lastSeq}`);
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "segment" && data.seq > lastSeq) {
        lastSeq = data.seq;
        interim.textContent = "";
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
        roomSection.classList.add("ended");
      });
    try {
      await room.connect(details.url, details.token);
    } catch {
      show("The interview room can't be reached right now. Please try again in a minute; if it keeps happening, tell the recruiter.");
      updateJoinButton();
      return;
    }
    try {
      await room.localParticipant.setMicrophoneEnabled(true);
    } catch (error) {
      show(window.micCheck ? window.micCheck.micErrorMessage(error) : "The microphone could not be started.");
    }
    setup.hidden = true;
    roomSection.hidden = false;
    room.remoteParticipants.forEach((participant) => {
      if (isAgent(participant) && participant.attributes["lk.agent.state"]) {
        setAgentState(participant.attributes["lk.agent.state"]);
      }
    });
    connectCaptions();
  }

  async function finish(text, isError) {
    leaving = true;
    leaveButton.hidden = true;
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
  leaveButton.addEventListener("click", leave);
  window.addEventListener("beforeunload", (event) => {
    // The browser asks "Leave site?" before a reload or close takes the candidate out.
    if (room && !leaving) event.preventDefault();
  });
})();

// Live transcript panel: follows ws/interviews/<id>/, asks for everything after the
// last seq it shows, reconnects by itself with exponential backoff, shows each
// segment once (by seq).
(function () {
  "use strict";
  var panel = document.getElementById("transcript");
  if (!panel) return;
  var list = panel.querySelector("[data-segments]");
  var connection = panel.querySelector("[data-connection]");
  var agentState = panel.querySelector("[data-agent-state]");
  var interim = panel.querySelector("[data-interim]");
  var lastSeq = parseInt(panel.dataset.lastSeq || "0", 10);
  var attempts = 0;
  var speakers = { candidate: "Candidate", agent: "Interviewer" };
  var ENDED = ["completed", "failed", "cancelled", "expired"];

  // The page's own connection, not the interview's status: never green, so it can't be
  // read as "the interview is live".
  function setConnection(state) {
    connection.textContent = state;
    connection.className = "chip " + (state === "connected" || state === "connecting" ? "chip-muted" : "chip-warn");
  }

  // Every time on the page in the browser's time zone and on a 24-hour clock, whether the
  // server rendered it or it arrived live.
  function time(iso) {
    if (!iso) return "";
    var date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }
  list.querySelectorAll("time[datetime]").forEach(function (node) {
    node.textContent = time(node.getAttribute("datetime")) || node.textContent;
  });

  function addSegment(message) {
    if (message.seq <= lastSeq) return;
    lastSeq = message.seq;
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    var item = document.createElement("li");
    item.className = "segment segment-" + message.speaker;
    item.dataset.seq = message.seq;
    var meta = document.createElement("span");
    meta.className = "segment-meta";
    var who = document.createElement("strong");
    who.textContent = speakers[message.speaker] || message.speaker;
    var when = document.createElement("time");
    when.dateTime = message.started_at || message.ended_at || "";
    when.textContent = time(message.started_at || message.ended_at);
    meta.append(who, " ", when);
    if (message.interrupted) {
      var mark = document.createElement("span");
      mark.className = "chip chip-warn";
      mark.textContent = "interrupted";
      meta.append(" ", mark);
    }
    var text = document.createElement("span");
    text.className = "segment-text";
    text.textContent = message.text;
    item.append(meta, text);
    list.append(item);
    if (message.speaker === "candidate") interim.hidden = true;
    item.scrollIntoView({ block: "nearest" });
  }

  function handle(message) {
    if (message.type === "segment") addSegment(message);
    else if (message.type === "interim") {
      interim.textContent = (speakers[message.speaker] || message.speaker) + ": " + message.text + "…";
      interim.hidden = false;
    } else if (message.type === "agent_state") agentState.textContent = "interviewer: " + message.state;
    else if (message.type === "status") {
      if (ENDED.indexOf(message.status) >= 0) {
        agentState.textContent = "interviewer: –";
        // The one-time link is of no use once the interview is over.
        document.querySelectorAll("[data-remove-when-ended]").forEach(function (node) { node.remove(); });
      }
      refreshParts("status");
    }
    else if (message.type === "changed") refreshParts(message.part);
  }

  // The status, latency and report parts are rendered by the server: when one changes,
  // the page fetches itself again and swaps that part in, leaving the transcript alone.
  // A part the recruiter is working in (focus, a form with their edits) is left as it is.
  var stale = {};
  var fetching = false;

  document.addEventListener("input", function (event) {
    if (event.target.form) event.target.form.dataset.edited = "true";
  });

  function inUse(part) {
    return part.contains(document.activeElement) || part.querySelector("form[data-edited]");
  }

  function swap(current, replacement) {
    // Sections the recruiter opened stay open.
    var opened = current.querySelectorAll("details");
    replacement.querySelectorAll("details").forEach(function (details, index) {
      if (opened[index] && opened[index].open) details.open = true;
    });
    current.replaceWith(replacement);
  }

  function refreshParts(name) {
    stale[name] = true;
    if (fetching) return;
    var names = Object.keys(stale);
    stale = {};
    fetching = true;
    fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        names.forEach(function (part) {
          var selector = '[data-live-part="' + part + '"]';
          var current = document.querySelectorAll(selector);
          var replacements = fresh.querySelectorAll(selector);
          current.forEach(function (element, index) {
            if (replacements[index] && !inUse(element)) swap(element, document.adoptNode(replacements[index]));
          });
        });
      })
      .catch(function () {
        // The next change, or a reload, brings the part up to date.
      })
      .then(function () {
        fetching = false;
        // Parts that changed while this fetch ran go out together in the next one.
        var waiting = Object.keys(stale);
        if (waiting.length) refreshParts(waiting[0]);
      });
  }

  function connect() {
    setConnection(attempts ? "reconnecting" : "connecting");
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + panel.dataset.wsPath + "?after=" + lastSeq);
    socket.onopen = function () { attempts = 0; setConnection("connected"); };
    socket.onmessage = function (event) { handle(JSON.parse(event.data)); };
    socket.onclose = function (event) {
      if (event.code === 4403 || event.code === 4404) { setConnection("not allowed"); return; }
      attempts += 1;
      setConnection("reconnecting");
      // 1 s, 2 s, 4 s ... up to 30 s, with jitter so many pages don't return at once.
      var delay = Math.min(30000, 1000 * Math.pow(2, attempts - 1));
      setTimeout(connect, delay / 2 + Math.random() * delay / 2);
    };
  }
  connect();
})();

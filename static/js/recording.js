// The interview's recording beside its transcript: a click on a line (or on a report quote's
// time) plays from there, and the line being heard is highlighted. Listeners sit on the
// document because the page swaps its server-rendered parts in when they change.
(function () {
  "use strict";
  var playing = null;

  function audio() {
    return document.querySelector("[data-recording-audio]");
  }

  // Lines rendered with the page carry their offset; lines that arrived live while the
  // interview ran get it from their start time and the recording's.
  function offsetOf(line) {
    if (line.dataset.offset) return parseFloat(line.dataset.offset);
    var player = audio();
    var when = line.querySelector("time[datetime]");
    if (!player || !when || !player.dataset.startedAt) return NaN;
    var seconds = (Date.parse(when.getAttribute("datetime")) - Date.parse(player.dataset.startedAt)) / 1000;
    return isNaN(seconds) ? NaN : Math.max(0, seconds);
  }

  function playableLines() {
    return document.querySelectorAll(audio() ? "#transcript .segment" : ".segment[data-offset]");
  }

  function seek(seconds) {
    var player = audio();
    if (!player || isNaN(seconds)) return;
    player.currentTime = seconds;
    var started = player.play();
    // A browser that refuses to play without a gesture still moved to the moment.
    if (started && started.catch) started.catch(function () {});
  }

  function highlight() {
    var player = audio();
    if (!player) return;
    var now = player.currentTime;
    var current = null;
    playableLines().forEach(function (line) {
      if (offsetOf(line) <= now + 0.05) current = line;
    });
    if (current === playing) return;
    if (playing) { playing.classList.remove("segment-playing"); playing.removeAttribute("aria-current"); }
    playing = current;
    if (playing) {
      playing.classList.add("segment-playing");
      playing.setAttribute("aria-current", "true");
      if (!player.paused) playing.scrollIntoView({ block: "nearest" });
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-seek], #transcript .segment");
    if (!target || !audio()) return;
    // Selecting words to copy them is not a request to play.
    if (target.matches(".segment") && String(window.getSelection())) return;
    seek(target.dataset.seek ? parseFloat(target.dataset.seek) : offsetOf(target));
  });

  document.addEventListener("change", function (event) {
    if (!event.target.matches("[data-recording-speed]")) return;
    var player = audio();
    if (player) player.playbackRate = parseFloat(event.target.value) || 1;
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.dataset && event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // timeupdate does not bubble: listen in the capture phase to follow a swapped-in player too.
  document.addEventListener("timeupdate", highlight, true);
  document.addEventListener("seeked", highlight, true);
})();

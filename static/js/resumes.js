// Resume uploads with per-file progress, and live status chips over the websocket.
(function () {
  "use strict";

  var PARALLEL_UPLOADS = 2;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function setupUploads() {
    var form = document.getElementById("upload-form");
    var input = document.getElementById("upload-input");
    var list = document.getElementById("upload-list");
    if (!form || !input || !list) return;
    var maxBytes = parseFloat(form.dataset.maxMb) * 1024 * 1024;
    var queue = [];
    var active = 0;

    function addRow(file) {
      var row = el("li", "upload-row");
      row.appendChild(el("span", "upload-name", file.name));
      var bar = el("progress", "upload-progress");
      bar.max = 100;
      bar.value = 0;
      row.appendChild(bar);
      var status = el("span", "upload-status", "Waiting…");
      row.appendChild(status);
      list.insertBefore(row, list.firstChild);
      return { row: row, bar: bar, status: status };
    }

    function finish(ui, kind, message, resume) {
      ui.bar.remove();
      ui.row.classList.add("upload-" + kind);
      ui.status.textContent = "";
      if (resume) {
        var chip = el("span", "chip " + resume.chip, resume.status_label);
        chip.dataset.resumeId = resume.id;
        ui.status.appendChild(chip);
        ui.status.appendChild(document.createTextNode(" "));
      }
      if (message) ui.status.appendChild(el("span", "", message));
      if (resume) {
        ui.status.appendChild(document.createTextNode(" "));
        var link = el("a", "", "Open candidate");
        link.href = resume.candidate_url;
        ui.status.appendChild(link);
      }
    }

    function upload(item) {
      active += 1;
      var ui = item.ui;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          ui.bar.value = Math.round((event.loaded / event.total) * 100);
          ui.status.textContent = ui.bar.value + "%";
        }
      };
      xhr.onload = function () {
        var data = {};
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = {}; }
        if (xhr.status === 201) {
          // The chip tells the resume's progress from here on.
          finish(ui, "ok", "", data.resume);
          refreshRows();
        } else if (xhr.status === 200 && data.duplicate) {
          finish(ui, "warn", data.message, data.resume);
          refreshRows();
        } else if (xhr.status === 403 || xhr.status === 302) {
          finish(ui, "bad", "Your session has ended; sign in again and re-upload this file.");
        } else {
          finish(ui, "bad", data.error || "The upload failed (HTTP " + xhr.status + "). Try again.");
        }
        next();
      };
      xhr.onerror = function () {
        finish(ui, "bad", "The upload was interrupted; check the connection and try again.");
        next();
      };
      var body = new FormData();
      body.append("file", item.file, item.file.name);
      ui.status.textContent = "Uploading…";
      xhr.send(body);
    }

    function next() {
      active -= 1;
      pump();
    }

    function pump() {
      while (active < PARALLEL_UPLOADS && queue.length) upload(queue.shift());
    }

    function accept(files) {
      Array.prototype.forEach.call(files, function (file) {
        var ui = addRow(file);
        if (file.size > maxBytes) {
          var mb = (file.size / 1024 / 1024).toFixed(1);
          finish(ui, "bad", "“" + file.name + "” is " + mb + " MB; the limit is " + form.dataset.maxMb + " MB.");
          return;
        }
        queue.push({ file: file, ui: ui });
      });
      pump();
    }

    input.addEventListener("change", function () {
      accept(input.files);
      input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.remove("dragging");
      });
    });
    form.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) accept(event.dataTransfer.files);
    });
  }

  // The table below is the server's (filters, paging, the empty state): when a resume is
  // added or changes, this page is fetched again and only the table is swapped in.
  var refreshRows = (function () {
    var timer = null;
    var running = false;
    var again = false;
    function refresh() {
      var current = document.getElementById("candidate-rows");
      if (!current) return;
      if (running) { again = true; return; }
      running = true;
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) return;
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("candidate-rows");
          current = document.getElementById("candidate-rows");
          // A Retry button being used is not pulled from under the recruiter.
          if (fresh && current && !current.contains(document.activeElement)) current.replaceWith(fresh);
        })
        .catch(function () {})
        .then(function () {
          running = false;
          if (again) { again = false; schedule(); }
        });
    }
    function schedule() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 300);
    }
    return schedule;
  })();

  function applyStatus(payload) {
    var id = String(payload.id);
    document.querySelectorAll('[data-resume-id="' + id + '"]').forEach(function (chip) {
      chip.textContent = payload.status_label;
      chip.className = "chip " + payload.chip;
      if (chip.hasAttribute("data-reload-when-done") && (payload.status === "parsed" || payload.status === "failed")) {
        window.location.reload();
      }
    });
    document.querySelectorAll('[data-resume-reason="' + id + '"]').forEach(function (node) {
      node.textContent = payload.status === "failed" ? payload.reason : "";
    });
    if (payload.name) {
      document.querySelectorAll('[data-resume-name="' + id + '"]').forEach(function (node) {
        node.textContent = payload.name;
      });
    }
  }

  function setupLive() {
    if (!document.querySelector("[data-resume-id], #upload-list, #candidate-rows")) return;
    var delay = 1000;
    var opened = false;
    function connect() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + window.location.host + "/ws/live/resumes/");
      socket.onopen = function () {
        // Changes made while the socket was down reach the table on reconnecting.
        if (opened) refreshRows();
        opened = true;
        delay = 1000;
      };
      socket.onmessage = function (message) {
        var data = JSON.parse(message.data);
        if (data.event === "resume.status") {
          applyStatus(data.payload);
          refreshRows();
        }
      };
      socket.onclose = function () {
        window.setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupUploads();
    setupLive();
  });
})();

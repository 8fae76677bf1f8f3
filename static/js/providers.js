// Provider profiles: live connection-test results on the list page, and
// "fetch models" suggestions on the profile form. No dependencies.
(function () {
  "use strict";

  function csrfToken(root) {
    var input = (root || document).querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // --- list page ------------------------------------------------------------

  var STATUS_CHIPS = {
    pass: ["chip chip-ok", "Working"],
    fail: ["chip chip-bad", "Problem"],
    pending: ["chip chip-warn", "Testing…"],
    none: ["chip chip-muted", "Not tested"],
  };

  function setServiceStatus(section, status) {
    var holder = section.querySelector("[data-role=service-status]");
    var chip = STATUS_CHIPS[status] || STATUS_CHIPS.none;
    holder.replaceChildren(el("span", chip[0], chip[1]));
  }

  function checkItem(result) {
    var item = el("li", "check check-" + result.status);
    item.dataset.key = result.key;
    var line = el("span", "check-line");
    var chipClass = result.status === "pass" ? "chip chip-ok" : result.status === "fail" ? "chip chip-bad" : "chip chip-muted";
    line.appendChild(el("span", chipClass, result.status === "skip" ? "skipped" : result.status));
    line.appendChild(document.createTextNode(" "));
    var label = result.check_label || result.label;
    line.appendChild(el("span", "check-label", label.charAt(0).toUpperCase() + label.slice(1)));
    if (result.latency_ms !== null && result.latency_ms !== undefined) {
      line.appendChild(document.createTextNode(" "));
      line.appendChild(el("span", "latency", result.latency_ms + " ms"));
    }
    item.appendChild(line);
    item.appendChild(el("span", "check-message", result.message));
    return item;
  }

  function showResult(card, result) {
    var section = card.querySelector('[data-service="' + result.service + '"]');
    if (!section) return;
    var list = section.querySelector("[data-role=checks]");
    var item = checkItem(result);
    var old = list.querySelector('[data-key="' + result.key + '"]');
    if (old) old.replaceWith(item); else list.appendChild(item);
    var failed = list.querySelector(".check-fail");
    setServiceStatus(section, failed ? "fail" : "pending");
  }

  function startRun(card, text, state) {
    card.dataset.run = "";
    card.dataset.state = state;
    card.querySelectorAll("[data-service]").forEach(function (section) {
      section.querySelector("[data-role=checks]").replaceChildren();
      setServiceStatus(section, "pending");
    });
    card.querySelector("[data-role=state]").textContent = text;
  }

  function finishRun(card, payload) {
    var results = (payload.check && payload.check.results) || [];
    card.querySelectorAll("[data-service]").forEach(function (section) {
      var service = section.dataset.service;
      var mine = results.filter(function (r) { return r.service === service; });
      var list = section.querySelector("[data-role=checks]");
      list.replaceChildren.apply(list, mine.map(checkItem));
      var failed = mine.some(function (r) { return r.status === "fail"; });
      setServiceStatus(section, failed ? "fail" : mine.length ? "pass" : "none");
    });
    card.dataset.state = "done";
    card.querySelector("[data-role=state]").textContent =
      payload.outcome === "passed" ? "Tested just now: every check passed." : "Tested just now: some checks failed.";
    var button = card.querySelector("[data-role=test-form] button");
    if (button) button.disabled = false;
  }

  function handleEvent(message) {
    var payload = message.payload || {};
    var card = document.querySelector('[data-profile="' + payload.profile + '"]');
    if (!card) return;
    card.dataset.events = String(Number(card.dataset.events || 0) + 1);
    if (message.event === "check.started") startRun(card, "Testing…", "running");
    else if (message.event === "check.result") showResult(card, payload.result);
    else if (message.event === "check.finished") finishRun(card, payload);
  }

  function isPending(card) {
    return card.dataset.state === "queued" || card.dataset.state === "running";
  }

  // Events sent before the socket opened (a test queued by saving the form can
  // start while this page loads) are missed: take those cards from a fresh copy
  // of the page, unless a live event has updated them meanwhile.
  function refreshPendingCards(container) {
    var pending = Array.prototype.filter.call(container.querySelectorAll("[data-profile]"), isPending);
    if (!pending.length) return;
    var seen = pending.map(function (card) { return card.dataset.events || "0"; });
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        pending.forEach(function (card, index) {
          if ((card.dataset.events || "0") !== seen[index] || !card.isConnected) return;
          var fresh = page.querySelector('[data-profile="' + card.dataset.profile + '"]');
          if (!fresh) return;
          fresh = document.importNode(fresh, true);
          card.replaceWith(fresh);
          enhanceTestForms(fresh);
        });
      })
      .catch(function () { /* the live events still arrive; a reload shows the rest */ });
  }

  function connectLive(container) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var delay = 1000;
    function open() {
      var socket = new WebSocket(scheme + location.host + container.dataset.liveUrl);
      socket.onopen = function () {
        delay = 1000;
        refreshPendingCards(container);
      };
      socket.onmessage = function (event) { handleEvent(JSON.parse(event.data)); };
      socket.onclose = function (event) {
        if (event.code === 4403) return; // not allowed: retrying will not help
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    open();
  }

  function enhanceTestForms(container) {
    container.querySelectorAll("[data-role=test-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var card = form.closest("[data-profile]");
        var button = form.querySelector("button");
        button.disabled = true;
        startRun(card, "Test queued: waiting for a worker…", "queued");
        fetch(form.action, {
          method: "POST",
          headers: { "X-CSRFToken": csrfToken(form), Accept: "application/json" },
          credentials: "same-origin",
        }).then(function (response) {
          if (!response.ok) throw new Error("status " + response.status);
        }).catch(function () {
          button.disabled = false;
          card.querySelector("[data-role=state]").textContent = "The test could not be started. Reload the page and try again.";
        });
      });
    });
  }

  // --- profile form -----------------------------------------------------------

  function fillDatalist(id, names) {
    var list = document.getElementById(id);
    if (!list) return;
    list.replaceChildren.apply(list, names.map(function (name) {
      var option = document.createElement("option");
      option.value = name;
      return option;
    }));
  }

  function fetchModels(form, service, button) {
    var fieldset = button.closest("fieldset");
    var status = fieldset.querySelector("[data-role=fetch-status]");
    var value = function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      return input ? input.value : "";
    };
    button.disabled = true;
    status.className = "fetch-status";
    status.textContent = "Asking the server…";
    fetch(form.dataset.fetchUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(form), "Content-Type": "application/json", Accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        service: service,
        base_url: value(service + "_base_url"),
        api_key: value(service + "_api_key"),
        profile: form.dataset.keySource || null,
      }),
    }).then(function (response) {
      return response.json();
    }).then(function (found) {
      var models = found.models || [];
      var voices = found.voices || [];
      fillDatalist(service + "_model-options", models);
      if (service === "tts") fillDatalist("tts_voice-options", voices);
      var parts = [];
      if (models.length) parts.push(models.length + " model" + (models.length === 1 ? "" : "s") + ": " + models.slice(0, 6).join(", ") + (models.length > 6 ? "…" : ""));
      if (voices.length) parts.push(voices.length + " voice" + (voices.length === 1 ? "" : "s") + ": " + voices.slice(0, 6).join(", ") + (voices.length > 6 ? "…" : ""));
      var text = parts.length ? parts.join("; ") + ". Pick one from the field's suggestions." : "";
      var errors = found.errors || [];
      status.className = "fetch-status" + (errors.length ? " error" : " ok");
      status.textContent = [text].concat(errors).join(" ").trim();
    }).catch(function () {
      status.className = "fetch-status error";
      status.textContent = "The request failed. Check your connection and try again.";
    }).finally(function () {
      button.disabled = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("providers");
    if (container) {
      connectLive(container);
      enhanceTestForms(container);
    }
    var form = document.querySelector("form[data-fetch-url]");
    if (form) {
      // A field's error is about what was typed before: editing the field removes it.
      var clearError = function (event) {
        var field = event.target.closest(".field.has-error");
        if (!field) return;
        field.classList.remove("has-error");
        field.querySelectorAll(".error").forEach(function (error) { error.remove(); });
      };
      form.addEventListener("input", clearError);
      form.addEventListener("change", clearError);
      form.querySelectorAll("[data-fetch-service]").forEach(function (button) {
        button.addEventListener("click", function () {
          fetchModels(form, button.dataset.fetchService, button);
        });
      });
    }
  });
})();

// Sparring's only script besides htmx: reconnect pacing, connection notice, countdowns, drafts.
(function () {
  "use strict";

  // Reconnect fast: a phone that slept should be back in the room within seconds, not a minute.
  document.addEventListener("DOMContentLoaded", function () {
    htmx.config.wsReconnectDelay = function (retry) {
      return Math.min(4000, 300 * Math.pow(2, retry)) * (0.5 + Math.random() / 2);
    };
  });

  function showConn(offline) {
    var el = document.getElementById("conn");
    if (el) el.hidden = !offline;
    document.body.classList.toggle("offline", offline);
  }
  document.addEventListener("htmx:wsOpen", function () { showConn(false); });
  document.addEventListener("htmx:wsClose", function () { showConn(true); });

  // Countdowns start from the seconds the server rendered, so phone clocks need not be right.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-seconds]").forEach(function (el) {
      if (!el.dataset.until) el.dataset.until = String(now + Number(el.dataset.seconds) * 1000);
      var left = Math.max(0, Math.round((Number(el.dataset.until) - now) / 1000));
      var value = el.querySelector(".timer-value");
      if (left === 0) {
        el.classList.add("timer-done");
        el.textContent = "Tiden er gået";
      } else if (value) {
        value.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      }
    });
  }
  setInterval(tick, 1000);

  // Drafts survive a re-render or a lost connection: kept per field until the server holds the same text.
  var PREFIX = "sparring-draft:";
  document.addEventListener("input", function (e) {
    var el = e.target;
    if (el.dataset && el.dataset.draft) sessionStorage.setItem(PREFIX + el.dataset.draft, el.value);
  });
  function restoreDrafts() {
    document.querySelectorAll("textarea[data-draft]").forEach(function (el) {
      var key = PREFIX + el.dataset.draft;
      var draft = sessionStorage.getItem(key);
      if (draft === null) return;
      if (draft === el.defaultValue) {
        sessionStorage.removeItem(key);
        el.classList.remove("unsaved");
      } else if (el.value !== draft) {
        el.value = draft;
        el.classList.add("unsaved");
      }
    });
  }
  document.addEventListener("htmx:wsAfterMessage", restoreDrafts);
  document.addEventListener("DOMContentLoaded", restoreDrafts);
})();

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

  // Every message carries an id and is kept until the server answers that id (data-msg on the
  // flash). After a reconnect the unanswered ones are sent again with the same id: the server
  // stores each id once, so a resend never counts twice.
  var socket = null;
  var unanswered = {};
  function newId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);  // works on plain http too, unlike randomUUID
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }
  document.addEventListener("htmx:wsConfigSend", function (e) {
    var id = newId();
    e.detail.parameters.id = id;
    var body = Object.assign({}, e.detail.parameters);
    unanswered[id] = JSON.stringify(body);
    e.detail.messageBody = unanswered[id];
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    var flash = document.querySelector("[data-msg]");
    if (flash) delete unanswered[flash.dataset.msg];
  });
  document.addEventListener("htmx:wsOpen", function (e) {
    showConn(false);
    socket = e.detail.socketWrapper;
    socket.queue.length = 0;  // htmx's own queue holds the same messages: send each once
    Object.keys(unanswered).forEach(function (id) { socket.send(unanswered[id]); });
  });
  document.addEventListener("htmx:wsClose", function (e) {
    // The server ended a staff page's login (logout elsewhere, idle: 4401) or the owner stopped
    // sharing the session (4403): reloading shows the login page or the refusal.
    var code = e.detail.event && e.detail.event.code;
    if (code === 4401 || code === 4403) { window.location.reload(); return; }
    showConn(true);
    socket = e.detail.socketWrapper;
  });
  // A phone coming back from the lock screen reconnects at once instead of waiting for the backoff
  // (and even when the browser closed the socket with a code htmx would not retry).
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !socket || !document.body.classList.contains("offline")) return;
    socket.reconnect();
  });
  // A phone that loses its network keeps a socket that looks open, and what it sends is lost. Drop
  // the socket at once instead: the page says so, and messages wait until it is back.
  window.addEventListener("offline", function () {
    if (socket) socket.reconnect();
  });

  // CSRF: every state-changing request carries the page's token (the server compares it with its
  // HttpOnly cookie): htmx requests in a header, plain forms in a hidden field.
  function csrfToken() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }
  document.addEventListener("htmx:configRequest", function (e) {
    e.detail.headers["X-CSRF-Token"] = csrfToken();
  });
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.elements.csrf_token) return;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "csrf_token";
    input.value = csrfToken();
    form.appendChild(input);
  }, true);

  // Bar widths from data-pct: set through the CSSOM, which the CSP allows (style attributes it does not).
  function bars() {
    document.querySelectorAll("[data-pct]").forEach(function (el) { el.style.width = el.dataset.pct + "%"; });
  }
  document.addEventListener("htmx:wsAfterMessage", bars);
  document.addEventListener("DOMContentLoaded", bars);

  // Countdowns start from the seconds the server rendered, so phone clocks need not be right.
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-seconds]").forEach(function (el) {
      if (!el.dataset.until) el.dataset.until = String(now + Number(el.dataset.seconds) * 1000);
      var left = Math.max(0, Math.round((Number(el.dataset.until) - now) / 1000));
      var value = el.querySelector(".timer-value");
      if (left === 0) {
        el.classList.add("timer-done");
        el.textContent = el.dataset.done;  // the page's own language
      } else if (value) {
        value.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      }
    });
  }
  setInterval(tick, 1000);

  // The projector never scrolls: when a long case or many answers overflow the stage, its type shrinks
  // step by step down to the floor the stylesheet sets per phase (--fit-min, px; case text keeps 32).
  // If the case still does not fit, the stage turns compact: the case's body (shown in full while it
  // was presented, and on every phone) gives way to the question and the options; while it is being
  // presented, the step's instruction (on every phone too) gives way instead.
  function shrink(stage) {
    stage.style.fontSize = "";
    var style = getComputedStyle(stage);
    var size = parseFloat(style.fontSize);
    var floor = parseFloat(style.getPropertyValue("--fit-min")) || size;
    while (stage.scrollHeight > stage.clientHeight && size > floor) {
      size = Math.max(floor, size - 1);
      stage.style.fontSize = size + "px";
    }
    return stage.scrollHeight <= stage.clientHeight;
  }
  function fitStage() {
    var stage = document.querySelector(".projector #proj-stage");
    if (!stage) return;
    stage.classList.remove("compact");
    var canCompact = stage.querySelector(".compact-note") || stage.dataset.phase === "present";
    if (!shrink(stage) && canCompact) {
      stage.classList.add("compact");
      shrink(stage);
    }
  }
  document.addEventListener("htmx:wsAfterMessage", fitStage);
  document.addEventListener("htmx:afterSettle", fitStage);  // classes come back after the swap
  document.addEventListener("DOMContentLoaded", fitStage);
  window.addEventListener("resize", fitStage);

  // When a vote opens, the phone scrolls its options down to the send button pinned at the bottom
  // edge, where a thumb reaches them (the case text stays open above). Only on the change of phase:
  // acks and other people's pushes never move the page.
  // Every other new phase is shown from its top: its name and timer, not the old scroll position.
  var shownPhase = null;
  function bringVoteToThumb() {
    var stage = document.getElementById("phone-stage");
    if (!stage || stage.dataset.phase === shownPhase) return;
    var first = shownPhase === null;  // the page's first view keeps where the browser put it
    shownPhase = stage.dataset.phase;
    var options = stage.querySelector("#vote-form fieldset");
    var send = stage.querySelector("#vote-form .vote-send");
    if (!options || !send) {
      if (!first) window.scrollTo(0, 0);
      return;
    }
    var box = options.getBoundingClientRect();
    var room = window.innerHeight - send.offsetHeight - 8;
    var by = Math.min(box.bottom - room, box.top - 8);  // never past the question itself
    window.scrollTo(0, Math.max(0, window.scrollY + by));
  }
  document.addEventListener("htmx:wsAfterMessage", bringVoteToThumb);

  // Drafts survive a re-render, a lost connection or a server restart: kept per form (its textarea's
  // data-draft key) until the server holds the same text and choice. A draft remembers the version it
  // was written on, so saving it over a newer group answer is refused by the server (and merged by the
  // person) instead of silently replacing the other's words.
  var PREFIX = "sparring-draft:";
  function draftArea(form) {
    return form ? form.querySelector("textarea[data-draft]") : null;
  }
  function field(form, name) {
    return form ? form.querySelector("[name=" + name + "]") : null;
  }
  function checkedOption(form, useDefault) {
    var radios = form.querySelectorAll("input[type=radio][name=option]");
    for (var i = 0; i < radios.length; i++) {
      if (useDefault ? radios[i].defaultChecked : radios[i].checked) return radios[i].value;
    }
    return null;
  }
  // `merging`: the text was refused over a newer save and is being merged (kept until the draft
  // is done with: taken, saved or replaced by the saved one).
  function keepDraft(area, merging) {
    var key = PREFIX + area.dataset.draft;
    var before = JSON.parse(sessionStorage.getItem(key) || "null");
    var base = field(area.form, "base_version");
    sessionStorage.setItem(key, JSON.stringify({
      text: area.value, option: checkedOption(area.form, false), base: base ? base.value : null,
      merging: merging || (before !== null && before.merging === true)
    }));
  }
  function saveDraft(e) {
    var area = draftArea(e.target.form);
    if (area) keepDraft(area);
  }
  document.addEventListener("input", saveDraft);
  document.addEventListener("change", saveDraft);
  function restoreDrafts() {
    document.querySelectorAll("textarea[data-draft]").forEach(function (el) {
      var key = PREFIX + el.dataset.draft;
      var draft = JSON.parse(sessionStorage.getItem(key) || "null");
      if (draft === null) return;
      var radio = draft.option ? el.form.querySelector("input[type=radio][value='" + draft.option + "']") : null;
      var sameOption = !radio || draft.option === checkedOption(el.form, true);
      // The server keeps a text without its surrounding blanks: such a draft is what it holds.
      if (draft.text.trim() === el.defaultValue.trim() && sameOption) {
        sessionStorage.removeItem(key);
        el.classList.remove("unsaved");
        return;
      }
      el.value = draft.text;
      if (radio) radio.checked = true;
      el.classList.add("unsaved");
      var base = field(el.form, "base_version");
      if (base && draft.base !== null) base.value = draft.base;
      if (draft.merging) askMerging(el.form);
    });
  }
  // A page drawn anew mid-merge (the phone locked, the tab reloaded) asks once per connection for
  // the group's saved answer beside the draft again: the server answers as it answered the
  // refusal (answer_base.html), and nothing is written.
  var askedMerging = false;
  document.addEventListener("htmx:wsOpen", function () { askedMerging = false; });
  function askMerging(form) {
    if (askedMerging || !socket || form.id !== "answer-form" || form.querySelector(".conflict")) return;
    askedMerging = true;
    socket.send(JSON.stringify({ action: "merging", case: field(form, "case").value, id: newId() }));
  }
  document.addEventListener("htmx:wsAfterMessage", restoreDrafts);
  document.addEventListener("DOMContentLoaded", restoreDrafts);

  // A dilemma sent is done with: its draft must not come back into the emptied form.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.requestConfig && e.detail.requestConfig.elt;  // detail.elt: its parent once swapped out
    if (!form || form.id !== "dilemma-form" || !document.querySelector("#phone-dilemma[data-sent]")) return;
    sessionStorage.removeItem(PREFIX + draftArea(form).dataset.draft);
  });
  // The form holds what it shows, as if the server had rendered it (the saved version taken): a
  // push no longer counts it as an edit, and its draft is done with.
  function settle(form) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "radio" || el.type === "checkbox") el.defaultChecked = el.checked;
      else if (el.tagName === "SELECT") Array.prototype.forEach.call(el.options, function (o) { o.defaultSelected = o.selected; });
      else if (el.tagName === "TEXTAREA") el.defaultValue = el.value;
    });
    var area = draftArea(form);
    sessionStorage.removeItem(PREFIX + area.dataset.draft);
    area.classList.remove("unsaved");
  }
  // The text's label and the save button say whose text it is: theirs beside a newer saved answer,
  // or (none given) the group's again.
  function naming(form, text, save) {
    var el = form.querySelector("label[for='" + draftArea(form).id + "']");
    if (!el.dataset.label) el.dataset.label = el.textContent;
    el.textContent = text || el.dataset.label;
    var button = form.querySelector("button[type=submit][data-label]");
    if (button) button.textContent = save || button.dataset.label;
  }
  // A refused group-answer save is answered with the form's base moved to the newer saved answer,
  // shown beside the person's own text (answer_base.html): the form is not replaced, their words
  // and choices stay where they are. What they left unset (an option, the duty) is taken from
  // the saved version, so saving the merge does not wipe the others' choice. Their text stays a
  // draft, now based on the version they were shown: a phone that locks or reloads mid-merge
  // gets it back, and the newest saved version beside it again (askMerging).
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    var box = e.target.id === "answer-base" ? e.target.querySelector(".conflict") : null;
    if (!box) return;
    var form = box.closest("form");
    var saved = box.querySelector(".conflict-saved");
    if (checkedOption(form, false) === null) {
      form.querySelectorAll("input[type=radio][name=option]").forEach(function (radio) {
        radio.checked = radio.value === saved.dataset.takeOption;
      });
    }
    var duty = field(form, "duty");
    if (duty && !duty.value) duty.value = saved.dataset.takeDuty;
    keepDraft(draftArea(form), true);
    var done = form.querySelector(".saved");  // "saved (version n)": not what the form holds now
    if (done) done.remove();
    naming(form, box.dataset.text, box.dataset.save);
  });
  // One tap takes the saved one into the form (as if just loaded); the form's own button keeps theirs.
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest(".take-saved") : null;
    if (!button) return;
    var saved = button.closest(".conflict-saved");
    var form = button.closest("form");
    draftArea(form).value = saved.dataset.takeText;
    form.querySelectorAll("input[type=radio][name=option]").forEach(function (radio) {
      radio.checked = radio.value === saved.dataset.takeOption;
    });
    var duty = field(form, "duty");
    if (duty) duty.value = saved.dataset.takeDuty;
    settle(form);
    naming(form);  // no longer "your text (not saved)", "save mine instead"
    button.closest(".conflict").remove();
  });

  // A form someone is editing is not replaced by a push from the others; its own ack always lands.
  function dirty(form) {
    return Array.prototype.some.call(form.elements, function (el) {
      if (el.type === "radio" || el.type === "checkbox") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {
        var first = Array.prototype.findIndex.call(el.options, function (o) { return o.defaultSelected; });
        return el.selectedIndex !== Math.max(first, 0);
      }
      return el.tagName === "TEXTAREA" && el.value !== el.defaultValue;
    });
  }
  // A push that replaces a whole panel (the group's case) carries forms a person may be typing in:
  // their edits are put back into the form of the same id once the panel is swapped.
  var typing = [];
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var target = e.detail.target;
    typing = [];
    if (!target.querySelectorAll || target.matches("form, [data-sticky]")) return;
    target.querySelectorAll("form[data-keep-edits][id]").forEach(function (form) {
      if (!dirty(form)) return;
      typing.push({id: form.id, values: Array.prototype.map.call(form.elements, function (el) {
        return {name: el.name, value: el.value, checked: el.checked, type: el.type};
      })});
    });
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    typing.splice(0).forEach(function (kept) {
      var form = document.getElementById(kept.id);
      if (!form) return;
      kept.values.forEach(function (v) {
        if (!v.name || v.type === "hidden" || v.type === "submit") return;
        form.querySelectorAll("[name='" + v.name + "']").forEach(function (el) {
          if (el.type === "radio") { if (el.value === v.value) el.checked = v.checked; }
          else if (el.type === "checkbox") el.checked = v.checked;
          else el.value = v.value;
        });
      });
    });
  });
  // A sticky fragment (the own-dilemma form) is replaced by a push only when the push is final.
  // So is a form showing a refused save beside the newer one, even if the person's text is what it
  // was based on: a group saving at once sends the winner's answer right after the refusal, and
  // the group's answer beside the form shows what is new.
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var target = e.detail.target;
    if (!target.matches || !target.matches("form[data-keep-edits], [data-sticky]")) return;
    var incoming = e.detail.fragment.firstElementChild;
    if (incoming && incoming.hasAttribute("data-ack")) return;
    var merging = target.querySelector(".conflict") !== null;
    if (target.hasAttribute("data-sticky") || merging || dirty(target)) e.detail.shouldSwap = false;
  });
})();

// New-session form: the picked cases in a list, in the order they will run, moved with ↑ and ↓.
// Without this script the ticked boxes are sent in library order.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var list = document.getElementById("picked-list");
  if (!list) return;
  var boxes = Array.prototype.slice.call(list.closest("form").querySelectorAll("input[type=checkbox][name=cases]"));
  function button(label, text, move) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", move);
    return b;
  }
  function add(box) {
    var li = document.createElement("li");
    li.dataset.slug = box.value;
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "cases";
    input.value = box.value;
    var title = document.createElement("span");
    title.textContent = box.dataset.title;
    li.append(input, title,
      button(list.dataset.up, "↑", function () { if (li.previousElementSibling) list.insertBefore(li, li.previousElementSibling); }),
      button(list.dataset.down, "↓", function () { if (li.nextElementSibling) list.insertBefore(li.nextElementSibling, li); }));
    list.appendChild(li);
  }
  function remove(box) {
    list.querySelectorAll("li").forEach(function (li) { if (li.dataset.slug === box.value) li.remove(); });
  }
  boxes.forEach(function (box) {
    box.removeAttribute("name");  // the list's hidden inputs carry the order instead
    box.addEventListener("change", function () { if (box.checked) add(box); else remove(box); });
  });
  boxes.filter(function (box) { return box.checked; })
    .sort(function (a, b) { return Number(a.dataset.order || 1e9) - Number(b.dataset.order || 1e9); })
    .forEach(add);
});

/* The survey, enhanced: short pages, answers kept on this device as the pupil goes, read
   aloud with the browser's own speech, and a submission that survives a dropped connection.
   Without this script the same form works as one long page posted normally. */
(function () {
  "use strict";
  var form = document.getElementById("survey");
  if (!form || !window.JSON) { return; }

  var storeKey = "learnsurvey:survey:" + form.dataset.code;
  var pages = Array.prototype.slice.call(form.querySelectorAll(".survey-page"));
  var submitArea = form.querySelector(".submit-area");
  var status = form.querySelector(".send-status");
  var button = submitArea.querySelector("button[type=submit]");
  var state = load();
  var sent = false;
  // A page restored from the back-forward cache after its answers were sent starts afresh.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && sent) { window.location.reload(); }
  });

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storeKey) || "{}");
      return saved && typeof saved === "object" ? saved : {};
    } catch (e) { return {}; }
  }
  function save() {
    try { window.localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode: carry on */ }
  }

  // One key per survey attempt, kept until the server acknowledges it, so a retry is a no-op.
  state.answers = state.answers || {};
  if (!state.key) {
    state.key = (window.crypto && window.crypto.randomUUID) ? window.crypto.randomUUID() : form.elements.key.value;
  }
  form.elements.key.value = state.key;

  Object.keys(state.answers).forEach(function (item) {
    var radio = form.querySelector('input[type=radio][name="' + item + '"][value="' + state.answers[item] + '"]');
    if (radio) { radio.checked = true; }
  });
  save();

  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio" && input.closest(".question")) {
      state.answers[input.name] = parseInt(input.value, 10);
      save();
    }
  });

  function show(number, moveFocus) {
    number = Math.min(Math.max(1, number || 1), pages.length);
    pages.forEach(function (page) { page.hidden = Number(page.dataset.page) !== number; });
    submitArea.hidden = number !== pages.length;
    state.page = number;
    save();
    if (moveFocus) {
      var title = pages[number - 1].querySelector(".page-title");
      title.focus();
      title.scrollIntoView({ block: "start" });
    }
  }
  form.querySelectorAll(".page-nav").forEach(function (nav) { nav.hidden = false; });
  form.addEventListener("click", function (event) {
    var go = event.target.closest("[data-go]");
    if (go) { show(Number(go.dataset.go), true); }
  });
  show(state.page || 1, false);

  // Read aloud with the browser's own voice: nothing leaves the device. Offered only once
  // the browser has a voice (many school PCs have none), and it reads the five answers too,
  // for a child who cannot read them.
  if ("speechSynthesis" in window && "SpeechSynthesisUtterance" in window) {
    var offerReading = function () {
      var voiced = window.speechSynthesis.getVoices().length > 0;
      form.querySelectorAll(".read-aloud").forEach(function (b) { b.hidden = !voiced; });
    };
    offerReading();
    window.speechSynthesis.addEventListener("voiceschanged", offerReading);
    form.addEventListener("click", function (event) {
      var b = event.target.closest(".read-aloud");
      if (!b) { return; }
      var statement = document.getElementById(b.dataset.read).textContent.trim();
      var choices = Array.prototype.map.call(
        b.closest(".question").querySelectorAll(".choice-label"),
        function (label) { return label.textContent.trim(); }
      );
      var text = statement + ". " + choices.join(", ") + ".";
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = document.documentElement.lang;
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(utterance);
    });
  }

  function collect() {
    var answers = {};
    var any = false;
    form.querySelectorAll(".question").forEach(function (q) {
      var checked = q.querySelector("input[type=radio]:checked");
      answers[q.dataset.item] = checked ? parseInt(checked.value, 10) : null;
      any = any || !!checked;
    });
    return any ? answers : null;
  }

  function say(message) { status.textContent = message; }

  function send(body, attempt) {
    fetch(form.dataset.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit"
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        // Nothing of these answers may come back for the next person on a shared device:
        // the stored copy goes, the form is cleared, and the survey leaves the history, so
        // Back cannot show it (the page is not cached either: Cache-Control no-store).
        sent = true;
        try { window.localStorage.removeItem(storeKey); } catch (e) { /* nothing to clear */ }
        form.reset();
        window.location.replace(form.dataset.thanks);
      } else if (response.status === 429 || response.status >= 500) {
        var wait = parseInt(response.headers.get("Retry-After") || "0", 10) * 1000;
        retry(body, attempt, wait);
      } else {
        button.disabled = false;
        say(response.status === 404 ? form.dataset.msgClosed : form.dataset.msgInvalid);
      }
    }, function () { retry(body, attempt, 0); });
  }

  function retry(body, attempt, wait) {
    say(form.dataset.msgRetrying);
    var backoff = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.75 + Math.random() / 2);
    window.setTimeout(function () { send(body, attempt + 1); }, Math.max(wait, backoff));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var answers = collect();
    if (!answers) { say(form.dataset.msgEmpty); return; }
    var body = { key: state.key, language: form.dataset.lang, answers: answers };
    if (form.elements.role) {
      body.role = form.elements.role.value;  // a staff survey: a role, no year group or gender
    } else {
      var year = form.elements.year.value;
      body.year_group = year === "" ? null : parseInt(year, 10);
      body.gender = form.elements.gender.value;
    }
    button.disabled = true;
    say(form.dataset.msgSending);
    send(body, 0);
  });
})();

/* A report run in progress: poll its page every 3 seconds and swap in the new status until
   the run has finished (a file: the Content Security Policy runs no inline script). */
(function () {
  "use strict";
  var box = document.getElementById("run-status");
  if (!box) { return; }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("run-status");
        if (!fresh) { return; }
        if (fresh.innerHTML !== box.innerHTML) { box.innerHTML = fresh.innerHTML; }
        if (fresh.getAttribute("data-in-progress") === "true") { setTimeout(poll, 3000); }
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 3000);
})();

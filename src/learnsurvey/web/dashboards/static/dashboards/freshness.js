/* The figures on this page are being recomputed by the worker: ask every 5 seconds whether
   they are ready, and then show the page again with them (a file: the Content Security
   Policy runs no inline script). */
(function () {
  "use strict";
  var notice = document.getElementById("figures-updating");
  if (!notice) { return; }
  var url = notice.getAttribute("data-status-url");
  var shown = notice.getAttribute("data-computed");
  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (status) {
        if (status && !status.updating) {
          if ((status.computed || "") !== shown) { window.location.reload(); return; }
          notice.hidden = true;
          return;
        }
        setTimeout(poll, 5000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 5000);
})();

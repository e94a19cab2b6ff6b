/* A report's web page is being prepared by the worker: ask every 4 seconds whether it is
   ready, and then show it (a file: the Content Security Policy runs no inline script). */
(function () {
  "use strict";
  if (!document.getElementById("report-preparing")) { return; }
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        if (text.indexOf('id="report-preparing"') === -1) { window.location.reload(); return; }
        setTimeout(poll, 4000);
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 4000);
})();

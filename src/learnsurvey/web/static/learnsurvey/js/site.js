/* Every page: a form sent back with errors moves the focus to its error summary (the GOV.UK
   pattern), so a screen reader announces what is wrong first. A file, not an inline script:
   the Content Security Policy runs no inline script. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) { return; }
  if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
  summary.focus();
})();

// After a form comes back with errors, focus moves to its error summary
// (templates/includes/form_errors.html), so a keyboard or screen-reader user lands on the list
// of what to fix instead of on <body>. Only after a submit: a form checked while the user types
// (live-check.js, the intake) keeps the focus where it is.
(function () {
  "use strict";

  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary && summary.isConnected) {
      summary.focus();
      return true;
    }
    return false;
  }

  // A page rendered with errors (a plain POST, no script on the way in).
  document.addEventListener("DOMContentLoaded", function () {
    focusSummary(document);
  });

  // The section an htmx submit came from: its content is swapped, so the form is gone later.
  var pending = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (!trigger || trigger.type !== "submit") {
      pending = null;
      return;
    }
    var holder = event.detail.elt.closest("[id]");
    pending = { id: holder ? holder.id : null };
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!pending) {
      return;
    }
    var root = pending.id ? document.getElementById(pending.id) : null;
    pending = null;
    if (!focusSummary(root)) {
      focusSummary(document);
    }
  });
})();

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

  function bySubmit(event) {
    var config = event.detail && event.detail.requestConfig;
    var trigger = config && config.triggeringEvent;
    return Boolean(trigger && trigger.type === "submit");
  }

  // The section an htmx submit came from: its content is swapped, so the form is gone later.
  // Other requests (the unread badge's refresh, a lazy part of the page) may start and settle
  // in between: they neither clear nor take this.
  var pending = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!bySubmit(event)) {
      return;
    }
    var holder = event.detail.elt.closest("[id]");
    pending = { id: holder ? holder.id : null };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!pending || !bySubmit(event)) {
      return;
    }
    var root = pending.id ? document.getElementById(pending.id) : null;
    pending = null;
    if (!focusSummary(root)) {
      focusSummary(document);
    }
  });
})();

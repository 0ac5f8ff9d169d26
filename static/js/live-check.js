// Forms marked data-live-check post themselves on change and swap in the checked version
// (server-side validation as you type). A response to values the user has changed since
// would undo their typing: drop it and check the current values instead.
(function () {
  "use strict";

  function values(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (form.tagName === "FORM" && form.hasAttribute("data-live-check")) {
      form.dataset.checkedValues = values(form);
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!form || form.tagName !== "FORM" || !form.hasAttribute("data-live-check")) {
      return;
    }
    if (form.isConnected && form.dataset.checkedValues !== values(form)) {
      event.detail.shouldSwap = false;
      window.htmx.trigger(form, "change");
    }
  });
})();

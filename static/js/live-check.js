// Forms marked data-live-check post themselves on change and swap in the checked version
// (server-side validation as you type). A response to values the user has changed since
// would undo their typing: drop it and check the current values instead.
(function () {
  "use strict";

  // The values each swapped-in form was checked with, by form id, until it has settled.
  var swappedIn = {};

  function values(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function isLiveCheck(form) {
    return !!form && form.tagName === "FORM" && form.hasAttribute("data-live-check");
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (isLiveCheck(form)) {
      form.dataset.checkedValues = values(form);
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!isLiveCheck(form)) {
      return;
    }
    if (form.isConnected && form.dataset.checkedValues !== values(form)) {
      event.detail.shouldSwap = false;
      window.htmx.trigger(form, "change");
    } else if (form.id) {
      swappedIn[form.id] = form.dataset.checkedValues;
    }
  });

  // htmx listens on the new form only when it settles (20 ms after the swap, later on a busy
  // page): a change made in between reaches no listener. Check again if the values moved.
  document.addEventListener("htmx:afterSettle", function (event) {
    var form = event.target;
    if (!isLiveCheck(form) || !(form.id in swappedIn)) {
      return;
    }
    var checked = swappedIn[form.id];
    delete swappedIn[form.id];
    if (values(form) !== checked) {
      window.htmx.trigger(form, "change");
    }
  });
})();

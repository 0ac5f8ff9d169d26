// Browser tests only (tests/e2e/conftest.py): a timeline of htmx requests and swaps and of
// change events, printed with a failed test, so a flaky browser test says what happened.
(function () {
  "use strict";
  var start = performance.now();

  function note(text) {
    console.debug("[trace] " + Math.round(performance.now() - start) + "ms " + text);
  }

  function describe(elt) {
    if (!elt || !elt.tagName) {
      return String(elt);
    }
    return elt.tagName.toLowerCase() + (elt.id ? "#" + elt.id : "") + (elt.isConnected ? "" : " (detached)");
  }

  function values(params) {
    var shown = [];
    (params || new FormData()).forEach(function (value, key) {
      if (key !== "csrfmiddlewaretoken" && value !== "") {
        shown.push(key + "=" + String(value).slice(0, 40));
      }
    });
    return shown.join("&");
  }

  document.addEventListener("change", function (event) {
    note("change on " + describe(event.target));
  }, true);
  window.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    note("request " + detail.verb + " " + detail.path + " from " + describe(detail.elt) + ": " + values(detail.parameters));
  });
  // On window (bubbling): after the app's own listeners on document have decided.
  window.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    note("answer " + detail.xhr.status + " for " + describe(detail.requestConfig && detail.requestConfig.elt) + ", swapped: " + detail.shouldSwap);
  });
  ["htmx:sendAbort", "htmx:sendError", "htmx:responseError", "htmx:swapError", "htmx:timeout", "htmx:onLoadError"].forEach(function (name) {
    window.addEventListener(name, function (event) {
      note(name + " on " + describe(event.detail && event.detail.elt));
    });
  });
})();

// When more of a list arrives below what was shown (the journal's older entries, loaded by
// htmx), the link that asked for it is gone: focus moves to the first new item, so a
// keyboard or screen-reader user goes on reading there instead of starting at <body>.
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function () {
    var item = document.querySelector("[data-focus-on-arrival]");
    if (item) {
      item.removeAttribute("data-focus-on-arrival");
      item.focus();
    }
  });
})();

// The main menu's "Menu" button (templates/base.html): shown only with script (the CSS folds
// the menu below 48em only while the button is visible), it opens and closes the menu.
(function () {
  "use strict";

  document.querySelectorAll("[data-menu-toggle]").forEach(function (button) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
    });
  });

  // Escape closes an open menu and puts focus back on its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll('[data-menu-toggle][aria-expanded="true"]').forEach(function (button) {
      var menu = document.getElementById(button.getAttribute("aria-controls"));
      if (menu && menu.contains(document.activeElement)) {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  });
})();

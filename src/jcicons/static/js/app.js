// Small behaviours shared by every page. Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";

  // Ask before a destructive action: <form data-confirm="Deactivate juan?">
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Show or hide a password: <button data-toggle-password="field-id">
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-toggle-password]");
    if (button) {
      var input = document.getElementById(button.getAttribute("data-toggle-password"));
      if (!input) return;
      var showing = input.type === "text";
      input.type = showing ? "password" : "text";
      button.setAttribute("aria-pressed", String(!showing));
      button.setAttribute("aria-label", showing ? "Show password" : "Hide password");
      var icon = button.querySelector("i");
      if (icon) icon.className = showing ? "bi bi-eye" : "bi bi-eye-slash";
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();

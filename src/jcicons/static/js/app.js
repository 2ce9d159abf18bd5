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

  // Send a form once: when a POST form goes, its submit buttons are disabled, so a
  // double click or an impatient second click sends nothing more. A form that
  // stays on the page after sending (a download) opts out: <form data-resubmit>.
  // The buttons are disabled just after this event, not during it: the browser
  // collects the clicked button's name and value after the event, and leaves
  // disabled buttons out.
  function isPostForm(form) {
    return form instanceof HTMLFormElement &&
      (form.getAttribute("method") || "get").toLowerCase() === "post";
  }

  function submitButtons(form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "submit" || element.type === "image";
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !isPostForm(form) || form.hasAttribute("data-resubmit")) return;
    if (form.hasAttribute("data-submitted")) {
      event.preventDefault(); // sent already: a second Enter or script does nothing
      return;
    }
    form.setAttribute("data-submitted", "");
    window.setTimeout(function () {
      submitButtons(form).forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  });

  // Coming back with the browser's Back button shows the page as it was left:
  // make its forms usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitted]"), function (form) {
      form.removeAttribute("data-submitted");
      submitButtons(form).forEach(function (button) {
        button.disabled = false;
      });
    });
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

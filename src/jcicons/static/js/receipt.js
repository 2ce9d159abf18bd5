// The receipt page: a Print button, and a fresh sale clears the counter's cart.
// A button with data-print-url first tells the server it is printing (which
// records the print and answers with the copy number), marks a reprint on the
// page, and only then opens the print dialog. Showing or reloading the page
// records nothing.
(function () {
  "use strict";

  var page = document.querySelector("[data-receipt]");
  if (!page) return;
  if (page.getAttribute("data-clear-cart") === "yes") {
    window.sessionStorage.removeItem("jcicons.pos.cart");
  }

  var message = document.querySelector("[data-print-message]");

  function say(text) {
    if (message) message.textContent = text;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function markCopy(copy) {
    if (!(copy > 1)) return;
    var mark = document.querySelector("[data-reprint-mark]");
    if (!mark) {
      var doc = document.querySelector("main");
      if (!doc) return;
      mark = document.createElement("p");
      mark.className = "receipt-mark";
      mark.setAttribute("data-testid", "receipt-reprint");
      mark.setAttribute("data-reprint-mark", "");
      doc.insertBefore(mark, doc.firstChild);
    }
    mark.textContent = "REPRINT (copy " + copy + ")";
  }

  function recordThenPrint(button) {
    button.disabled = true;
    say("");
    fetch(button.getAttribute("data-print-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken()
      },
      body: JSON.stringify({ paper: button.getAttribute("data-paper") || "" })
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        markCopy(body.copy);
        window.print();
      })
      .catch(function () {
        say("The print could not be recorded, so it did not start: check the " +
          "connection, reload the page and press Print again.");
      })
      .then(function () { button.disabled = false; });
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (button.getAttribute("data-print-url")) {
        recordThenPrint(button);
      } else {
        window.print();
      }
    });
  });
})();

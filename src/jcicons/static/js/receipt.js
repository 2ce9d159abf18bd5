// The receipt page: a Print button, and a fresh sale clears the counter's cart.
(function () {
  "use strict";

  var page = document.querySelector("[data-receipt]");
  if (!page) return;
  if (page.getAttribute("data-clear-cart") === "yes") {
    window.sessionStorage.removeItem("jcicons.pos.cart");
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

// The receiving form: add and remove product lines, show the picked product's name,
// and for serialized products count the serial numbers into the quantity. Without
// this script the page still works with its fixed number of empty lines.
(function () {
  "use strict";

  var table = document.querySelector("[data-receiving-lines]");
  if (!table) return;
  var body = table.querySelector("tbody");
  var addButton = document.querySelector("[data-add-line]");

  function rows() {
    return Array.prototype.slice.call(body.querySelectorAll("[data-receiving-line]"));
  }

  // Give every line the names WTForms expects: lines-0-..., lines-1-..., in order.
  function renumber() {
    rows().forEach(function (row, index) {
      row.querySelectorAll("[name], [id], [for], [aria-label]").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attribute) {
          var value = el.getAttribute(attribute);
          if (value) el.setAttribute(attribute, value.replace(/^lines-\d+-/, "lines-" + index + "-"));
        });
        var label = el.getAttribute("aria-label");
        if (label) el.setAttribute("aria-label", label.replace(/\d+$/, String(index + 1)));
      });
    });
  }

  function clear(row) {
    row.querySelectorAll("input, textarea").forEach(function (field) {
      field.value = "";
      field.classList.remove("is-invalid");
      field.removeAttribute("data-auto");
    });
    row.querySelectorAll(".invalid-feedback, .dropdown-menu").forEach(function (el) { el.remove(); });
    row.querySelector("[data-product-name]").textContent = "";
    row.querySelector("[data-serials]").classList.remove("d-none");
  }

  function addLine() {
    var last = rows()[rows().length - 1];
    var row = last.cloneNode(true);
    clear(row);
    body.appendChild(row);
    renumber();
    row.querySelector("[data-product-search]").focus();
  }

  function removeLine(row) {
    if (rows().length > 1) {
      row.remove();
      renumber();
    } else {
      clear(row);
    }
  }

  function countSerials(row) {
    var serials = row.querySelector("[data-serials]");
    var quantity = row.querySelector("input[name$='-quantity']");
    if (!quantity.value || quantity.hasAttribute("data-auto")) {
      var count = serials.value.split("\n").filter(function (line) { return line.trim(); }).length;
      quantity.value = count ? String(count) : "";
      quantity.setAttribute("data-auto", "1");
    }
  }

  body.addEventListener("product:picked", function (event) {
    var row = event.target.closest("[data-receiving-line]");
    var product = event.detail;
    var serials = row.querySelector("[data-serials]");
    row.querySelector("[data-product-name]").textContent =
      product.name + (product.is_serialized ? " (serialized: one serial number per unit)" : "");
    serials.classList.toggle("d-none", !product.is_serialized && !serials.value);
    (product.is_serialized ? serials : row.querySelector("input[name$='-quantity']")).focus();
  });

  body.addEventListener("product:unknown", function (event) {
    var row = event.target.closest("[data-receiving-line]");
    row.querySelector("[data-product-name]").textContent = event.detail.error || "Unknown product.";
  });

  body.addEventListener("input", function (event) {
    var row = event.target.closest("[data-receiving-line]");
    if (!row) return;
    if (event.target.matches("[data-serials]")) countSerials(row);
    if (event.target.matches("input[name$='-quantity']")) event.target.removeAttribute("data-auto");
  });

  body.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-line]");
    if (button) removeLine(button.closest("[data-receiving-line]"));
  });

  if (addButton) {
    addButton.addEventListener("click", addLine);
    addButton.classList.remove("d-none");
  }
  body.querySelectorAll("[data-remove-line]").forEach(function (button) {
    button.classList.remove("d-none");
  });
})();

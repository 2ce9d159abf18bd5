// Barcode scanners type the code and press Enter. In a field marked data-scan-field
// that Enter moves on to the next field instead of sending the form half filled in.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.matches || !field.matches("[data-scan-field]")) return;
    event.preventDefault();
    if (!field.form) return;
    var controls = Array.prototype.filter.call(field.form.elements, function (el) {
      return !el.disabled && el.type !== "hidden" && el.offsetParent !== null;
    });
    var next = controls[controls.indexOf(field) + 1];
    if (next) next.focus();
  });
})();

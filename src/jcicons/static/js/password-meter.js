// Password strength meter. It asks the server, which runs the same policy (zxcvbn plus
// the composition rules) that decides whether the password is accepted, so the meter
// and the policy always agree.
(function () {
  "use strict";

  var LABELS = ["Too easy to guess", "Weak", "Fair", "Strong", "Very strong"];
  var COLOURS = ["bg-danger", "bg-danger", "bg-warning", "bg-success", "bg-success"];
  var tokenMeta = document.querySelector('meta[name="csrf-token"]');
  var checkUrl = "/account/password-check";

  function render(meter, verdict) {
    var bar = meter.querySelector(".meter-bar");
    var label = meter.querySelector(".meter-label");
    var list = meter.querySelector(".meter-feedback");
    var progress = meter.querySelector(".progress");
    var score = verdict ? verdict.score : 0;
    bar.className = "progress-bar meter-bar " + (verdict ? COLOURS[score] : "");
    bar.style.width = verdict ? ((score + 1) * 20) + "%" : "0%";
    progress.setAttribute("aria-valuenow", String(score));
    list.textContent = "";
    if (!verdict) {
      label.textContent = "Type a password to see how strong it is.";
      meter.removeAttribute("data-score");
      meter.removeAttribute("data-ok");
      return;
    }
    meter.setAttribute("data-score", String(score));
    meter.setAttribute("data-ok", verdict.ok ? "true" : "false");
    label.textContent = LABELS[score] + (verdict.ok ? ": accepted" : ": not accepted yet");
    var notes = verdict.problems.concat(verdict.ok ? verdict.suggestions : []);
    notes.forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
  }

  function attach(input) {
    var meter = document.querySelector('[data-meter-for="' + input.id + '"]');
    if (!meter) return;
    var timer = null;
    var sequence = 0;
    // No check may start once the form is sent: it would carry the old session
    // cookie, which a password change replaces, and its answer would sign us out.
    if (input.form) {
      input.form.addEventListener("submit", function () {
        window.clearTimeout(timer);
      });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      if (!input.value) {
        render(meter, null);
        return;
      }
      timer = window.setTimeout(function () {
        var mine = ++sequence;
        fetch(checkUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "X-CSRFToken": tokenMeta ? tokenMeta.content : ""
          },
          body: JSON.stringify({ password: input.value })
        })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (verdict) {
            if (verdict && mine === sequence) render(meter, verdict);
          })
          .catch(function () { /* the form still validates on the server */ });
      }, 250);
    });
  }

  document.querySelectorAll("input[data-password-meter]").forEach(attach);
})();

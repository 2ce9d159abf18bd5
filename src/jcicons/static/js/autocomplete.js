// Product search for inputs marked data-product-search="<autocomplete url>" (and
// data-product-lookup="<lookup url>" for scanned codes). Typing offers up to ten
// products; picking one puts its SKU in the input and fires a "product:picked" event
// (detail: the product) that the page's own script can use. Enter on a scanned
// barcode or SKU resolves it exactly instead of sending the form.
(function () {
  "use strict";

  var SELECTOR = "[data-product-search]";
  var state = new WeakMap();

  function listFor(input) {
    var entry = state.get(input);
    if (entry) return entry;
    var list = document.createElement("ul");
    list.className = "dropdown-menu w-100";
    list.setAttribute("role", "listbox");
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("aria-autocomplete", "list");
    entry = { list: list, items: [], active: -1, timer: null, sequence: 0 };
    state.set(input, entry);
    return entry;
  }

  function close(entry) {
    entry.list.classList.remove("show");
    entry.list.textContent = "";
    entry.items = [];
    entry.active = -1;
  }

  function pick(input, product) {
    var entry = listFor(input);
    close(entry);
    input.value = product.sku;
    input.classList.remove("is-invalid");
    input.dispatchEvent(new CustomEvent("product:picked", { bubbles: true, detail: product }));
  }

  function describe(product) {
    var text = product.sku + " \u2014 " + product.name;
    if (product.is_service) return text + " (service)";
    return text + " (" + product.on_hand + " on hand)";
  }

  function highlight(entry, index) {
    var buttons = entry.list.querySelectorAll("button");
    entry.active = index;
    buttons.forEach(function (button, i) {
      button.classList.toggle("active", i === index);
      button.setAttribute("aria-selected", i === index ? "true" : "false");
    });
  }

  function render(input, products) {
    var entry = listFor(input);
    close(entry);
    entry.items = products;
    if (!products.length) {
      var empty = document.createElement("li");
      empty.className = "dropdown-item-text text-body-secondary small";
      empty.textContent = "No active product matches.";
      entry.list.appendChild(empty);
    }
    products.forEach(function (product) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "dropdown-item text-wrap";
      button.setAttribute("role", "option");
      button.textContent = describe(product);
      button.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep focus in the input
        pick(input, product);
      });
      item.appendChild(button);
      entry.list.appendChild(item);
    });
    entry.list.classList.add("show");
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); });
  }

  function search(input) {
    var entry = listFor(input);
    var term = input.value.trim();
    window.clearTimeout(entry.timer);
    if (term.length < 2) {
      close(entry);
      return;
    }
    entry.timer = window.setTimeout(function () {
      var mine = ++entry.sequence;
      fetchJson(input.getAttribute("data-product-search") + "?q=" + encodeURIComponent(term))
        .then(function (answer) {
          if (answer.ok && mine === entry.sequence && document.activeElement === input) {
            render(input, answer.body.products);
          }
        })
        .catch(function () { close(entry); });
    }, 200);
  }

  function lookup(input) {
    var url = input.getAttribute("data-product-lookup");
    var code = input.value.trim();
    if (!url || !code) return;
    var entry = listFor(input);
    entry.sequence++; // a pending search must not reopen the list
    window.clearTimeout(entry.timer);
    fetchJson(url + "?code=" + encodeURIComponent(code)).then(function (answer) {
      if (answer.ok) {
        pick(input, answer.body.product);
      } else {
        render(input, []);
        input.dispatchEvent(new CustomEvent("product:unknown", { bubbles: true, detail: answer.body }));
      }
    }).catch(function () { /* the server checks the code when the form is sent */ });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(SELECTOR)) search(event.target);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(SELECTOR)) return;
    var entry = listFor(input);
    var open = entry.list.classList.contains("show") && entry.items.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      highlight(entry, Math.min(entry.active + 1, entry.items.length - 1));
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(entry, Math.max(entry.active - 1, 0));
    } else if (event.key === "Escape") {
      close(entry);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (open && entry.active >= 0) {
        pick(input, entry.items[entry.active]);
      } else {
        lookup(input);
      }
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches(SELECTOR)) {
      var entry = state.get(event.target);
      if (entry) window.setTimeout(function () { close(entry); }, 150);
    }
  });
})();

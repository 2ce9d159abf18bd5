// The point-of-sale screen. The cart lives in sessionStorage so it survives a
// reload and a refused checkout; every figure shown comes from the server
// (/pos/price), and checkout prices the sale again from the catalogue.
(function () {
  "use strict";

  var root = document.getElementById("pos");
  if (!root) return;
  var STORE = "jcicons.pos.cart";
  var form = document.getElementById("pos-form");
  var linesBody = document.getElementById("pos-lines");
  var emptyNote = document.getElementById("pos-empty");
  var message = root.querySelector("[data-pos-message]");
  var scan = document.getElementById("pos-scan");
  var payRows = document.getElementById("pos-payment-rows");
  var payTemplate = document.getElementById("pos-payment-template");
  var customerId = document.getElementById("pos-customer-id");
  var customerChosen = document.getElementById("pos-customer-chosen");
  var creditBox = document.getElementById("pos-store-credit");
  var storeCredit = 0;
  var creditSequence = 0;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var state = load();
  var lastTotal = null;
  var priceTimer = null;
  var priceSequence = 0;

  function load() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE) || "null");
      if (saved && Array.isArray(saved.lines)) return saved;
    } catch (error) { /* a damaged cart starts empty */ }
    return { lines: [], customer: null };
  }

  function save() {
    window.sessionStorage.setItem(STORE, JSON.stringify(state));
  }

  function pesos(centavos) {
    var sign = centavos < 0 ? "-" : "";
    var value = Math.abs(centavos);
    var whole = Math.floor(value / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ("0" + (value % 100)).slice(-2);
    return sign + "\u20b1" + whole + "." + cents;
  }

  function toCentavos(text) {
    var cleaned = (text || "").replace(/[\u20b1,\s]/g, "").replace(/^PHP/i, "");
    if (!/^\d+(\.\d{0,2})?$/.test(cleaned)) return null;
    var parts = cleaned.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  function showMessage(text) {
    message.textContent = text || "";
    message.classList.toggle("d-none", !text);
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    if (className) td.className = className;
    if (text !== undefined) td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function input(attrs) {
    var element = document.createElement("input");
    Object.keys(attrs).forEach(function (key) { element.setAttribute(key, attrs[key]); });
    return element;
  }

  function renderLines() {
    linesBody.textContent = "";
    emptyNote.classList.toggle("d-none", state.lines.length > 0);
    state.lines.forEach(function (line, index) {
      var row = document.createElement("tr");
      row.setAttribute("data-line", index);
      var name = cell(row, line.sku + " \u2014 " + line.name);
      if (line.is_serialized) {
        var picker = document.createElement("select");
        picker.multiple = true;
        picker.className = "form-select form-select-sm mt-1";
        picker.setAttribute("aria-label", "Serial numbers of " + line.name);
        (line.available || []).forEach(function (serial) {
          var option = document.createElement("option");
          option.value = serial;
          option.textContent = serial;
          option.selected = line.serials.indexOf(serial) >= 0;
          picker.appendChild(option);
        });
        picker.addEventListener("change", function () {
          line.serials = Array.prototype.map.call(picker.selectedOptions, function (o) { return o.value; });
          line.quantity = Math.max(line.serials.length, 1);
          changed();
        });
        name.appendChild(picker);
      }
      cell(row, pesos(line.price_centavos), "text-end");
      var qty = input({ type: "number", min: "1", step: "1", value: line.quantity,
                        class: "form-control form-control-sm", "aria-label": "Quantity" });
      qty.readOnly = !!line.is_serialized;
      qty.addEventListener("change", function () {
        line.quantity = Math.max(parseInt(qty.value, 10) || 1, 1);
        changed();
      });
      cell(row).appendChild(qty);
      var group = document.createElement("div");
      group.className = "input-group input-group-sm";
      var amount = input({ type: "text", value: line.discount_value || "", inputmode: "decimal",
                           class: "form-control", "aria-label": "Line discount" });
      amount.addEventListener("change", function () { line.discount_value = amount.value.trim(); changed(); });
      var kind = document.createElement("select");
      kind.className = "form-select pos-kind";
      kind.setAttribute("aria-label", "Line discount kind");
      [["amount", "\u20b1"], ["percent", "%"]].forEach(function (pair) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        option.selected = line.discount_kind === pair[0];
        kind.appendChild(option);
      });
      kind.addEventListener("change", function () { line.discount_kind = kind.value; changed(); });
      group.appendChild(amount);
      group.appendChild(kind);
      cell(row).appendChild(group);
      cell(row, "", "text-end").setAttribute("data-line-net", index);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-sm btn-outline-danger";
      remove.setAttribute("aria-label", "Remove " + line.name);
      remove.innerHTML = '<i class="bi bi-trash"></i>';
      remove.addEventListener("click", function () { state.lines.splice(index, 1); changed(true); });
      cell(row).appendChild(remove);
      linesBody.appendChild(row);
    });
  }

  function cartPayload() {
    return state.lines.map(function (line) {
      return { product_id: line.product_id, quantity: line.quantity, serials: line.serials || [],
               discount_kind: line.discount_kind || "amount", discount_value: line.discount_value || "" };
    });
  }

  function showTotals(totals) {
    root.querySelectorAll("[data-total]").forEach(function (element) {
      var key = element.getAttribute("data-total");
      var value = key === "discount_centavos"
        ? totals.line_discounts_centavos + totals.sale_discount_centavos
        : totals[key];
      element.textContent = pesos(value || 0);
    });
    (totals.lines || []).forEach(function (line, index) {
      var target = linesBody.querySelector('[data-line-net="' + index + '"]');
      if (target) target.textContent = pesos(line.net_centavos);
    });
    lastTotal = totals.total_centavos;
    fillAutomaticAmount();
  }

  function requestPrice() {
    window.clearTimeout(priceTimer);
    priceTimer = window.setTimeout(function () {
      var mine = ++priceSequence;
      if (!state.lines.length) {
        showTotals({ lines: [], subtotal_centavos: 0, line_discounts_centavos: 0, sale_discount_centavos: 0,
                     total_centavos: 0, vatable_sales_centavos: 0, vat_centavos: 0,
                     exempt_sales_centavos: 0, zero_rated_sales_centavos: 0 });
        return;
      }
      fetch(root.getAttribute("data-price-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({
          lines: cartPayload(),
          sale_discount_kind: form.elements.sale_discount_kind.value,
          sale_discount_value: form.elements.sale_discount_value.value
        })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (mine !== priceSequence) return;
        if (answer.ok) {
          showMessage("");
          showTotals(answer.body);
        } else {
          showMessage(answer.body.error || "The cart could not be priced.");
        }
      }).catch(function () { showMessage("The server could not be reached to price the cart."); });
    }, 150);
  }

  function changed(redraw) {
    save();
    if (redraw !== false) renderLines();
    requestPrice();
  }

  function addProduct(product) {
    var existing = state.lines.filter(function (line) { return line.product_id === product.id; })[0];
    if (existing && !product.is_serialized) {
      existing.quantity += 1;
      changed();
      return;
    }
    if (existing) return;
    var line = { product_id: product.id, sku: product.sku, name: product.name,
                 price_centavos: product.price_centavos, is_serialized: product.is_serialized,
                 quantity: 1, discount_kind: "amount", discount_value: "", serials: [], available: [] };
    state.lines.push(line);
    if (!product.is_serialized) {
      changed();
      return;
    }
    var url = root.getAttribute("data-serials-url").replace(/\/0$/, "/" + product.id);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        line.available = body.serials || [];
        line.serials = line.available.slice(0, 1);
        changed();
      });
  }

  // Payments ---------------------------------------------------------------------

  function rowValues(row) {
    var values = {};
    row.querySelectorAll("[data-pay]").forEach(function (field) {
      values[field.getAttribute("data-pay")] = field.value.trim();
    });
    return values;
  }

  function updateRow(row) {
    var values = rowValues(row);
    var cash = values.method === "CASH";
    var credit = values.method === "STORE_CREDIT";
    row.querySelector("[data-pay-cash]").classList.toggle("d-none", !cash);
    row.querySelector("[data-pay-reference]").classList.toggle("d-none", cash || credit);
    var tendered = toCentavos(values.tendered);
    var amount = toCentavos(values.amount);
    var change = cash && tendered !== null && amount !== null ? tendered - amount : 0;
    row.querySelector("[data-pay-change]").textContent = pesos(Math.max(change, 0));
  }

  // Store credit is offered only while the chosen customer has some; a row that
  // already chose it keeps it, and checkout checks the balance again.
  function offerStoreCredit(row) {
    var option = row.querySelector("option[data-store-credit]");
    var off = storeCredit <= 0 && !option.selected;
    option.disabled = off;
    option.hidden = off;
  }

  function addPayment(values) {
    var row = payTemplate.content.firstElementChild.cloneNode(true);
    payRows.appendChild(row);
    values = values || {};
    row.querySelectorAll("[data-pay]").forEach(function (field) {
      var key = field.getAttribute("data-pay");
      if (values[key] !== undefined) field.value = values[key];
    });
    if (!values.amount) row.setAttribute("data-auto", "yes");
    row.addEventListener("input", function (event) {
      if (event.target.getAttribute("data-pay") === "amount") row.removeAttribute("data-auto");
      updateRow(row);
    });
    row.addEventListener("change", function () { updateRow(row); });
    row.querySelector("[data-pay-remove]").addEventListener("click", function () {
      row.remove();
      if (!payRows.children.length) addPayment();
      fillAutomaticAmount();
    });
    offerStoreCredit(row);
    fillAutomaticAmount();
    updateRow(row);
  }

  function showStoreCredit() {
    creditBox.classList.toggle("d-none", storeCredit <= 0);
    creditBox.querySelector("[data-store-credit-amount]").textContent = pesos(storeCredit);
    payRows.querySelectorAll("[data-payment-row]").forEach(offerStoreCredit);
  }

  function loadStoreCredit() {
    var mine = ++creditSequence;
    storeCredit = 0;
    showStoreCredit();
    if (!customerId.value) return;
    var url = root.getAttribute("data-store-credit-url")
      .replace(/\/0\/store-credit$/, "/" + encodeURIComponent(customerId.value) + "/store-credit");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (body) {
        if (mine !== creditSequence) return;
        storeCredit = body.balance_centavos || 0;
        showStoreCredit();
      })
      .catch(function () { /* no credit shown; checkout still decides */ });
  }

  function payWithStoreCredit() {
    var amount = Math.min(storeCredit, lastTotal || 0);
    if (amount <= 0) return;
    addPayment({ method: "STORE_CREDIT", amount: (amount / 100).toFixed(2) });
  }

  function fillAutomaticAmount() {
    if (lastTotal === null) return;
    var rows = Array.prototype.slice.call(payRows.querySelectorAll("[data-payment-row]"));
    var typed = rows.filter(function (row) { return !row.hasAttribute("data-auto"); })
      .reduce(function (sum, row) { return sum + (toCentavos(rowValues(row).amount) || 0); }, 0);
    var automatic = rows.filter(function (row) { return row.hasAttribute("data-auto"); });
    automatic.forEach(function (row, index) {
      var value = index === 0 ? Math.max(lastTotal - typed, 0) : 0;
      row.querySelector('[data-pay="amount"]').value = value ? (value / 100).toFixed(2) : "";
      updateRow(row);
    });
  }

  function paymentsPayload() {
    return Array.prototype.map.call(payRows.querySelectorAll("[data-payment-row]"), rowValues)
      .filter(function (values) { return values.amount; });
  }

  // Customers --------------------------------------------------------------------

  function showCustomer() {
    renderCustomer();
    loadStoreCredit();
  }

  function renderCustomer() {
    customerChosen.textContent = "";
    var chosen = state.customer;
    if (!chosen || String(chosen.id) !== customerId.value) {
      if (chosen && !customerId.value) customerId.value = chosen.id;
      else if (!customerId.value) return;
    }
    var label = document.createElement("span");
    label.className = "badge text-bg-primary me-2";
    label.textContent = state.customer ? state.customer.name : "Customer #" + customerId.value;
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "btn btn-link btn-sm p-0";
    clear.textContent = "walk-in instead";
    clear.addEventListener("click", function () {
      state.customer = null;
      customerId.value = "";
      save();
      showQuickMessage("");
      showCustomer();
    });
    customerChosen.appendChild(label);
    customerChosen.appendChild(clear);
  }

  function chooseCustomer(found) {
    state.customer = { id: found.id, name: found.display_name };
    customerId.value = found.id;
    save();
    showCustomer();
  }

  var customerSearch = document.getElementById("pos-customer-search");
  var customerResults = document.getElementById("pos-customer-results");
  var customerTimer = null;
  if (customerSearch && root.getAttribute("data-customer-search-url")) {
    customerSearch.addEventListener("input", function () {
      window.clearTimeout(customerTimer);
      var term = customerSearch.value.trim();
      customerResults.textContent = "";
      if (term.length < 2) return;
      customerTimer = window.setTimeout(function () {
        fetch(root.getAttribute("data-customer-search-url") + "?q=" + encodeURIComponent(term),
              { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (body) {
            customerResults.textContent = "";
            (body.customers || []).forEach(function (found) {
              var item = document.createElement("button");
              item.type = "button";
              item.className = "list-group-item list-group-item-action small";
              item.textContent = found.display_name + (found.mobile ? " \u00b7 " + found.mobile : "");
              item.addEventListener("click", function () {
                customerResults.textContent = "";
                customerSearch.value = "";
                showQuickMessage("");
                chooseCustomer(found);
              });
              customerResults.appendChild(item);
            });
          });
      }, 200);
    });
  }

  // Quick-create: a name and a mobile number, without leaving the counter. The
  // server answers with the new customer, or with whoever already has the number.

  var quick = document.getElementById("pos-quick-customer");
  var quickUrl = root.getAttribute("data-customer-quick-url");
  var quickMessage = root.querySelector("[data-quick-message]");

  function showQuickMessage(text, isError) {
    if (!quickMessage) return;
    quickMessage.textContent = text || "";
    quickMessage.classList.toggle("alert-danger", !!isError);
    quickMessage.classList.toggle("alert-info", !isError);
    quickMessage.classList.toggle("d-none", !text);
  }

  function quickFields() {
    return Array.prototype.slice.call(quick.querySelectorAll("[data-quick]"));
  }

  // Marks the fields the server named; returns the messages no field can show.
  function showQuickErrors(errors) {
    quickFields().forEach(function (field) {
      var key = field.getAttribute("data-quick");
      var text = errors[key] || "";
      field.classList.toggle("is-invalid", !!text);
      quick.querySelector('[data-quick-error="' + key + '"]').textContent = text;
    });
    return Object.keys(errors).filter(function (key) {
      return !quick.querySelector('[data-quick="' + key + '"]');
    }).map(function (key) { return errors[key]; }).join(" ");
  }

  function quickChosen(body) {
    var customer = body.customer;
    var label = customer.display_name + " (" + customer.code + ")";
    showQuickErrors({});
    quickFields().forEach(function (field) { field.value = ""; });
    quick.open = false;
    chooseCustomer(customer);
    showQuickMessage(body.existing
      ? "That number is already on file as " + label + "; chosen for this sale."
      : "Added " + label + " and chose them for this sale.");
  }

  function saveQuickCustomer() {
    var button = quick.querySelector("[data-quick-save]");
    var values = {};
    quickFields().forEach(function (field) { values[field.getAttribute("data-quick")] = field.value.trim(); });
    showQuickMessage("");
    button.disabled = true;
    fetch(quickUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(values)
    }).then(function (response) {
      return response.json()
        .catch(function () { return {}; })
        .then(function (body) { return { status: response.status, body: body || {} }; });
    }).then(function (answer) {
      if (answer.body.customer) {
        quickChosen(answer.body);
        return;
      }
      var unplaced = showQuickErrors(answer.body.errors || {});
      var text = answer.status === 422 ? unplaced : answer.body.error;
      showQuickMessage(text || (answer.status === 422 ? "" : "The customer could not be saved."), true);
    }).catch(function () {
      showQuickMessage("The server could not be reached to save the customer.", true);
    }).then(function () { button.disabled = false; });
  }

  if (quick && quickUrl) {
    quick.querySelector("[data-quick-save]").addEventListener("click", saveQuickCustomer);
    quickFields().forEach(function (field) {
      // Enter would otherwise send the whole sale: these fields sit inside its form.
      field.addEventListener("keydown", function (event) {
        if (event.key !== "Enter") return;
        event.preventDefault();
        saveQuickCustomer();
      });
    });
  }

  // Wiring -----------------------------------------------------------------------

  scan.addEventListener("product:picked", function (event) {
    scan.value = "";
    showMessage("");
    addProduct(event.detail);
  });
  scan.addEventListener("product:unknown", function (event) {
    showMessage((event.detail && event.detail.error) || "No product has that code.");
  });
  form.elements.sale_discount_value.addEventListener("change", requestPrice);
  form.elements.sale_discount_kind.addEventListener("change", requestPrice);
  root.querySelector("[data-pay-add]").addEventListener("click", function () { addPayment(); });
  creditBox.querySelector("[data-pay-credit]").addEventListener("click", payWithStoreCredit);
  root.querySelector("[data-pos-clear]").addEventListener("click", function () {
    state = { lines: [], customer: null };
    customerId.value = "";
    showQuickMessage("");
    save();
    renderLines();
    showCustomer();
    requestPrice();
  });

  form.addEventListener("submit", function () {
    document.getElementById("pos-cart").value = JSON.stringify(cartPayload());
    document.getElementById("pos-payments").value = JSON.stringify(paymentsPayload());
    form.querySelector("[type=submit]").disabled = true; // one click, one sale
  });

  var sentPayments = [];
  try { sentPayments = JSON.parse(document.getElementById("pos-payments").value || "[]"); } catch (e) { sentPayments = []; }
  if (Array.isArray(sentPayments) && sentPayments.length) {
    sentPayments.forEach(function (values) { addPayment(values); });
  } else {
    addPayment({ method: "CASH" });
  }
  renderLines();
  showCustomer();
  requestPrice();
})();

// The new-ticket form: reload the category's guidance and fields when the
// customer picks a category (or when the department change replaces the
// category <select>), keeping what was typed in the fields that stay.
(function () {
  "use strict";

  function container() {
    return document.getElementById("category-fields");
  }

  function reload() {
    var box = container();
    var select = document.getElementById("id_category");
    if (!box || !select || !window.htmx) return;
    if (box.dataset.category === select.value) return;
    box.dataset.category = select.value;
    var values = { category: select.value };
    box.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (!input.name) return;
      if ((input.type === "checkbox" || input.type === "radio") && !input.checked) return;
      if (values[input.name] === undefined) values[input.name] = input.value;
      else values[input.name] = [].concat(values[input.name], input.value);
    });
    window.htmx.ajax("GET", box.dataset.url, { target: "#category-fields", swap: "outerHTML", values: values });
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_category") reload();
  });
  // The department's htmx refresh replaces the category <select>: compare
  // its value after every settle (reload() does nothing when it is unchanged).
  document.addEventListener("htmx:afterSettle", reload);
  document.addEventListener("DOMContentLoaded", function () {
    var box = container();
    var select = document.getElementById("id_category");
    if (box && select && box.dataset.category === undefined) box.dataset.category = select.value;
  });
})();

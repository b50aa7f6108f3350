// The editors' desk: conflict merging buttons and the country → time zone suggestion.
(function () {
  "use strict";

  function field(name) {
    return document.querySelector('[name="' + CSS.escape(name) + '"]');
  }

  // "Use theirs" on a refused save puts the other editor's value into the form.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-use-theirs]");
    if (!button) return;
    var input = field(button.dataset.useTheirs);
    if (!input) return;
    if (input.type === "checkbox") {
      input.checked = button.dataset.value === "on";
    } else {
      input.value = button.dataset.value;
    }
    input.dispatchEvent(new Event("change", { bubbles: true }));
    button.textContent = "Theirs is in the form";
    button.disabled = true;
  });

  // A known country fills an empty time zone; the editor can still type another.
  document.addEventListener("DOMContentLoaded", function () {
    var country = field("country");
    var zone = field("timezone");
    if (!country || !zone || !country.dataset.zones) return;
    var zones = JSON.parse(country.dataset.zones);
    var filled = "";
    country.addEventListener("input", function () {
      var guess = zones[country.value.trim().toUpperCase()];
      if (guess && (zone.value === "" || zone.value === filled)) {
        zone.value = guess;
        filled = guess;
      }
    });
  });
})();

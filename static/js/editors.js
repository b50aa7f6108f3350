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
    // A date comes with its precision: their 10:15 must not be read as "about 10:00, hour"
    // because this form's precision said Hour.
    var precision = button.dataset.precisionField && field(button.dataset.precisionField);
    if (precision) {
      precision.value = button.dataset.precision;
      precision.dispatchEvent(new Event("change", { bubbles: true }));
    }
    button.textContent = "Theirs is in the form";
    button.disabled = true;
  });

  // A known country fills an empty time zone (or one it filled itself); a zone the editor
  // chose stays, with the new country's zone offered beside it.
  document.addEventListener("DOMContentLoaded", function () {
    var country = field("country");
    var zone = field("timezone");
    if (!country || !zone || !country.dataset.zones) return;
    var zones = JSON.parse(country.dataset.zones);
    var filled = "";
    var offer = document.createElement("p");
    offer.className = "zone-offer";
    offer.hidden = true;
    zone.insertAdjacentElement("afterend", offer);

    function codeOf(text) {
      var picked = /\(([A-Za-z]{2})\)\s*$/.exec(text) || /^\s*([A-Za-z]{2})\s*$/.exec(text);
      return picked ? picked[1].toUpperCase() : "";
    }

    country.addEventListener("input", function () {
      var guess = zones[codeOf(country.value)];
      offer.hidden = true;
      if (!guess) return;
      if (zone.value === "" || zone.value === filled) {
        zone.value = guess;
        filled = guess;
      } else if (zone.value !== guess) {
        offer.textContent = "";
        var use = document.createElement("button");
        use.type = "button";
        use.textContent = "Use " + guess;
        use.addEventListener("click", function () {
          zone.value = guess;
          filled = guess;
          offer.hidden = true;
        });
        offer.append(country.value.replace(/\s*\([A-Z]{2}\)$/, "") + " keeps " + guess + " time. ", use);
        offer.hidden = false;
      }
    });
  });
})();

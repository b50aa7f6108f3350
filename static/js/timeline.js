/* The reader's timeline: draws the server-built figure and keeps chart, list and panel in step.
   Everything works without this file; it only adds the chart and the in-page updates. */
(function () {
  "use strict";

  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false, scrollZoom: false };
  var lastFocus = null;
  var returnUrl = null;

  document.documentElement.classList.add("js");

  function draw() {
    if (window.TimelineChart) window.TimelineChart.draw();
  }

  // A mark or label on the chart opens the same panel as its list item: clicking the item's
  // link does it all. An event not in this page of the list is fetched by its own address.
  document.addEventListener("timeline:open", function (event) {
    openEvent(event.detail.slug, event.target, event.detail.url);
  });

  // A marker opens the same panel as its list item: clicking the item's link does it all.
  function openEvent(slug, from, url) {
    var link = document.querySelector("#event-" + CSS.escape(slug) + " h3 a");
    lastFocus = from || link;
    if (link) {
      link.click();
    } else if (url && panel() && window.htmx) {
      window.htmx.ajax("GET", url, { target: "#event-panel", swap: "innerHTML" }).then(function () {
        history.pushState({ htmx: true }, "", url);
      });
    } else if (url) {
      location.href = url;
    }
  }

  function panel() {
    return document.getElementById("event-panel");
  }

  function select(slug) {
    document.querySelectorAll(".event-card.is-selected").forEach(function (card) {
      card.classList.remove("is-selected");
    });
    var card = slug && document.getElementById("event-" + slug);
    if (card) card.classList.add("is-selected");
  }

  function closePanel() {
    var aside = panel();
    if (!aside || aside.hidden) return;
    aside.hidden = true;
    aside.innerHTML = "";
    select(null);
    if (returnUrl) history.pushState({ htmx: true }, "", returnUrl);
    // Back where the reader was, without scrolling the page under them.
    if (lastFocus && document.contains(lastFocus)) lastFocus.focus({ preventScroll: true });
    lastFocus = null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (target && target.id === "event-panel") {
      if (!lastFocus) lastFocus = document.activeElement;
      if (panel().hidden) returnUrl = location.href;
    }
  });

  // Shared links stay short: empty filter fields are left out of the address.
  document.addEventListener("htmx:configRequest", function (event) {
    var params = event.detail.parameters;
    if (!params || typeof params.keys !== "function") return;
    Array.from(params.keys()).forEach(function (key) {
      var kept = params.getAll(key).filter(function (value) {
        return value !== "" && !(key === "lanes" && value === "category");
      });
      params.delete(key);
      kept.forEach(function (value) { params.append(key, value); });
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "event-panel") {
      var inner = target.querySelector(".panel-inner");
      target.hidden = false;
      select(inner && inner.dataset.slug);
      if (window.TimelineChart) {
        window.TimelineChart.select(inner && inner.dataset.slug);
        window.TimelineChart.drawHistories(target);
      }
      var heading = target.querySelector("h1");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
      return;
    }
    draw();
  });

  document.addEventListener("htmx:historyRestore", function () {
    lastFocus = null;
    draw();
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-panel]");
    if (close) {
      event.preventDefault();
      closePanel();
      return;
    }
    var chip = event.target.closest(".filter-chip");
    var form = document.getElementById("filters");
    if (chip && form) {
      // Removing a chip unticks or clears its field, then asks for the view as usual.
      event.preventDefault();
      var wanted = new URLSearchParams(chip.dataset.query);
      form.querySelectorAll("input").forEach(function (input) {
        if (input.type === "checkbox") {
          input.checked = wanted.getAll(input.name).indexOf(input.value) !== -1;
        } else if (input.type === "hidden") {
          input.disabled = wanted.getAll(input.name).indexOf(input.value) === -1;
        } else if (input.type === "datetime-local") {
          // A chip only removes: "as known at" stays as the field holds it, unless it is this one.
          if (!wanted.get(input.name)) input.value = "";
        } else if (input.type === "radio") {
          input.checked = (wanted.get(input.name) || "category") === input.value;
        } else if (input.name) {
          input.value = wanted.get(input.name) || "";
        }
      });
      form.requestSubmit();
      var search = document.getElementById("id_q");
      if (search) search.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var copy = event.target.closest("[data-copy]");
    if (!copy) return;
    var field = document.getElementById(copy.getAttribute("data-copy"));
    field.select();
    var done = function () {
      copy.firstChild.textContent = "Copied";
      setTimeout(function () { copy.firstChild.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closePanel();
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".lede-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "Fold the introduction" : "Read the introduction";
    document.getElementById(toggle.getAttribute("aria-controls")).classList.toggle("is-open", open);
  });

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".filters-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    document.getElementById("filters").classList.toggle("is-open", open);
  });

  // "Clear all" beside the fields and under an empty chart: empty every field, ask again.
  document.addEventListener("click", function (event) {
    var clear = event.target.closest(".form-actions .clear-all, [data-clear-filters]");
    var form = document.getElementById("filters");
    if (!clear || !form) return;
    event.preventDefault();
    form.reset();
    form.querySelectorAll("input[type=search], input[type=date], input[type=datetime-local]").forEach(function (input) {
      input.value = "";
    });
    form.querySelectorAll("input[type=checkbox]").forEach(function (input) {
      input.checked = false;
    });
    form.requestSubmit();
  });

  // The introduction folds only if it is longer than its folded lines.
  function fitIntroduction() {
    var lede = document.getElementById("lede");
    var toggle = document.querySelector(".lede-toggle");
    if (lede && toggle && !lede.classList.contains("is-open")) {
      toggle.hidden = lede.scrollHeight <= lede.clientHeight + 1;
    }
  }
  fitIntroduction();
  window.addEventListener("resize", fitIntroduction);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

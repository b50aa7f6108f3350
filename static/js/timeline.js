/* The reader's timeline: draws the server-built figure and keeps chart, list and panel in step.
   Everything works without this file; it only adds the chart and the in-page updates. */
(function () {
  "use strict";

  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false, scrollZoom: false };
  var lastFocus = null;
  var returnUrl = null;

  document.documentElement.classList.add("js");

  function readFigure() {
    var script = document.getElementById("timeline-figure");
    if (!script) return null;
    return JSON.parse(script.textContent);
  }

  function themed(layout) {
    var style = getComputedStyle(document.body);
    layout.font = Object.assign({}, layout.font, { color: style.color });
    // Lane names sit inside the plot, where Plotly draws them in its own grey rather than the
    // layout's font colour: unreadable on a dark page.
    layout.yaxis = Object.assign({}, layout.yaxis, {
      tickfont: Object.assign({}, (layout.yaxis || {}).tickfont, { color: style.color }),
    });
    return layout;
  }

  function draw() {
    var chart = document.getElementById("timeline-chart");
    if (!chart || !window.Plotly) return;
    var figure = readFigure();
    if (!figure) {
      window.Plotly.purge(chart);
      chart.classList.add("is-empty");
      return;
    }
    chart.classList.remove("is-empty");
    chart.timelineMeta = figure.layout.meta || {};
    window.Plotly.react(chart, figure.data, themed(figure.layout), CONFIG).then(function () {
      if (chart.dataset.bound) return;
      chart.dataset.bound = "1";
      chart.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (point && point.customdata) openEvent(point.customdata[0], chart);
      });
      chart.on("plotly_relayout", function (change) { followZoom(chart, change); });
    });
  }

  // When the chart shows counts, zooming asks the server for that window: once it holds
  // few enough events, each one appears. The range lands in the form, so the URL keeps it.
  var zoomTimer = null;
  function followZoom(chart, change) {
    if (!chart.timelineMeta.aggregated) return;
    var range = change["xaxis.range"] || [change["xaxis.range[0]"], change["xaxis.range[1]"]];
    if (!range[0] || !range[1]) return;
    clearTimeout(zoomTimer);
    zoomTimer = setTimeout(function () {
      var form = document.getElementById("filters");
      if (!form) return;
      form.querySelector("[name=start]").value = String(range[0]).slice(0, 10);
      form.querySelector("[name=end]").value = String(range[1]).slice(0, 10);
      form.requestSubmit();
    }, 500);
  }

  // A marker opens the same panel as its list item: clicking the item's link does it all.
  function openEvent(slug, from) {
    var link = document.querySelector("#event-" + CSS.escape(slug) + " h3 a");
    if (!link) return;
    lastFocus = from || link;
    link.click();
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
    if (lastFocus && document.contains(lastFocus)) lastFocus.focus();
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
    var toggle = event.target.closest(".filters-toggle");
    if (!toggle) return;
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    document.getElementById("filters").classList.toggle("is-open", open);
  });

  var clearAll = document.querySelector(".form-actions .clear-all");
  if (clearAll) {
    clearAll.addEventListener("click", function (event) {
      var form = document.getElementById("filters");
      event.preventDefault();
      form.reset();
      form.querySelectorAll("input[type=search], input[type=date]").forEach(function (input) {
        input.value = "";
      });
      form.querySelectorAll("input[type=checkbox]").forEach(function (input) {
        input.checked = false;
      });
      form.requestSubmit();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

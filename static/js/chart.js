/* The timeline chart: draws the server-built figure with plotly.js, which loads after the page
   has painted; writes the labels and the hover card as page text; gives the range buttons.
   The chronology list is the chart's accessible twin: everything here is an enhancement. */
(function () {
  "use strict";

  var script = document.currentScript;
  var PLOTLY_SRC = script && script.getAttribute("data-plotly");
  var CONFIG = {
    responsive: false, // a ResizeObserver below follows the container, page or frame
    displaylogo: false,
    displayModeBar: false,
    scrollZoom: false, // the wheel scrolls the page; Ctrl + wheel zooms (see onWheel)
    doubleClick: false,
    showTips: false,
  };
  var HOUR = 3600000;
  var DAY = 24 * HOUR;
  var LABEL_FONT = "600 12px system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  var LABEL_HEIGHT = 18;
  var LABEL_PAD = 4;
  var TIP_MAX = 320;
  var plotly = null;
  var generation = 0;
  var measurer = null;
  var tip = null;

  function touchOnly() {
    return window.matchMedia("(hover: none)").matches;
  }

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = PLOTLY_SRC;
        tag.async = true;
        tag.onload = function () { resolve(window.Plotly); };
        tag.onerror = function () { plotly = null; reject(new Error("plotly.js did not load")); };
        document.head.appendChild(tag);
      });
    }
    return plotly;
  }

  function readFigure() {
    var node = document.getElementById("timeline-figure");
    return node ? JSON.parse(node.textContent) : null;
  }

  function chartElement() {
    return document.getElementById("timeline-chart");
  }

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  // The page's colours, read at draw time so light, dark and forced themes all hold.
  function themed(figure) {
    var fg = getComputedStyle(document.body).color;
    var bg = cssVar("--bg", "#ffffff");
    var muted = cssVar("--muted", "#595959");
    var layout = figure.layout;
    layout.font = Object.assign({}, layout.font, { color: fg });
    layout.xaxis = Object.assign({}, layout.xaxis, { tickfont: { color: muted } });
    layout.annotations = (layout.annotations || []).map(function (note) {
      return Object.assign({}, note, {
        font: Object.assign({}, note.font, { color: muted }),
        bgcolor: bg,
      });
    });
    figure.data.forEach(function (trace) {
      // Touching marks stay apart by a rim in the page's own colour.
      if (trace.type === "bar" && trace.customdata) {
        trace.marker = Object.assign({}, trace.marker, { line: { width: 1, color: bg } });
      } else if (trace.mode === "markers" && trace.customdata && trace.marker.opacity !== 0) {
        trace.marker = Object.assign({}, trace.marker, {
          line: { width: 1.5, color: bg },
        });
      }
    });
    return figure;
  }

  // ---- the view window, kept in the address as view=FROM~TO -----------------------------

  function stamp(ms) {
    return new Date(ms).toISOString().slice(0, 16);
  }

  function viewFromUrl() {
    var value = new URLSearchParams(location.search).get("view");
    var match = value && /^(\d{4}-\d\d-\d\dT\d\d:\d\d)~(\d{4}-\d\d-\d\dT\d\d:\d\d)$/.exec(value);
    if (!match) return null;
    var from = Date.parse(match[1] + "Z");
    var to = Date.parse(match[2] + "Z");
    return isFinite(from) && isFinite(to) && to > from ? [from, to] : null;
  }

  function writeViewToUrl(range, home) {
    var url = new URL(location.href);
    var same = Math.abs(range[0] - home[0]) < 60000 && Math.abs(range[1] - home[1]) < 60000;
    if (same) url.searchParams.delete("view");
    else url.searchParams.set("view", stamp(range[0]) + "~" + stamp(range[1]));
    if (url.href !== location.href) history.replaceState(history.state, "", url.href);
  }

  // ---- drawing -------------------------------------------------------------------------

  function draw() {
    var chart = chartElement();
    if (!chart) return;
    var mine = ++generation;
    var figure = readFigure();
    hideTip();
    if (!figure) {
      // An empty result: no chart at all (the page shows a way back), and nothing stale.
      if (window.Plotly && chart._fullLayout) window.Plotly.purge(chart);
      chart.removeAttribute("data-bound");
      clearLabels(chart);
      return;
    }
    loadPlotly().then(function (Plotly) {
      if (mine !== generation) return; // a newer result arrived while plotly.js loaded
      render(Plotly, chart, themed(figure));
    });
  }

  function dateToMs(value) {
    return Date.parse(String(value).replace(" ", "T") + (String(value).length > 10 ? "Z" : "T00:00Z"));
  }

  function render(Plotly, chart, figure) {
    var layout = figure.layout;
    var meta = layout.meta || {};
    var home = layout.xaxis.range.map(dateToMs);
    var view = viewFromUrl();
    layout.xaxis.range = (view || home).slice();
    if (touchOnly()) {
      // A finger on the chart scrolls the page; the buttons zoom and move instead.
      layout.dragmode = false;
      layout.xaxis.fixedrange = true;
    }
    chart.timeline = { meta: meta, home: home, extent: (meta.extent || layout.xaxis.range).map(dateToMs) };
    var drawn = chart._fullLayout && chart.getAttribute("data-bound")
      ? Plotly.react(chart, figure.data, layout, CONFIG)
      : Plotly.newPlot(chart, figure.data, layout, CONFIG);
    drawn.then(function () {
      if (!chart.getAttribute("data-bound")) bind(Plotly, chart);
      placeLabels(chart);
      markRange(chart);
    });
  }

  function bind(Plotly, chart) {
    chart.setAttribute("data-bound", "1");
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      var card = point && point.customdata;
      if (!card || !card[0]) return;
      hideTip();
      chart.timeline.selected = card[0];
      chart.dispatchEvent(new CustomEvent("timeline:open", {
        bubbles: true, detail: { slug: card[0], url: card[1] },
      }));
    });
    chart.on("plotly_hover", function (event) {
      if (touchOnly()) return; // a tap opens the event itself
      showTip(chart, event);
    });
    chart.on("plotly_unhover", hideTip);
    chart.on("plotly_relayouting", function () { hideTip(); scheduleLabels(chart); });
    chart.on("plotly_relayout", function (change) {
      if (!("xaxis.range" in change || "xaxis.range[0]" in change || "xaxis.autorange" in change)) return;
      placeLabels(chart);
      markRange(chart);
      var range = currentRange(chart);
      if (range) writeViewToUrl(range, chart.timeline.home);
      followZoom(chart, range);
    });
    chart.addEventListener("mouseleave", hideTip);
    observeSize(chart);
    chart.addEventListener("wheel", function (event) { onWheel(Plotly, chart, event); }, { passive: false });
  }

  function currentRange(chart) {
    var xa = chart._fullLayout && chart._fullLayout.xaxis;
    return xa ? xa.range.map(function (v) { return typeof v === "number" ? v : dateToMs(v); }) : null;
  }

  function setRange(chart, range) {
    if (!window.Plotly || !chart._fullLayout) return;
    window.Plotly.relayout(chart, { "xaxis.range": [range[0], range[1]] });
  }

  // When the chart shows counts, zooming asks the server for that window: once it holds
  // few enough events, each one appears. The range lands in the form, so the URL keeps it.
  var zoomTimer = null;
  function followZoom(chart, range) {
    if (!chart.timeline.meta.aggregated || !range) return;
    clearTimeout(zoomTimer);
    zoomTimer = setTimeout(function () {
      var form = document.getElementById("filters");
      if (!form) return;
      form.querySelector("[name=start]").value = stamp(range[0]).slice(0, 10);
      form.querySelector("[name=end]").value = stamp(range[1]).slice(0, 10);
      form.requestSubmit();
    }, 500);
  }

  function onWheel(Plotly, chart, event) {
    if (!(event.ctrlKey || event.metaKey) || !chart._fullLayout) return;
    event.preventDefault();
    var xa = chart._fullLayout.xaxis;
    var box = chart.getBoundingClientRect();
    var at = xa.p2c(event.clientX - box.left - xa._offset);
    var range = currentRange(chart);
    var factor = event.deltaY > 0 ? 1.25 : 0.8;
    var from = at - (at - range[0]) * factor;
    var to = at + (range[1] - at) * factor;
    if (to - from < HOUR) return;
    setRange(chart, [from, to]);
  }

  // ---- range buttons -------------------------------------------------------------------

  function selectedCentre(chart) {
    var slug = chart.timeline.selected;
    var card = document.querySelector(".event-card.is-selected");
    if (card) slug = card.getAttribute("data-slug");
    var marks = chart.timeline.meta.marks || [];
    for (var i = 0; i < marks.length; i++) {
      if (marks[i].slug === slug) return (dateToMs(marks[i].x0) + dateToMs(marks[i].x1)) / 2;
    }
    return null;
  }

  function rangeFor(chart, what) {
    var range = currentRange(chart);
    var width = range[1] - range[0];
    var centre = selectedCentre(chart);
    if (centre === null) centre = (range[0] + range[1]) / 2;
    switch (what) {
      case "all": return chart.timeline.extent;
      case "reset": return chart.timeline.home;
      case "week": return [centre - 3.5 * DAY, centre + 3.5 * DAY];
      case "day": return [centre - DAY / 2, centre + DAY / 2];
      case "earlier": return [range[0] - width / 2, range[1] - width / 2];
      case "later": return [range[0] + width / 2, range[1] + width / 2];
    }
    return null;
  }

  function markRange(chart) {
    var tools = document.querySelector(".chart-tools");
    var range = currentRange(chart);
    if (!tools || !range) return;
    var width = range[1] - range[0];
    var near = function (a, b) { return Math.abs(a - b) < Math.max(60000, width * 0.01); };
    var extent = chart.timeline.extent;
    var state = {
      all: near(range[0], extent[0]) && near(range[1], extent[1]),
      week: Math.abs(width - 7 * DAY) < HOUR,
      day: Math.abs(width - DAY) < 60000,
    };
    tools.querySelectorAll("[data-range]").forEach(function (button) {
      var what = button.getAttribute("data-range");
      if (what in state) button.setAttribute("aria-pressed", String(state[what]));
    });
    var home = chart.timeline.home;
    var reset = tools.querySelector("[data-range=reset]");
    if (reset) reset.hidden = near(range[0], home[0]) && near(range[1], home[1]);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".chart-tools [data-range]");
    var chart = chartElement();
    if (!button || !chart || !chart.timeline || !chart._fullLayout) return;
    var range = rangeFor(chart, button.getAttribute("data-range"));
    if (range) setRange(chart, range);
  });

  // ---- labels --------------------------------------------------------------------------

  function clearLabels(chart) {
    var layer = chart.parentNode && chart.parentNode.querySelector(".chart-labels");
    if (layer) layer.textContent = "";
  }

  var labelFrame = null;
  function scheduleLabels(chart) {
    if (labelFrame) return;
    labelFrame = requestAnimationFrame(function () {
      labelFrame = null;
      placeLabels(chart);
    });
  }

  function textWidth(text) {
    if (!measurer) measurer = document.createElement("canvas").getContext("2d");
    measurer.font = LABEL_FONT;
    return Math.ceil(measurer.measureText(text).width);
  }

  function overlaps(a, b) {
    return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
  }

  // As many labels as fit, most important first: none over another label, a mark or a
  // lane's name, and none outside the plot. Placed again on every zoom, pan and resize.
  function placeLabels(chart) {
    var layer = chart.parentNode && chart.parentNode.querySelector(".chart-labels");
    var full = chart._fullLayout;
    if (!layer || !full || !chart.timeline) return;
    layer.textContent = "";
    var xa = full.xaxis;
    var ya = full.yaxis;
    var plot = { l: xa._offset, r: xa._offset + xa._length, t: ya._offset, b: ya._offset + ya._length };
    var meta = chart.timeline.meta;
    var px = function (value) { return xa._offset + xa.c2p(dateToMs(value)); };
    var py = function (value) { return ya._offset + ya.c2p(value); };
    var rowPx = Math.abs(py(1) - py(0));
    var half = (meta.bar_thickness || 0.56) * rowPx / 2;
    var obstacles = (meta.marks || []).map(function (mark) {
      var x0 = px(mark.x0);
      var y = py(mark.y);
      if (mark.point) {
        var r = mark.size / 2 + 1;
        return { l: x0 - r, r: x0 + r, t: y - r, b: y + r, mark: mark };
      }
      return { l: x0, r: Math.max(px(mark.x1), x0 + 2), t: y - half, b: y + half, mark: mark };
    });
    (full.annotations || []).forEach(function (note) {
      var y = py(note.y);
      obstacles.push({ l: plot.l, r: plot.l + textWidth(note.text) + 8, t: y - 9, b: y + 9 });
    });
    var taken = [];
    var seen = {};
    obstacles.forEach(function (box) {
      var mark = box.mark;
      if (!mark || !mark.label || seen[mark.slug]) return;
      if (box.r < plot.l || box.l > plot.r) return;
      var width = textWidth(mark.label) + 2 * LABEL_PAD;
      var band = (meta.lane_bands || [])[mark.lane];
      var lane = band ? { t: py(band[0]), b: py(band[1]) } : plot;
      var middle = (box.t + box.b) / 2;
      var centre = Math.max(plot.l, Math.min(plot.r, (box.l + box.r) / 2));
      var tries = [
        { l: box.r + 3, t: middle - LABEL_HEIGHT / 2 },
        { l: box.l - 3 - width, t: middle - LABEL_HEIGHT / 2 },
        { l: centre - width / 2, t: box.t - LABEL_HEIGHT - 1 },
        { l: centre - width / 2, t: box.b + 1 },
      ];
      for (var i = 0; i < tries.length; i++) {
        var spot = { l: tries[i].l, r: tries[i].l + width, t: tries[i].t, b: tries[i].t + LABEL_HEIGHT };
        if (spot.l < plot.l || spot.r > plot.r || spot.t < plot.t || spot.b > plot.b) continue;
        if (spot.t < lane.t || spot.b > lane.b) continue;
        var clear = obstacles.every(function (other) { return !overlaps(spot, other); }) &&
          taken.every(function (other) { return !overlaps(spot, other); });
        if (!clear) continue;
        taken.push(spot);
        seen[mark.slug] = true;
        var label = document.createElement("span");
        label.className = "chart-label";
        label.textContent = mark.label;
        label.setAttribute("data-slug", mark.slug);
        label.style.left = spot.l + "px";
        label.style.top = spot.t + "px";
        label.style.width = width + "px";
        layer.appendChild(label);
        break;
      }
    });
  }

  // A label opens its event, like its mark.
  document.addEventListener("click", function (event) {
    var label = event.target.closest && event.target.closest(".chart-label");
    var chart = chartElement();
    if (!label || !chart) return;
    chart.timeline.selected = label.getAttribute("data-slug");
    chart.dispatchEvent(new CustomEvent("timeline:open", {
      bubbles: true, detail: { slug: label.getAttribute("data-slug"), url: null },
    }));
  });

  // ---- hover card ----------------------------------------------------------------------

  function hideTip() {
    if (tip) tip.hidden = true;
  }

  function line(className, text) {
    var node = document.createElement("span");
    node.className = className;
    node.textContent = text;
    return node;
  }

  // Plain text in a box of at most TIP_MAX pixels that always stays inside the viewport.
  function showTip(chart, event) {
    var point = event.points && event.points[0];
    if (!point) return;
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tip";
      tip.setAttribute("aria-hidden", "true");
      document.body.appendChild(tip);
    }
    tip.textContent = "";
    var card = point.customdata;
    if (card && card[0]) {
      tip.appendChild(line("tip-date", card[2]));
      tip.appendChild(line("tip-title", card[3]));
      if (card[4]) tip.appendChild(line("tip-figure", card[4]));
    } else if (point.hovertext) {
      tip.appendChild(line("tip-title", point.hovertext));
    } else {
      return;
    }
    tip.hidden = false;
    var x;
    var y;
    if (event.event && typeof event.event.clientX === "number") {
      x = event.event.clientX;
      y = event.event.clientY;
    } else {
      var box = chart.getBoundingClientRect();
      x = box.left + (point.bbox ? (point.bbox.x0 + point.bbox.x1) / 2 : box.width / 2);
      y = box.top + (point.bbox ? (point.bbox.y0 + point.bbox.y1) / 2 : box.height / 2);
    }
    var viewport = document.documentElement.clientWidth;
    tip.style.maxWidth = Math.min(TIP_MAX, viewport - 16) + "px";
    var width = tip.offsetWidth;
    var height = tip.offsetHeight;
    var left = x + 14;
    if (left + width > viewport - 8) left = x - 14 - width;
    left = Math.max(8, Math.min(left, viewport - 8 - width));
    var top = y + 16;
    if (top + height > window.innerHeight - 8) top = y - 16 - height;
    top = Math.max(8, top);
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }

  // ---- size ----------------------------------------------------------------------------

  // The figure has a designed height; its width follows the container (page column, embed
  // frame), and every change of width redraws it and places the labels again.
  function observeSize(chart) {
    if (!("ResizeObserver" in window)) return;
    var lastWidth = chart.clientWidth;
    new ResizeObserver(function () {
      var width = chart.clientWidth;
      if (!width || width === lastWidth || !chart._fullLayout || !window.Plotly) return;
      lastWidth = width;
      window.Plotly.Plots.resize(chart).then(function () { placeLabels(chart); });
    }).observe(chart);
  }

  window.TimelineChart = {
    draw: draw,
    select: function (slug) {
      var chart = chartElement();
      if (chart && chart.timeline) chart.timeline.selected = slug;
    },
  };
})();

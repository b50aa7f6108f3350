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
      } else if (trace.mode === "markers" && trace.customdata) {
        trace.marker = Object.assign({}, trace.marker, {
          line: { width: 1.5, color: bg },
        });
      }
    });
    return figure;
  }

  // ---- the view window, kept in the address as zoom=FROM~TO -----------------------------
  // (view= is the page's chart or map; links shared before it said view=FROM~TO, still read.)

  var ZOOM = /^(\d{4}-\d\d-\d\dT\d\d:\d\d)~(\d{4}-\d\d-\d\dT\d\d:\d\d)$/;

  function stamp(ms) {
    return new Date(ms).toISOString().slice(0, 16);
  }

  function viewFromUrl() {
    var params = new URLSearchParams(location.search);
    var value = params.get("zoom") || params.get("view");
    var match = value && ZOOM.exec(value);
    if (!match) return null;
    var from = Date.parse(match[1] + "Z");
    var to = Date.parse(match[2] + "Z");
    return isFinite(from) && isFinite(to) && to > from ? [from, to] : null;
  }

  function writeViewToUrl(range, home) {
    var url = new URL(location.href);
    var same = Math.abs(range[0] - home[0]) < 60000 && Math.abs(range[1] - home[1]) < 60000;
    if (ZOOM.test(url.searchParams.get("view") || "")) url.searchParams.delete("view");
    if (same) url.searchParams.delete("zoom");
    else url.searchParams.set("zoom", stamp(range[0]) + "~" + stamp(range[1]));
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
    // On a touch screen Plotly would take every swipe that starts on the chart: a static plot
    // leaves swipes to the page, a tap is a click (found below), the buttons zoom and move.
    var config = Object.assign({}, CONFIG, { staticPlot: touchOnly() });
    var cards = {};
    figure.data.forEach(function (trace) {
      (trace.customdata || []).forEach(function (card) { cards[card[0]] = card; });
    });
    var counts = figure.data.filter(function (trace) { return trace.type === "bar" && trace.hovertext; });
    chart.timeline = {
      meta: meta,
      home: home,
      extent: (meta.extent || layout.xaxis.range).map(dateToMs),
      cards: cards,
      counts: counts,
      selected: chart.timeline && chart.timeline.selected,
    };
    var fresh = !chart._fullLayout || !chart.getAttribute("data-bound") ||
      chart.getAttribute("data-static") !== String(config.staticPlot);
    if (fresh && chart._fullLayout) Plotly.purge(chart);
    chart.setAttribute("data-static", String(config.staticPlot));
    var drawn = fresh
      ? Plotly.newPlot(chart, figure.data, layout, config)
      : Plotly.react(chart, figure.data, layout, config);
    drawn.then(function () {
      if (!chart.getAttribute("data-bound")) bind(chart);
      placeLabels(chart);
      markRange(chart);
    });
  }

  function bind(chart) {
    chart.setAttribute("data-bound", "1");
    chart.on("plotly_relayouting", function () { hideTip(); scheduleLabels(chart); });
    chart.on("plotly_relayout", function (change) {
      if (!("xaxis.range" in change || "xaxis.range[0]" in change || "xaxis.autorange" in change)) return;
      placeLabels(chart);
      markRange(chart);
      var range = currentRange(chart);
      if (range) writeViewToUrl(range, chart.timeline.home);
      followZoom(chart, range);
    });
    if (chart.getAttribute("data-listening")) return;
    // Native listeners outlive Plotly.purge: added once per element.
    chart.setAttribute("data-listening", "1");
    var down = null;
    // Capture phase: Plotly's drag layer handles the press itself and stops it there.
    chart.addEventListener("pointerdown", function (event) {
      down = [event.clientX, event.clientY];
    }, true);
    chart.addEventListener("click", function (event) {
      // A drag along the timeline ends in a click too: only a press that stayed put counts.
      if (down && Math.abs(event.clientX - down[0]) + Math.abs(event.clientY - down[1]) > 6) return;
      var hit = markAt(chart, event.clientX, event.clientY);
      if (!hit || !hit.slug) return;
      hideTip();
      chart.timeline.selected = hit.slug;
      chart.dispatchEvent(new CustomEvent("timeline:open", {
        bubbles: true, detail: { slug: hit.slug, url: (chart.timeline.cards[hit.slug] || [])[1] },
      }));
    });
    var pending = null;
    chart.addEventListener("mousemove", function (event) {
      if (touchOnly()) return;
      pending = event;
      requestAnimationFrame(function () {
        if (!pending) return;
        var at = pending;
        pending = null;
        var hit = markAt(chart, at.clientX, at.clientY);
        chart.classList.toggle("is-over-mark", Boolean(hit));
        if (hit) showTip(hit, at.clientX, at.clientY);
        else hideTip();
        hovered(chart, hit && hit.slug);
      });
    });
    chart.addEventListener("mouseleave", function () { pending = null; hideTip(); hovered(chart, null); });
    chart.addEventListener("wheel", function (event) { onWheel(chart, event); }, { passive: false });
    observeSize(chart);
  }

  // The figure's geometry in pixels inside the chart element, from Plotly's own axes.
  function geometry(chart) {
    var full = chart._fullLayout;
    if (!full || !chart.timeline) return null;
    var xa = full.xaxis;
    var ya = full.yaxis;
    var py = function (value) { return ya._offset + ya.c2p(value); };
    return {
      plot: { l: xa._offset, r: xa._offset + xa._length, t: ya._offset, b: ya._offset + ya._length },
      px: function (value) { return xa._offset + xa.c2p(typeof value === "number" ? value : dateToMs(value)); },
      py: py,
      half: (chart.timeline.meta.bar_thickness || 0.56) * Math.abs(py(1) - py(0)) / 2,
    };
  }

  // A mark's box on screen; `reach` widens it to a target a finger or pointer can find.
  function markBox(geo, mark, reach) {
    var x0 = geo.px(mark.x0);
    var y = geo.py(mark.y);
    if (mark.point) {
      // Plotly draws a diamond or a star wider than its nominal size.
      var r = Math.max(mark.size * 0.7 + 1, reach);
      return { l: x0 - r, r: x0 + r, t: y - r, b: y + r };
    }
    var x1 = Math.max(geo.px(mark.x1), x0 + 2);
    var grow = Math.max(0, (2 * reach - (x1 - x0)) / 2);
    var h = Math.max(geo.half, reach);
    return { l: x0 - grow, r: x1 + grow, t: y - h, b: y + h };
  }

  // The event (or the count of a bin) under a point on the screen: the mark whose box holds
  // it, the nearest centre winning where targets meet.
  function markAt(chart, clientX, clientY) {
    var geo = geometry(chart);
    if (!geo) return null;
    var frame = chart.getBoundingClientRect();
    var x = clientX - frame.left;
    var y = clientY - frame.top;
    var p = geo.plot;
    if (x < p.l || x > p.r || y < p.t || y > p.b) return null;
    var best = null;
    var bestDistance = Infinity;
    (chart.timeline.meta.marks || []).forEach(function (mark) {
      var box = markBox(geo, mark, 9);
      if (x < box.l || x > box.r || y < box.t || y > box.b) return;
      var distance = Math.abs((box.l + box.r) / 2 - x) / (box.r - box.l) + Math.abs((box.t + box.b) / 2 - y) / (box.b - box.t);
      if (distance < bestDistance) {
        best = { slug: mark.slug };
        bestDistance = distance;
      }
    });
    if (best) return best;
    // A label stands for its mark: the layer lets the pointer through to the chart (so a drag
    // or a wheel over a label still reaches Plotly), and the label is found here by its box.
    var layer = chart.parentNode && chart.parentNode.querySelector(".chart-labels");
    if (layer) {
      layer.querySelectorAll(".chart-label").forEach(function (label) {
        var box = label.getBoundingClientRect();
        if (clientX >= box.left && clientX <= box.right && clientY >= box.top && clientY <= box.bottom) {
          best = { slug: label.getAttribute("data-slug") };
        }
      });
    }
    if (best) return best;
    chart.timeline.counts.forEach(function (trace) {
      trace.base.forEach(function (base, i) {
        var l = geo.px(base);
        var r = geo.px(dateToMs(base) + trace.x[i]);
        var cy = geo.py(trace.y[i]);
        var h = Math.abs(geo.py(1) - geo.py(0)) / 2;
        if (x >= l && x <= r && y >= cy - h && y <= cy + h) best = { text: trace.hovertext[i] };
      });
    });
    return best;
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

  function onWheel(chart, event) {
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
  // lane's name, none outside the plot or its mark's lane. Pure geometry, so it can be tested
  // on its own: candidates [{id, text, width, box, lane}] in order of importance, obstacles
  // [{l, r, t, b}], the plot's box; returns [{id, text, l, t, r, b}].
  function layoutLabels(candidates, obstacles, plot) {
    var taken = [];
    candidates.forEach(function (label) {
      var box = label.box;
      if (box.r < plot.l || box.l > plot.r) return;
      var lane = label.lane || plot;
      var middle = (box.t + box.b) / 2;
      var centre = Math.max(plot.l, Math.min(plot.r, (box.l + box.r) / 2));
      var width = label.width;
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
        taken.push({ id: label.id, text: label.text, l: spot.l, r: spot.r, t: spot.t, b: spot.b });
        return;
      }
    });
    return taken;
  }

  // The labels, written into the layer over the plot.
  function placeLabels(chart) {
    var layer = chart.parentNode && chart.parentNode.querySelector(".chart-labels");
    var geo = geometry(chart);
    if (!layer || !geo) return;
    layer.textContent = "";
    var meta = chart.timeline.meta;
    var candidates = [];
    var seen = {};
    var obstacles = (meta.marks || []).map(function (mark) {
      var box = markBox(geo, mark, 0);
      if (mark.label && !seen[mark.slug]) {
        seen[mark.slug] = true;
        var band = (meta.lane_bands || [])[mark.lane];
        candidates.push({
          id: mark.slug,
          text: mark.label,
          width: textWidth(mark.label) + 2 * LABEL_PAD,
          box: box,
          lane: band ? { t: geo.py(band[0]), b: geo.py(band[1]) } : null,
        });
      }
      return box;
    });
    // The lanes' names as drawn (the stylesheet sets their case and spacing).
    var frame = chart.getBoundingClientRect();
    chart.querySelectorAll(".annotation").forEach(function (note) {
      var box = note.getBoundingClientRect();
      obstacles.push({
        l: box.left - frame.left - 2, r: box.right - frame.left + 2,
        t: box.top - frame.top - 1, b: box.bottom - frame.top + 1,
      });
    });
    layoutLabels(candidates, obstacles, geo.plot).forEach(function (spot) {
      var label = document.createElement("span");
      label.className = "chart-label";
      label.textContent = spot.text;
      label.setAttribute("data-slug", spot.id);
      label.style.left = spot.l + "px";
      label.style.top = spot.t + "px";
      label.style.width = spot.r - spot.l + "px";
      layer.appendChild(label);
    });
  }

  // ---- hover card ----------------------------------------------------------------------

  // The map (map.js) follows the chart: which event the pointer is over, as it changes.
  var lastHovered = null;
  function hovered(chart, slug) {
    if (slug === lastHovered) return;
    lastHovered = slug || null;
    chart.dispatchEvent(new CustomEvent("timeline:hover", { bubbles: true, detail: { slug: lastHovered } }));
  }

  // A ring around an event's mark, for a map marker or list item the reader is pointing at.
  function highlight(slug) {
    var chart = chartElement();
    var stage = chart && chart.parentNode;
    if (!stage) return;
    var ring = stage.querySelector(".chart-highlight");
    var geo = slug ? geometry(chart) : null;
    var mark = geo && (chart.timeline.meta.marks || []).filter(function (m) { return m.slug === slug; })[0];
    var box = mark && markBox(geo, mark, 6);
    if (!box || box.r < geo.plot.l || box.l > geo.plot.r) {
      if (ring) ring.hidden = true;
      return;
    }
    if (!ring) {
      ring = document.createElement("div");
      ring.className = "chart-highlight";
      ring.setAttribute("aria-hidden", "true");
      stage.appendChild(ring);
    }
    var left = Math.max(box.l, geo.plot.l);
    var right = Math.min(box.r, geo.plot.r);
    ring.style.left = left - 3 + "px";
    ring.style.top = box.t - 3 + "px";
    ring.style.width = right - left + 6 + "px";
    ring.style.height = box.b - box.t + 6 + "px";
    ring.hidden = false;
  }

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
  function showTip(hit, x, y) {
    var chart = chartElement();
    var card = hit.card || (hit.slug && chart && chart.timeline && chart.timeline.cards[hit.slug]);
    if (!card && !hit.text) return hideTip();
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tip";
      tip.setAttribute("aria-hidden", "true");
      document.body.appendChild(tip);
    }
    tip.textContent = "";
    if (card) {
      tip.appendChild(line("tip-date", card[2]));
      tip.appendChild(line("tip-title", card[3]));
      if (card[5]) tip.appendChild(line("tip-place", card[5]));
      if (card[4]) tip.appendChild(line("tip-figure", card[4]));
    } else {
      tip.appendChild(line("tip-title", hit.text));
    }
    tip.hidden = false;
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

  // ---- "How the figure changed": small step charts on an event's page and panel ----------

  function drawHistories(root) {
    (root || document).querySelectorAll("[data-history]").forEach(function (box) {
      var chart = box.querySelector(".history-chart");
      var data = document.getElementById(box.getAttribute("data-history"));
      if (!chart || !data || chart.getAttribute("data-drawn")) return;
      chart.setAttribute("data-drawn", "1");
      var figure = themed(JSON.parse(data.textContent));
      var muted = cssVar("--muted", "#595959");
      figure.layout.yaxis = Object.assign({}, figure.layout.yaxis, { tickfont: { color: muted } });
      figure.data.forEach(function (trace) {
        trace.textfont = { color: getComputedStyle(document.body).color, size: 12 };
      });
      loadPlotly().then(function (Plotly) {
        box.hidden = false; // shown once it can be drawn: the table below says it all anyway
        return Plotly.newPlot(chart, figure.data, figure.layout,
          Object.assign({}, CONFIG, { staticPlot: true }));
      }).then(function () {
        observeHistory(chart);
      }).catch(function () {
        box.hidden = true;
      });
    });
  }

  function observeHistory(chart) {
    if (!("ResizeObserver" in window)) return;
    var lastWidth = chart.clientWidth;
    new ResizeObserver(function () {
      var width = chart.clientWidth;
      if (!width || width === lastWidth || !document.contains(chart)) return;
      lastWidth = width;
      window.Plotly.Plots.resize(chart);
    }).observe(chart);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawHistories(document); });
  } else {
    drawHistories(document);
  }

  window.TimelineChart = {
    draw: draw,
    drawHistories: drawHistories,
    layoutLabels: layoutLabels,
    plotly: loadPlotly,
    cssVar: cssVar,
    touchOnly: touchOnly,
    showTip: showTip,
    hideTip: hideTip,
    highlight: highlight,
    select: function (slug) {
      var chart = chartElement();
      if (chart && chart.timeline) chart.timeline.selected = slug;
    },
  };
})();

/* The map view: draws the server-built map figure (timeline/reader/map_figure.py) with the map
   bundle of plotly.js, which chart.js loads on these pages, and keeps map, chart and list in
   step: pointing at a place rings its event on the chart and in the list, a click opens it, and
   the chart's or list's event rings its places here. The list is the accessible twin. */
(function () {
  "use strict";
  // htmx runs a page's scripts again when Back restores it: one copy listens, the other redraws.
  if (window.TimelineMap) {
    window.TimelineMap.draw();
    return;
  }

  // The figure's own traces are marked in `meta` (map_figure.py): a category may be named anything.
  var HIGHLIGHT = "highlight";
  var COUNTRY_NAMES = "countries";
  var RAD = Math.PI / 180;
  var outlines = null; // the topojson, fetched once from this site's own static files
  var generation = 0;

  function element() {
    return document.getElementById("timeline-map");
  }

  function readFigure() {
    var node = document.getElementById("timeline-map-figure");
    return node ? JSON.parse(node.textContent) : null;
  }

  function countries(url) {
    if (!outlines) {
      outlines = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("no outlines");
        return response.json();
      });
      outlines.catch(function () { outlines = null; });
    }
    return outlines;
  }

  function themed(figure) {
    var chart = window.TimelineChart;
    var fg = getComputedStyle(document.body).color;
    var bg = chart.cssVar("--bg", "#ffffff");
    var panel = chart.cssVar("--panel", "#f6f5f2");
    var rule = chart.cssVar("--muted", "#595959");
    var focus = chart.cssVar("--focus", "#c2410c");
    var geo = figure.layout.geo;
    Object.assign(geo, {
      bgcolor: bg, landcolor: panel, oceancolor: bg, countrycolor: rule, coastlinecolor: rule,
      countrywidth: 0.6, coastlinewidth: 0.6,
    });
    figure.layout.paper_bgcolor = bg;
    figure.layout.font = { color: fg };
    // On a touch screen a swipe across the map scrolls the page; a tap still opens an event.
    figure.layout.dragmode = chart.touchOnly() ? false : "pan";
    figure.data.forEach(function (trace) {
      if (trace.meta === HIGHLIGHT) trace.marker.color = trace.marker.line.color = focus;
      if (trace.meta === COUNTRY_NAMES) trace.textfont.color = rule;
    });
    return figure;
  }

  // The server zooms to the places; this widens the shorter side so the map fills its box
  // (a geo subplot keeps its proportions and would leave bands of nothing on either side).
  function fitted(geo, width, height) {
    if (!width || !height) return;
    var lon = geo.lonaxis.range.slice(), lat = geo.lataxis.range.slice();
    var y = function (degrees) { return Math.log(Math.tan(Math.PI / 4 + degrees * RAD / 2)); };
    var w = (lon[1] - lon[0]) * RAD, h = y(lat[1]) - y(lat[0]);
    var wanted = width / height;
    if (w / h < wanted) {
      // A hair more than the box, so that rounding leaves no sliver of nothing at an edge.
      var more = (h * wanted * 1.01 - w) / RAD / 2;
      geo.lonaxis.range = [Math.max(-180, lon[0] - more), Math.min(180, lon[1] + more)];
    } else {
      var grow = (w * 1.01 / wanted - h) / 2;
      var latOf = function (value) { return (2 * Math.atan(Math.exp(value)) - Math.PI / 2) / RAD; };
      geo.lataxis.range = [Math.max(-80, latOf(y(lat[0]) - grow)), Math.min(84, latOf(y(lat[1]) + grow))];
    }
  }

  function draw() {
    var map = element();
    var figure = readFigure();
    if (!map || !figure || !window.TimelineChart) return;
    var mine = ++generation;
    Promise.all([window.TimelineChart.plotly(), countries(map.getAttribute("data-topojson"))])
      .then(function (loaded) {
        if (mine !== generation || !document.contains(map)) return;
        var Plotly = loaded[0];
        window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
        window.PlotlyGeoAssets.topojson.world_110m = loaded[1];
        figure = themed(figure);
        fitted(figure.layout.geo, map.clientWidth, map.clientHeight);
        figure.layout.height = map.clientHeight || figure.layout.height;
        // Zoom by buttons only: a wheel or a swipe over the map keeps scrolling the page.
        var config = {
          displayModeBar: true, modeBarButtons: [["zoomInGeo", "zoomOutGeo", "resetGeo"]],
          displaylogo: false, scrollZoom: false, doubleClick: false, responsive: true, showTips: false,
        };
        return Plotly.newPlot(map, figure.data, figure.layout, config).then(function () {
          bind(map);
          map.removeAttribute("data-ringed");
          ringPlaces(selected);
          var tools = map.parentNode.querySelector(".map-tools");
          if (tools) tools.hidden = false;
        });
      })
      .catch(function () { map.classList.add("is-unavailable"); });
  }

  // Every place of one event, read from the markers themselves.
  function placesOf(map, slug) {
    var lat = [], lon = [];
    (map.data || []).forEach(function (trace) {
      if (trace.meta || !trace.customdata) return;
      (trace.customdata || []).forEach(function (card, i) {
        if (card[0] === slug) { lat.push(trace.lat[i]); lon.push(trace.lon[i]); }
      });
    });
    return { lat: lat, lon: lon };
  }

  function ringPlaces(slug) {
    var map = element();
    if (!map || !map.data || !window.Plotly) return;
    var index = map.data.findIndex(function (trace) { return trace.meta === HIGHLIGHT; });
    if (index < 0) return;
    var where = slug ? placesOf(map, slug) : { lat: [], lon: [] };
    if (map.getAttribute("data-ringed") === (slug || "")) return;
    map.setAttribute("data-ringed", slug || "");
    window.Plotly.restyle(map, { lat: [where.lat], lon: [where.lon] }, [index]);
  }

  function ringCard(slug) {
    document.querySelectorAll(".event-card.is-highlighted").forEach(function (card) {
      card.classList.remove("is-highlighted");
    });
    var card = slug && document.getElementById("event-" + slug);
    if (card) card.classList.add("is-highlighted");
  }

  // After every newPlot: it drops the listeners a plot had.
  function bind(map) {
    map.removeAllListeners && map.removeAllListeners("plotly_hover");
    map.removeAllListeners && map.removeAllListeners("plotly_unhover");
    map.removeAllListeners && map.removeAllListeners("plotly_click");
    map.on("plotly_hover", function (event) {
      var point = event.points && event.points[0];
      var card = point && point.customdata;
      if (!card) return;
      var from = event.event || {};
      window.TimelineChart.showTip({ card: card }, from.clientX || 0, from.clientY || 0);
      ringPlaces(card[0]);
      ringCard(card[0]);
      window.TimelineChart.highlight(card[0]);
    });
    map.on("plotly_unhover", function () {
      window.TimelineChart.hideTip();
      pointedAt(null);
      ringCard(null);
      window.TimelineChart.highlight(null);
    });
    map.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      var card = point && point.customdata;
      if (!card) return;
      window.TimelineChart.hideTip();
      window.TimelineChart.select(card[0]);
      map.dispatchEvent(new CustomEvent("timeline:open", {
        bubbles: true, detail: { slug: card[0], url: card[1] },
      }));
    });
  }

  // Zoom buttons beside the map, since the wheel and a swipe are left to scrolling the page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-map-zoom]");
    var map = element();
    if (!button || !map || !map._fullLayout || !window.Plotly) return;
    var how = button.getAttribute("data-map-zoom");
    if (how === "reset") return draw();
    var scale = map._fullLayout.geo.projection.scale || 1;
    scale = how === "in" ? Math.min(scale * 1.6, 40) : Math.max(scale / 1.6, 1);
    window.Plotly.relayout(map, { "geo.projection.scale": scale });
  });

  // The chart's pointer, the list's pointer and focus ring their places; when the pointer
  // leaves, the ring goes back to the open event's (the panel's), if any.
  var selected = null;
  function pointedAt(slug) { ringPlaces(slug || selected); }
  document.addEventListener("timeline:hover", function (event) { pointedAt(event.detail.slug); });
  document.addEventListener("timeline:open", function (event) { ringPlaces(event.detail.slug); });
  document.addEventListener("timeline:selected", function (event) {
    selected = event.detail.slug;
    ringPlaces(selected);
  });
  function fromCard(event) {
    var card = event.target.closest && event.target.closest(".event-card");
    if (!card || !card.id) return;
    var slug = card.id.replace(/^event-/, "");
    pointedAt(slug);
    window.TimelineChart && window.TimelineChart.highlight(slug);
  }
  document.addEventListener("mouseover", fromCard);
  document.addEventListener("focusin", fromCard);
  document.addEventListener("mouseout", function (event) {
    var card = event.target.closest && event.target.closest(".event-card");
    if (!card || (event.relatedTarget && card.contains(event.relatedTarget))) return;
    pointedAt(null);
    window.TimelineChart && window.TimelineChart.highlight(null);
  });

  // A map about to be swapped out lets go of its plot first.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var map = element();
    if (map && event.detail.target && event.detail.target.contains(map) && window.Plotly) {
      window.Plotly.purge(map);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "results") draw();
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
  window.TimelineMap = { draw: draw, ring: ringPlaces };
})();

/* Host-page loader: turns each <div data-timeline-embed="slug"> into a timeline frame that
   sizes itself. Only height messages from the timeline's own origin are believed. */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector('script[src*="embed.js"], script[src*="/static/js/embed."]');
  var origin = new URL(script.src, location.href).origin;
  var frames = {};
  var counter = 0;

  function frameUrl(box, id) {
    var slug = box.getAttribute("data-timeline-embed");
    var url = new URL("/embed/" + (slug ? encodeURIComponent(slug) + "/" : ""), origin);
    Array.prototype.forEach.call(box.attributes, function (attr) {
      var name = attr.name.replace(/^data-/, "");
      if (attr.name.indexOf("data-") !== 0) return;
      if (name === "timeline-embed" || name === "title" || name === "timeline-mounted") return;
      attr.value.split(",").forEach(function (value) {
        if (value.trim()) url.searchParams.append(name, value.trim());
      });
    });
    url.searchParams.set("childId", id);
    url.searchParams.set("parentUrl", location.href);
    return url.toString();
  }

  function mount(box) {
    if (box.getAttribute("data-timeline-mounted")) return;
    box.setAttribute("data-timeline-mounted", "1");
    var id = "timeline-embed-" + (++counter);
    var frame = document.createElement("iframe");
    frame.id = id;
    frame.src = frameUrl(box, id);
    frame.title = box.getAttribute("data-title") || "Interactive timeline";
    frame.loading = "lazy";
    frame.setAttribute("scrolling", "no");
    frame.style.cssText = "width:100%;border:0;height:600px;display:block";
    box.appendChild(frame);
    frames[id] = frame;
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || typeof event.data !== "string") return;
    var parts = event.data.split("xPYMx");
    if (parts.length !== 4 || parts[0] !== "pym" || parts[2] !== "height") return;
    var frame = frames[parts[1]];
    var height = parseInt(parts[3], 10);
    if (frame && height > 0) frame.style.height = height + "px";
  });

  function mountAll() {
    document.querySelectorAll("[data-timeline-embed]").forEach(mount);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mountAll);
  } else {
    mountAll();
  }
})();

/* Story mode: arrow keys and swipes follow the slide's own Previous and Next links, so the
   address, Back and Forward work as they do without this file. The new slide's heading takes
   the focus, which also has screen readers read it, and a status line says which slide of
   how many it is. */
(function () {
  "use strict";

  var KEY = "timeline-story-moved";

  function go(rel) {
    var link = document.querySelector(".story-nav a[rel=" + rel + "]");
    if (!link) return;
    try { sessionStorage.setItem(KEY, "1"); } catch (e) { /* private mode: no focus move */ }
    location.href = link.href;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (event.key === "ArrowRight") { event.preventDefault(); go("next"); }
    if (event.key === "ArrowLeft") { event.preventDefault(); go("prev"); }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest(".story-nav a[rel], .story-start")) {
      try { sessionStorage.setItem(KEY, "1"); } catch (e) { /* ignore */ }
    }
  });

  var start = null;
  document.addEventListener("touchstart", function (event) {
    // One finger, at the page's own scale, outside the chart (which pans): anything else is
    // the reader pinching, zooming or exploring, not turning the page.
    var zoomed = window.visualViewport && window.visualViewport.scale > 1.01;
    if (event.touches.length > 1 || zoomed || event.target.closest(".story-chart")) {
      start = null;
      return;
    }
    var touch = event.changedTouches[0];
    start = [touch.clientX, touch.clientY];
  }, { passive: true });
  document.addEventListener("touchend", function (event) {
    if (!start || event.touches.length) { start = null; return; }
    var touch = event.changedTouches[0];
    var dx = touch.clientX - start[0];
    var dy = touch.clientY - start[1];
    start = null;
    // A clear sideways swipe; anything more vertical is the reader scrolling.
    if (Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) go(dx < 0 ? "next" : "prev");
  }, { passive: true });

  // The chart under the slide: a mark opens its own slide (chart.js says which).
  document.addEventListener("timeline:open", function (event) {
    if (!event.detail.url) return;
    try { sessionStorage.setItem(KEY, "1"); } catch (e) { /* ignore */ }
    location.href = event.detail.url;
  });
  if (window.TimelineChart) window.TimelineChart.draw();

  var moved = false;
  try { moved = sessionStorage.getItem(KEY) === "1"; sessionStorage.removeItem(KEY); } catch (e) { /* ignore */ }
  var heading = document.getElementById("slide-title");
  if (moved && heading) {
    heading.focus();
    // The heading is read on focus; the status says where in the story that is.
    var status = document.getElementById("story-status");
    var count = document.querySelector(".slide-count");
    if (status && count) setTimeout(function () { status.textContent = count.textContent; }, 250);
  }
})();

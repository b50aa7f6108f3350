/* Inside an embed: tell the host page how tall we are, in the messages Pym.js and
   @newswire/frames hosts already understand, so any of them can size the frame. */
(function () {
  "use strict";
  if (window.parent === window) return;

  var params = new URLSearchParams(location.search);
  // Pym.js names the frame in its first address only; the frame's own name outlives a move
  // to the next slide of a story, and is this frame's alone (sessionStorage is the tab's).
  var PREFIX = "timeline-pym:";
  var childId = params.get("childId");
  if (childId !== null) window.name = PREFIX + childId;
  else childId = window.name.indexOf(PREFIX) === 0 ? window.name.slice(PREFIX.length) : "";
  var lastHeight = 0;

  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === lastHeight) return;
    lastHeight = height;
    // Pym.js: "pymxPYMx<id>xPYMxheightxPYMx<px>"
    window.parent.postMessage("pymxPYMx" + childId + "xPYMxheightxPYMx" + height, "*");
    // @newswire/frames (AMP's embed-size message)
    window.parent.postMessage({ sentinel: "amp", type: "embed-size", height: height }, "*");
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      send();
    });
  }

  if ("ResizeObserver" in window) new ResizeObserver(schedule).observe(document.documentElement);
  window.addEventListener("load", schedule);
  document.addEventListener("htmx:afterSettle", schedule);
  schedule();
})();

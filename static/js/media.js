/* Click to load: a link card's "Play it here" swaps in the video site's player. Until the reader
   asks, nothing from that site loads (timeline/media.py picks the privacy-minded addresses). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-load-player]");
    if (!button) return;
    var holder = button.closest(".link-card-player");
    if (!holder || holder.querySelector("iframe")) return;
    var frame = document.createElement("iframe");
    frame.src = holder.getAttribute("data-player");
    frame.title = holder.getAttribute("data-title") || "Video";
    frame.allow = "fullscreen; picture-in-picture; encrypted-media";
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.setAttribute("allowfullscreen", "");
    holder.textContent = "";
    holder.classList.add("is-playing");
    holder.appendChild(frame);
    frame.focus();
  });
})();

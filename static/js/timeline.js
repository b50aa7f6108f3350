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
    // The map (map.js) keeps the open event's places ringed.
    document.dispatchEvent(new CustomEvent("timeline:selected", { detail: { slug: slug || null } }));
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

  // ---- Live: new, updated and corrected events offered, never pushed in -----------------
  // The page polls its own view (#live-source, written by the server into the results) with
  // the ETag of the last answer: 304 while nothing public changed. When something did, a
  // polite notice offers it; nothing moves until the reader asks.

  var liveTimer = null;
  var liveFailures = 0;

  function liveSource() {
    return document.getElementById("live-source");
  }

  function scheduleLive(seconds) {
    clearTimeout(liveTimer);
    var source = liveSource();
    if (!source) return;
    var every = Number(source.getAttribute("data-every")) || 15;
    var wait = seconds !== undefined ? seconds : every * (1 + Math.random() * 0.2);
    liveTimer = setTimeout(pollLive, wait * 1000 * Math.pow(2, Math.min(liveFailures, 5)));
  }

  function pollLive() {
    var source = liveSource();
    if (!source || !window.fetch) return;
    if (document.hidden) return; // asked again when the page is seen (visibilitychange)
    var headers = { Accept: "application/json" };
    var etag = source.getAttribute("data-etag");
    if (etag) headers["If-None-Match"] = etag;
    var url = source.getAttribute("data-src");
    fetch(url, { headers: headers, cache: "no-store", credentials: "omit" }).then(function (response) {
      if (liveSource() !== source) return null; // the results were swapped meanwhile
      if (response.status === 304) return null;
      if (!response.ok) throw new Error("live check answered " + response.status);
      var tag = response.headers.get("ETag");
      if (tag) source.setAttribute("data-etag", tag);
      return response.json();
    }).then(function (found) {
      liveFailures = 0;
      if (found) offer(found.new || 0, found.updated || 0);
      scheduleLive();
    }).catch(function () {
      liveFailures += 1; // offline or a server in trouble: ask less often, then resume
      scheduleLive();
    });
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  function offer(added, changed) {
    var notice = document.getElementById("live-notice");
    if (!notice) return;
    if (!added && !changed) {
      notice.textContent = "";
      return;
    }
    var parts = [];
    if (added) parts.push(plural(added, "new event", "new events"));
    if (changed) parts.push(plural(changed, "event updated", "events updated"));
    var text = parts.join(" and ");
    var button = notice.querySelector("button");
    if (button && button.getAttribute("data-text") === text) return; // said already
    notice.textContent = "";
    button = document.createElement("button");
    button.type = "button";
    button.className = "live-show";
    button.setAttribute("data-text", text);
    button.textContent = text + " — show";
    notice.appendChild(button);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".live-show");
    if (!button || !window.htmx) return;
    var notice = document.getElementById("live-notice");
    var top = window.scrollY;
    notice.setAttribute("data-showing", "");
    window.htmx.ajax("GET", location.href, { target: "#results", swap: "outerHTML" }).then(function () {
      window.scrollTo(0, top); // the reader stays where they were reading
      notice.removeAttribute("data-showing");
      notice.textContent = "Showing the latest events.";
      setTimeout(function () {
        if (notice.textContent === "Showing the latest events.") notice.textContent = "";
      }, 5000);
      var list = document.getElementById("chronology");
      if (list) list.focus({ preventScroll: true });
    });
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) scheduleLive(0);
  });

  // New results (a filter, a page, the live notice itself): poll their view from now on.
  // Anything else settling (an event panel) leaves the running poll alone.
  var polled = liveSource();
  document.addEventListener("htmx:afterSettle", function () {
    if (liveSource() === polled) return;
    polled = liveSource();
    scheduleLive();
  });
  // Another view asked for: what the notice offered was about the old one.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    var notice = document.getElementById("live-notice");
    if (target && target.id === "results" && notice && !notice.hasAttribute("data-showing")) {
      notice.textContent = "";
    }
  });
  scheduleLive();

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

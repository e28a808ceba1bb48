// Live countdowns next to SLA badges: <time data-sla-due="ISO" data-sla-left="quedan %s"
// data-sla-late="hace %s">. The server decides the badge; this only keeps the
// remaining time ticking and flips the badge to "vencido" when it runs out.
(function () {
  "use strict";

  function format(seconds) {
    // Remaining time rounds down, time past the due rounds up: never "0 s" late.
    seconds = seconds >= 0 ? Math.floor(seconds) : Math.ceil(-seconds);
    var d = Math.floor(seconds / 86400);
    var h = Math.floor((seconds % 86400) / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    if (d) return d + " d " + h + " h";
    if (h) return h + " h " + String(m).padStart(2, "0") + " min";
    if (m) return m + " min " + String(s).padStart(2, "0") + " s";
    return s + " s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-sla-due]").forEach(function (el) {
      var due = Date.parse(el.dataset.slaDue);
      if (isNaN(due)) return;
      var left = (due - now) / 1000;
      var template = left >= 0 ? el.dataset.slaLeft : el.dataset.slaLate;
      el.textContent = template.replace("%s", format(left));
      if (left < 0) {
        var badge = el.previousElementSibling;
        if (badge && badge.classList.contains("sla-badge") && badge.dataset.slaLateLabel) {
          badge.textContent = badge.dataset.slaLateLabel;
          badge.className = "badge sla-badge sla-badge--vencido";
        }
        el.classList.add("sla-countdown--late");
      }
    });
  }

  function start() {
    tick();
    window.setInterval(tick, 1000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // htmx swaps in new queue pages: their countdowns start at the next tick.
})();

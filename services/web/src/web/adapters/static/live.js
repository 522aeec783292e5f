// The dashboard updates itself: every few seconds it asks whether its figures changed (204: no) and,
// when they did, swaps in the new HTML of its live part. No inline script: the page's CSP allows none.
(function () {
  "use strict";
  var box = document.getElementById("truc-tiep");
  if (!box || !window.fetch) { return; }
  var status = document.getElementById("trang-thai-cap-nhat");
  var ms = parseInt(box.getAttribute("data-ms"), 10) || 2000;
  var busy = false;

  function tick() {
    if (busy || document.hidden) { return; }
    busy = true;
    var url = box.getAttribute("data-url") + "&v=" + encodeURIComponent(box.getAttribute("data-version"));
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (reply) {
        if (reply.redirected || reply.status === 401) { window.location.reload(); return null; }
        if (reply.status !== 200) { return null; }
        var version = reply.headers.get("X-Version");
        return reply.text().then(function (html) {
          var open = {};
          box.querySelectorAll("details").forEach(function (d, i) { open[i] = d.open; });
          box.innerHTML = html;
          box.querySelectorAll("details").forEach(function (d, i) { if (i in open) { d.open = open[i]; } });
          box.setAttribute("data-version", version || "");
          if (status) {
            status.textContent = "Đã cập nhật lúc " + new Date().toLocaleTimeString("vi-VN") + ".";
          }
        });
      })
      .catch(function () { /* offline for a moment: the next tick tries again */ })
      .then(function () { busy = false; });
  }

  window.setInterval(tick, ms);
}());

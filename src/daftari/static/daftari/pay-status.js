// The public pay page, while an M-Pesa prompt waits: ask the server where it stands every 4 seconds
// and show the receipt (or the failure) by itself. Without JavaScript the "Check again" link does it.
(function () {
  "use strict";
  var box = document.getElementById("payment-status");
  if (!box || !box.dataset.poll || !window.fetch) return;
  var tries = 0;
  function later(ms) { if (tries < 150) window.setTimeout(poll, ms); }
  function poll() {
    tries += 1;
    fetch(box.dataset.poll, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (answer) {
        if (!answer.ok) { later(answer.status === 429 ? 15000 : 8000); return null; }
        return answer.text();
      })
      .then(function (html) {
        if (html === null) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#payment-status");
        if (!fresh) { later(8000); return; }
        box.replaceWith(fresh);
        box = fresh;
        if (box.dataset.poll) { later(4000); } else { window.location.reload(); }
      })
      .catch(function () { later(8000); });
  }
  later(4000);
})();

// The error summary (templates/_error_summary.html) takes the focus when its page loads, so the
// keyboard and a screen reader start at what needs correcting; each of its links leads to a field.
(function () {
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();

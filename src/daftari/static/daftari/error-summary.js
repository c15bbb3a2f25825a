// The error summary (templates/_error_summary.html) takes the focus when its page loads, so the
// keyboard and a screen reader start at what needs correcting; each of its links leads to a field.
// The script is loaded right after the summary without "defer": it runs before the form below is
// parsed, so the focus moves before anyone can type. Deferred, it ran whenever the script arrived,
// and could take the focus from a field already being typed into (the keys then went nowhere).
(function () {
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  }
  if (document.querySelector("[data-error-summary]") || document.readyState !== "loading") {
    focusSummary();
  } else {
    document.addEventListener("DOMContentLoaded", focusSummary);
  }
})();

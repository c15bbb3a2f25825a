// "Print" buttons (the notice, the property receipt): no inline handlers under the Content-Security-Policy.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});

// Small behaviours shared by every page. No framework: htmx does the swaps.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) { event.preventDefault(); window.print(); }
});

// Small behaviours shared by every page. No framework: htmx does the swaps.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) { event.preventDefault(); window.print(); }
});

// Search-as-you-type choice (core/lookups.py): picking a result fills the hidden value.
document.addEventListener("click", (event) => {
  const option = event.target.closest(".lookup-option");
  if (!option) return;
  const box = option.closest("[data-lookup]");
  box.querySelector("[data-lookup-value]").value = option.dataset.value;
  const input = box.querySelector("[data-lookup-input]");
  input.value = option.textContent;
  input.setAttribute("aria-expanded", "false");
  box.querySelector(".lookup-results").replaceChildren();
});
document.addEventListener("input", (event) => {
  const input = event.target.closest("[data-lookup-input]");
  if (!input) return;
  // Typing again clears the old choice until a new one is picked.
  input.closest("[data-lookup]").querySelector("[data-lookup-value]").value = "";
  input.setAttribute("aria-expanded", "true");
});

// Phones: fold long filter panels (details.fold-phone) unless a filter in them is in use.
function foldFiltersOnPhones() {
  if (!window.matchMedia("(max-width: 600px)").matches) return;
  document.querySelectorAll("details.fold-phone[open]").forEach((details) => {
    const inUse = [...details.querySelectorAll("select, input")].some(
      (el) => (el.type !== "hidden" || el.matches("[data-lookup-value]")) && el.value
        && el.name !== "sort" && !el.matches("[data-lookup-input]")
    );
    if (!inUse) details.removeAttribute("open");
  });
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", foldFiltersOnPhones);
} else {
  foldFiltersOnPhones();
}

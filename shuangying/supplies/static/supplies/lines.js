// "添加一行" under a line table: copies the formset's empty form (a <template>), numbers the
// new row and counts it in the management form. Without JavaScript the table still has its
// blank rows and the page works.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (!button) return;
  event.preventDefault();
  const prefix = button.dataset.addRow;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const template = document.getElementById(`${prefix}-empty`);
  const body = document.getElementById(`${prefix}-body`);
  if (!total || !template || !body) return;
  const index = Number(total.value);
  const max = Number(document.getElementById(`id_${prefix}-MAX_NUM_FORMS`)?.value || 1000);
  if (index >= max) return;
  body.insertAdjacentHTML(
    "beforeend",
    template.innerHTML.replaceAll("__prefix__", String(index)).replaceAll("__num__", String(index + 1)),
  );
  total.value = String(index + 1);
  body.lastElementChild?.querySelector("select, input")?.focus();
});

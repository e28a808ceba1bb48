// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (el.matches("[data-autosubmit]")) el.form.requestSubmit();
});

// Show or hide a block when a control has a value: data-reveal-when="name=value".
function syncReveals(root) {
  root.querySelectorAll("[data-reveal-when]").forEach((block) => {
    const [name, value] = block.dataset.revealWhen.split("=");
    const control = document.querySelector(`[name="${name}"]:checked, select[name="${name}"]`);
    const on = control && control.value === value;
    block.hidden = !on;
  });
}
document.addEventListener("change", () => syncReveals(document));
document.addEventListener("DOMContentLoaded", () => syncReveals(document));
document.addEventListener("htmx:afterSwap", (e) => syncReveals(e.target));

// Canned responses: insert the chosen text into the reply box.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (!el.matches("[data-insert-into]") || !el.value) return;
  const target = document.getElementById(el.dataset.insertInto);
  const option = el.selectedOptions[0];
  target.value = (target.value ? target.value + "\n\n" : "") + option.dataset.body;
  target.focus();
  el.value = "";
});

// Console composer: switching between "Respuesta pública" and "Nota interna"
// moves "Estado después de enviar" to that mode's default, unless the agent
// already picked something else.
document.addEventListener("change", (event) => {
  const el = event.target;
  if (!el.matches("input[data-reply-mode]")) return;
  const select = el.form.querySelector("select[data-reply-default]");
  if (!select) return;
  const reply = select.dataset.replyDefault;
  const note = select.dataset.noteDefault;
  if (el.value === "nota" && select.value === reply) select.value = note;
  if (el.value === "respuesta" && select.value === note) select.value = reply;
});

// A <select> replaced by htmx keeps the option the person picked while the
// request was in flight (e.g. the category list reloaded for a department).
const keptValues = new Map();
document.addEventListener("htmx:beforeSwap", (event) => {
  const old = event.detail.target;
  if (old && old.tagName === "SELECT" && old.id) keptValues.set(old.id, old.value);
});
document.addEventListener("htmx:afterSwap", (event) => {
  const id = event.detail.target && event.detail.target.id;
  const value = keptValues.get(id);
  keptValues.delete(id);
  const select = id && document.getElementById(id);
  if (value && select && select.tagName === "SELECT" && !select.value &&
      [...select.options].some((o) => o.value === value)) {
    select.value = value;
  }
});

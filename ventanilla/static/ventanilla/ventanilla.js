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

// Focus and announcements, one mechanism for every page. The server marks
// the new content: data-focus on what takes focus (data-focus="field": its
// first form field; data-focus="fallback": only if nothing else is marked,
// e.g. the page's flash messages) and data-announce="…" on what a screen reader hears, in
// the one polite live region (#live-status). After an htmx swap focus goes
// to the marked element, else — when the swap took the focused element
// away — to the new content's heading; on a page load only a marked element
// takes focus (e.g. a form's error summary).
const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";
const FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";

function shown(el) {
  return el.getClientRects().length > 0;
}

function focusInto(el) {
  if (el.dataset.focus === "field") {
    const field = [...el.querySelectorAll(FIELDS)].find(shown);
    if (field) {
      field.focus();
      return;
    }
  }
  if (!el.matches(FOCUSABLE)) el.setAttribute("tabindex", "-1");
  el.focus();
}

let announceTimer = null;
function announce(text) {
  const region = document.getElementById("live-status");
  if (!region || !text) return;
  region.textContent = "";
  clearTimeout(announceTimer);
  // A moment later, so the same words twice in a row are read twice.
  announceTimer = setTimeout(() => { region.textContent = text; }, 100);
}

function focusLost() {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

function arrive(roots, { swapped }) {
  const find = (selector) => roots.map((root) => (
    root.matches(selector) ? root : root.querySelector(selector))).find(Boolean);
  const target = find("[data-focus]:not([data-focus=fallback])") || find("[data-focus=fallback]");
  if (target) {
    focusInto(target);
  } else if (swapped && focusLost()) {
    focusInto(find("h1, h2, h3") || roots[0]);
  }
  const status = find("[data-announce]");
  if (swapped && status) announce(status.dataset.announce);
}

// htmx fires afterSettle on each new element of one swap: handle them together.
let settled = [];
document.addEventListener("htmx:afterSettle", (event) => {
  const root = event.target;
  if (!(root instanceof Element) || !root.isConnected) return;
  if (!settled.length) {
    queueMicrotask(() => {
      const roots = settled;
      settled = [];
      arrive(roots, { swapped: true });
    });
  }
  settled.push(root);
});
document.addEventListener("DOMContentLoaded", () => arrive([document.body], { swapped: false }));

// For the other scripts (chat.js): the same focus rule and live region.
window.ventanilla = { announce, focusInto, arrive };

// Small shared pieces: toasts, a modal dialog, a labelled value, the empty/error states.
import { html, signal } from "./html.js";
import { t } from "./i18n.js";

export const toasts = signal([]);
let nextToast = 1;

/** notify(message, "info" | "error" | "ok"): a toast that goes away by itself */
export function notify(message, kind = "info", ms = 5000) {
  const id = nextToast++;
  toasts.value = [...toasts.value, { id, message, kind }];
  setTimeout(() => { toasts.value = toasts.value.filter((x) => x.id !== id); }, ms);
}

/** run an API action and say what went wrong (the server's words) */
export async function attempt(fn, okMessage) {
  try {
    const r = await fn();
    if (okMessage) notify(okMessage, "ok", 2500);
    return r;
  } catch (e) {
    notify(e.message || String(e), "error");
    return undefined;
  }
}

export function Toasts() {
  return html`<div class="toasts" role="status" aria-live="polite">
    ${toasts.value.map((x) => html`<div key=${x.id} class=${`toast toast-${x.kind}`}>${x.message}</div>`)}
  </div>`;
}

export function Modal({ title, onClose, children }) {
  return html`<div class="modal-back" onClick=${(e) => e.target === e.currentTarget && onClose()}>
    <div class="modal" role="dialog" aria-label=${title}>
      <header><h3>${title}</h3><button class="icon" title=${t("ui.close")} onClick=${onClose}>×</button></header>
      ${children}
    </div>
  </div>`;
}

export function Stat({ label, value, cls = "" }) {
  return html`<div class=${`stat ${cls}`}><div class="stat-value">${value}</div><div class="stat-label">${label}</div></div>`;
}

export function Empty({ children }) {
  return html`<div class="empty">${children}</div>`;
}

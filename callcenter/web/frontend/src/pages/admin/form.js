// Form pieces of the admin page: a labelled field that shows the server's refusal under itself when
// the refusal names it (the API answers {error, field}: the provisioning checks' own words), and the
// save/delete helpers that report what the running server did with the change.
import { html } from "../../core/html.js";
import { api } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { notify } from "../../core/ui.js";

/** <${Field} label=... name="extension" error=${err}>...input...<//> */
export function Field({ label, name, error, children, wide }) {
  const mine = error && error.field === name;
  return html`<label class=${`field ${mine ? "has-error" : ""} ${wide ? "wide" : ""}`} data-field=${name}>
    <span>${label}</span>${children}
    ${mine ? html`<span class="field-error" role="alert" data-testid=${`error-${name}`}>${error.message}</span>` : null}
  </label>`;
}

/** the refusal not tied to a field shown, as a line above the buttons */
export function FormError({ error, fields }) {
  if (!error || (error.field && fields.includes(error.field))) return null;
  return html`<div class="form-error" role="alert" data-testid="form-error">${error.message}</div>`;
}

function applied(r) {
  const a = r && r.applied;
  if (!a) return "";
  if (a.error) return ` (${a.error})`;
  if (a.errors && a.errors.length) return ` (${t("admin.apply_errors", { errors: a.errors.map((e) => (typeof e === "string" ? e : e.error || e.message || JSON.stringify(e))).join("; ") })})`;
  return ` (${t("admin.applied")})`;
}

/** PUT a provisioning entry; resolves to the answer, or sets the refusal and resolves to null */
export async function saveEntry(path, body, what, setError) {
  try {
    const r = await api("PUT", path, body);
    setError(null);
    notify(t("admin.saved", { what }) + applied(r), "ok");
    return r;
  } catch (e) {
    setError({ field: e.field, message: e.message, status: e.status });
    return null;
  }
}

export async function deleteEntry(path, what) {
  if (!window.confirm(t("admin.confirm_delete", { what }))) return false;
  try {
    const r = await api("DELETE", path);
    notify(t("admin.deleted", { what }) + applied(r), "ok");
    return true;
  } catch (e) {
    notify(e.message, "error");
    return false;
  }
}

/** "en-US, zh-CN" -> ["en-US", "zh-CN"] */
export const splitList = (s) => String(s || "").split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);

/** a number field's value: "" -> undefined (left out), else Number (or the text, for the server to refuse) */
export function numberOrText(s) {
  if (s === "" || s === null || s === undefined) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}

// Wrap-up: a code and notes stored with the call (POST /api/calls/{id}/wrapup), then end wrap-up.
import { html, useState, useEffect } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { call, me, settings, clearCall } from "./store.js";
import * as act from "./actions.js";

export const wrapupForm = { save: null };

export function WrapupPanel({ agentId }) {
  const c = call.value;
  const [code, setCode] = useState((c.wrapup && c.wrapup.code) || "");
  const [notes, setNotes] = useState((c.wrapup && c.wrapup.notes) || "");
  useEffect(() => { setCode((c.wrapup && c.wrapup.code) || ""); setNotes((c.wrapup && c.wrapup.notes) || ""); }, [c.call_id]);
  const inWrap = me.value && me.value.state === "wrap_up";
  const save = async (end) => {
    const r = (code || notes.trim()) ? await act.saveWrapup(code, notes) : true;
    if (!r || !end) return;
    if (inWrap) await act.endWrapup(agentId);
    else clearCall();
  };
  wrapupForm.save = save;
  useEffect(() => () => { wrapupForm.save = null; }, []);
  return html`<div class="panel wrapup" data-testid="wrapup">
    <h2>${t("desk.wrapup")}</h2>
    <div class="row">
      <label class="muted">${t("desk.code")}
        <select data-testid="wrapup-code" value=${code} onChange=${(e) => setCode(e.target.value)}>
          <option value="">–</option>
          ${(settings.value.wrapup_codes || []).map((x) => html`<option value=${x}>${x}</option>`)}
        </select></label>
    </div>
    <label class="muted notes">${t("desk.notes")}
      <textarea data-testid="wrapup-notes" rows="3" value=${notes} onInput=${(e) => setNotes(e.target.value)}
        onKeyDown=${(e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); save(true); } }}></textarea></label>
    <div class="row">
      <button data-testid="wrapup-save" onClick=${() => save(false)}>${t("desk.save")} <kbd>Alt+S</kbd></button>
      <button class="primary" data-testid="wrapup-save-end" onClick=${() => save(true)}>
        ${inWrap ? t("desk.save_end") : t("desk.done")} <kbd>Ctrl+Enter</kbd></button>
      ${c.wrapup && html`<span class="ok-text" data-testid="wrapup-saved">✓ ${t("desk.saved")}</span>`}
    </div>
  </div>`;
}

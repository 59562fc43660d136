// My state: badge with time in state, ready / pause (reason menu) / end wrap-up (countdown) / log in-out.
import { html, signal, useState } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { duration } from "../../core/format.js";
import { serverNow } from "../../core/clock.js";
import { me, settings } from "./store.js";
import * as act from "./actions.js";

/** the pause-reason menu is open (Alt+P opens it, 1..9 picks a reason) */
export const pauseMenu = signal(false);

export function PauseMenu({ agentId, onClose }) {
  const reasons = settings.value.pause_reasons || [];
  return html`<div class="menu" role="menu" data-testid="pause-menu">
    <div class="menu-title">${t("desk.pause_reason")}</div>
    ${reasons.map((r, i) => html`<button role="menuitem" key=${r}
        onClick=${() => { onClose(); act.pause(agentId, r); }}>${i < 9 ? html`<kbd>${i + 1}</kbd> ` : ""}${r}</button>`)}
  </div>`;
}

export function StatePanel({ agentId }) {
  const menu = pauseMenu.value;
  const setMenu = (v) => { pauseMenu.value = v; };
  const [phone, setPhone] = useState("");
  const a = me.value;
  if (!a) return html`<div class="panel">${t("ui.loading")}</div>`;
  const now = serverNow();
  const since = a.state_since ? now - a.state_since : null;
  const loggedOut = a.state === "logged_out";
  const left = a.state === "wrap_up" && a.wrapup_until ? Math.max(0, a.wrapup_until - now) : null;
  return html`<div class="panel desk-state">
    <h2>${t("desk.state")} · ${a.name || a.agent_id}</h2>
    <div class="row">
      <span class=${`state big state-${a.state}`} data-testid="agent-state">${t("state." + a.state)}</span>
      ${a.state === "paused" && a.reason && html`<span class="muted" data-testid="pause-reason">${a.reason}</span>`}
    </div>
    <div class="muted time-in-state" data-testid="time-in-state">${t("desk.in_state", { t: duration(since) })}</div>
    ${left !== null && html`<div class="countdown" data-testid="wrapup-countdown">${t("desk.wrapup_left", { t: duration(left) })}</div>`}
    ${loggedOut ? html`<div class="col">
        <label class="muted">${t("desk.phone")}
          <input placeholder=${a.interface || "PJSIP/…"} value=${phone} onInput=${(e) => setPhone(e.target.value)} /></label>
        <button class="primary" onClick=${() => act.login(agentId, phone.trim())}>${t("desk.login")}</button>
      </div>` : html`<div class="col">
        <button class="primary" data-testid="btn-ready" disabled=${a.state === "ready" || a.state === "on_call" || a.state === "offered"}
                onClick=${() => act.ready(agentId)}>${t("desk.ready")} <kbd>Alt+R</kbd></button>
        <div class="menu-host">
          <button data-testid="btn-pause" disabled=${a.state === "on_call" || a.state === "offered"}
                  onClick=${() => setMenu(!menu)}>${t("desk.pause")} ▾ <kbd>Alt+P</kbd></button>
          ${menu && html`<${PauseMenu} agentId=${agentId} onClose=${() => setMenu(false)} />`}
        </div>
        ${a.state === "wrap_up" && html`<button data-testid="btn-end-wrapup" onClick=${() => act.endWrapup(agentId)}>
            ${t("desk.end_wrapup")} <kbd>Alt+E</kbd></button>`}
        <button class="ghost" disabled=${a.state === "on_call" || a.state === "offered"}
                onClick=${() => act.logoutAgent(agentId)}>${t("desk.logout")}</button>
      </div>`}
    <div class="muted small">${t("desk.phone")}: ${a.phone || a.interface || "–"}</div>
  </div>`;
}

// The call on screen: the screen pop (caller, dialled number, queue, wait, and what the IVR learned:
// its path, intent, phrases heard, digits, variables) and the call controls.
import { html, useState } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { duration } from "../../core/format.js";
import { serverNow } from "../../core/clock.js";
import { Empty, Modal } from "../../core/ui.js";
import { call, features, recording, settings } from "./store.js";
import * as act from "./actions.js";

export const transferOpen = { set: null };

function Field({ label, children, testid }) {
  return html`<div class="field"><div class="field-label">${label}</div><div class="field-value" data-testid=${testid}>${children}</div></div>`;
}

function IvrLearned({ c }) {
  const sum = c.ivr_summary || {};
  const vars = Object.entries(c.ivr || {}).filter(([k]) => !k.startsWith("_"));
  return html`<div class="ivr-learned">
    ${(sum.path || []).length > 0 && html`<${Field} label=${t("desk.ivr_path")} testid="ivr-path">
      <span class="path">${sum.path.map((n, i) => html`${i ? html`<span class="arrow">›</span>` : ""}<span class="node">${n}</span>`)}</span></${Field}>`}
    ${c.intent && html`<${Field} label=${t("desk.intent")} testid="ivr-intent"><b>${c.intent}</b></${Field}>`}
    ${(sum.heard || []).length > 0 && html`<${Field} label=${t("desk.heard")} testid="ivr-heard">
      ${sum.heard.map((h) => html`<div>“${h.text}”${h.matched ? html` → <b>${h.matched}</b>` : ""}${h.confidence != null ? html` <span class="muted">${Math.round(h.confidence * 100)}%</span>` : ""}</div>`)}</${Field}>`}
    ${(sum.digits || []).length > 0 && html`<${Field} label=${t("desk.digits")} testid="ivr-digits">
      ${sum.digits.map((d) => html`<span class="digits">${d.digits}</span> <span class="muted">(${d.node})</span> `)}</${Field}>`}
    ${vars.length > 0 && html`<${Field} label=${t("desk.variables")} testid="ivr-vars">
      <table class="vars"><tbody>${vars.map(([k, v]) => html`<tr key=${k}><th>${k}</th><td>${typeof v === "object" ? JSON.stringify(v) : String(v)}</td></tr>`)}</tbody></table></${Field}>`}
  </div>`;
}

function TransferDialog({ onClose }) {
  const [to, setTo] = useState("");
  const queues = settings.value.queues || [];
  const toQueue = (q) => { act.transfer(`queue:${q}`); onClose(); };
  return html`<${Modal} title=${t("desk.transfer")} onClose=${onClose}>
    ${queues.length > 0 && html`<div class="transfer-queues" data-testid="transfer-queues">
      <div class="field-label">${t("desk.transfer_queue")}</div>
      <div class="row wrap">${queues.map((q) => html`<button type="button" key=${q} data-testid=${`transfer-queue-${q}`}
        onClick=${() => toQueue(q)}>${q}</button>`)}</div></div>`}
    <form onSubmit=${(e) => { e.preventDefault(); act.transfer(to.trim()); onClose(); }}>
      <label>${t("desk.transfer_to")}<input autofocus value=${to} onInput=${(e) => setTo(e.target.value)} placeholder="a03 · 3005 · 05551234" /></label>
      <div class="actions"><button type="button" onClick=${onClose}>${t("ui.cancel")}</button>
        <button class="primary" type="submit" disabled=${!to.trim()}>${t("desk.transfer")}</button></div>
    </form>
  </${Modal}>`;
}

function Controls({ agentId, c }) {
  const [xfer, setXfer] = useState(false);
  transferOpen.set = setXfer;
  const f = features.value;
  const talking = c.phase === "talking";
  const rec = recording.value;
  const na = t("desk.unavailable");
  return html`<div class="controls row">
    <button class="danger" data-testid="btn-hangup" disabled=${!talking} onClick=${() => act.hangup(agentId)}>
      ${t("desk.hangup")} <kbd>Alt+H</kbd></button>
    <button data-testid="btn-hold" class=${c.on_hold ? "on-hold" : ""} disabled=${!talking || !f.hold} title=${f.hold ? "" : na}
            onClick=${() => act.hold(!c.on_hold)}>
      ${c.on_hold ? t("desk.unhold") : t("desk.hold")}
      ${c.on_hold && c.on_hold_since && html` <b class="mono" data-testid="hold-timer">${duration(serverNow() - c.on_hold_since)}</b>`}
      <kbd>Alt+K</kbd></button>
    <button data-testid="btn-transfer" disabled=${!talking || !f.transfer} title=${f.transfer ? "" : na} onClick=${() => setXfer(true)}>
      ${t("desk.transfer")} <kbd>Alt+T</kbd></button>
    <button data-testid="btn-recording" disabled=${!talking || !f.recording} title=${f.recording ? "" : na}
            onClick=${() => act.recordingAction(!rec ? "start" : rec.paused ? "resume" : "pause")}>
      ${!rec ? t("desk.rec_start") : rec.paused ? t("desk.rec_resume") : t("desk.rec_pause")}</button>
    ${rec && html`<span class=${`rec-dot ${rec.paused ? "paused" : ""}`} data-testid="rec-state">${rec.paused ? t("desk.rec_paused") : t("desk.recording")}</span>`}
    ${xfer && html`<${TransferDialog} onClose=${() => setXfer(false)} />`}
  </div>`;
}

export function CallPanel({ agentId }) {
  const c = call.value;
  if (!c) return html`<div class="panel call-panel idle"><${Empty}>${t("desk.no_call")}</${Empty}></div>`;
  const now = serverNow();
  const title = { ringing: t("desk.incoming"), talking: t("desk.talking"), ended: t("desk.ended") }[c.phase];
  const talk = c.answered_at ? (c.ended_at || now) - c.answered_at : null;
  return html`<div class=${`panel call-panel phase-${c.phase}`} data-testid="screen-pop">
    <header class="row"><h2>${title}</h2><div class="spacer"></div>
      ${c.on_hold && c.phase === "talking" && html`<span class="badge on-hold" data-testid="on-hold">${t("desk.on_hold")}</span>`}
      ${talk !== null && html`<span class="muted">${t("desk.talk_time")} <b class="mono">${duration(talk)}</b></span>`}</header>
    <div class="caller-line">
      <span class="caller-num" data-testid="pop-caller">${c.caller || "–"}</span>
      ${c.caller_name && html`<span class="caller-name">${c.caller_name}</span>`}
    </div>
    <div class="fields">
      <${Field} label=${t("desk.queue")} testid="pop-queue">${c.queue || "–"}</${Field}>
      <${Field} label=${t("desk.did")}>${c.did || "–"}</${Field}>
      <${Field} label=${t("desk.language")}>${c.language || "–"}</${Field}>
      ${c.wait != null && html`<${Field} label=${t("desk.waited")}>${duration(c.wait)}</${Field}>`}
      ${c.callback_number && html`<${Field} label=${t("desk.callback")}>${c.callback_number}</${Field}>`}
    </div>
    <${IvrLearned} c=${c} />
    <${Controls} agentId=${agentId} c=${c} />
  </div>`;
}

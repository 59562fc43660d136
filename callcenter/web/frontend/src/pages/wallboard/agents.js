// The agents' grid: one card per agent, coloured by state, with time in state; a card's menu offers
// listen / whisper / barge (rings the supervisor's phone), force pause with a reason, force logout.
// Each card reads its own agent's signal; the time in state moves on with the 1 s tick without
// re-rendering the card (core/clock.js: elapsed).
import { html, useState } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { elapsed } from "../../core/clock.js";
import { post } from "../../core/api.js";
import { attempt, Modal } from "../../core/ui.js";
import { agentIds, agents, settings } from "./store.js";

const PHONE_KEY = "callcenter.supervisor_phone";

function AgentMenu({ a, onClose }) {
  const [phone, setPhone] = useState(localStorage.getItem(PHONE_KEY) || "");
  const id = encodeURIComponent(a.agent_id);
  const spy = (mode) => {
    if (!phone.trim()) return;
    localStorage.setItem(PHONE_KEY, phone.trim());
    attempt(() => post(`api/agents/${id}/spy`, { mode, phone: phone.trim() }), t("wb.spy_ringing", { phone: phone.trim() }));
    onClose();
  };
  const act = (verb, body) => { attempt(() => post(`api/agents/${id}/${verb}`, body), `${a.agent_id}: ${verb}`); onClose(); };
  const onCall = a.state === "on_call";
  return html`<${Modal} title=${`${a.name || a.agent_id} · ${t("state." + a.state)}`} onClose=${onClose}>
    <label>${t("wb.my_phone")}<input value=${phone} placeholder="PJSIP/2100" onInput=${(e) => setPhone(e.target.value)} /></label>
    <div class="actions wrap">
      <button disabled=${!onCall || !phone.trim()} onClick=${() => spy("listen")}>${t("wb.listen")}</button>
      <button disabled=${!onCall || !phone.trim()} onClick=${() => spy("whisper")}>${t("wb.whisper")}</button>
      <button disabled=${!onCall || !phone.trim()} onClick=${() => spy("barge")}>${t("wb.barge")}</button>
    </div>
    <div class="actions wrap">
      ${(settings.value.pause_reasons || []).map((r) => html`<button disabled=${a.state === "logged_out"}
          onClick=${() => act("pause", { reason: r })}>${t("wb.force_pause")}: ${r}</button>`)}
      <button class="danger" disabled=${a.state === "logged_out"} onClick=${() => act("logout", { reason: "supervisor" })}>${t("wb.force_logout")}</button>
    </div>
  </${Modal}>`;
}

function AgentCard({ id, onOpen }) {
  const a = agents.get(id).value;
  return html`<button class=${`acard state-${a.state}`} data-testid=${`agent-${id}`} data-state=${a.state}
                      title=${`${a.agent_id} ${a.phone || a.interface || ""}`} onClick=${() => onOpen(id)}>
    <span class="acard-name">${a.name || a.agent_id}</span>
    <span class="acard-state">${t("state." + a.state)}${a.state === "paused" && a.reason ? ` · ${a.reason}` : ""}</span>
    <span class="mono" ...${elapsed(a.state_since)} />
  </button>`;
}

export function AgentGrid() {
  const [open, setOpen] = useState(null);
  const ids = agentIds.value;
  return html`<div class="agrid" data-testid="agents">
    ${ids.map((id) => html`<${AgentCard} key=${id} id=${id} onOpen=${setOpen} />`)}
    ${open && agents.get(open) && html`<${AgentMenu} a=${agents.get(open).value} onClose=${() => setOpen(null)} />`}
  </div>`;
}


// Queue tiles: waiting, longest wait, SL gauge against target, ASA, AHT, abandon rate, agents by state.
// Each tile reads its own queue's signal: a change in one queue repaints that tile only.
import { html } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { pct, secs } from "../../core/format.js";
import { elapsed } from "../../core/clock.js";
import { Gauge } from "./gauge.js";
import { queue, queueNames } from "./store.js";
import { alertQueues } from "./alerts.js";

const STATES = ["ready", "on_call", "offered", "wrap_up", "paused", "logged_out"];

/** agents by state as a bar (called as a function inside the tile: no component of its own to set up) */
export function StateBar({ states, total }) {
  const n = total || Object.values(states || {}).reduce((a, b) => a + b, 0) || 1;
  return html`<div class="state-bar" title=${STATES.map((s) => `${t("state." + s)}: ${(states || {})[s] || 0}`).join(" · ")}>
    ${STATES.map((s) => (states || {})[s] ? html`<span class=${`seg state-${s}`} style=${`width:${(100 * states[s]) / n}%`}>${states[s]}</span>` : null)}
  </div>`;
}

function QueueTile({ name }) {
  const q = queue(name).value;
  const alert = alertQueues.value.split(",").includes(name);
  return html`<div class=${`qtile ${alert ? "alert" : ""}`} data-testid=${`queue-${name}`} data-queue=${name}>
    <div class="qtile-head"><b>${name}</b><span class="muted">${q.strategy}</span></div>
    <div class="qtile-body">
      <div class="qtile-nums">
        <div class=${`big-num ${q.calls_waiting ? "hot" : ""}`} data-field="waiting">${q.calls_waiting}</div>
        <div class="muted">${t("wb.waiting")}</div>
        <div class="mono" data-field="longest" ...${elapsed(q.longest_since, "0:00")} />
        <div class="muted">${t("wb.longest")}</div>
      </div>
      <div class="qtile-gauge">
        ${Gauge({ value: q.service_level, target: q.sl_percent || 80, label: t("wb.sl") })}
        <div class="muted tiny">${t("wb.target", { p: q.sl_percent || 80, s: q.sl_target })}</div>
      </div>
    </div>
    <div class="qtile-figs">
      <span>${t("wb.asa")} <b data-field="asa">${secs(q.asa)}</b></span>
      <span>${t("wb.aht")} <b data-field="aht">${secs(q.aht)}</b></span>
      <span>${t("wb.abandon")} <b data-field="abandon_rate">${pct(q.abandon_rate)}</b></span>
      <span>${t("wb.answered")} <b data-field="answered">${q.answered}</b>/<b data-field="offered">${q.offered}</b></span>
    </div>
    ${StateBar({ states: q.agent_states })}
  </div>`;
}

export function QueueTiles() {
  return html`<div class="qtiles">${queueNames.value.map((n) => html`<${QueueTile} key=${n} name=${n} />`)}</div>`;
}

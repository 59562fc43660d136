// Side panels: the caller's previous calls, my figures today, the phone (browser phone slot).
import { html, useEffect, useRef } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { duration, dateTime, pct } from "../../core/format.js";
import { session } from "../../core/session.js";
import { Stat } from "../../core/ui.js";
import { history, me, today } from "./store.js";

export function HistoryPanel() {
  const h = history.value;
  if (!h) return null;
  return html`<div class="panel history" data-testid="history">
    <h2>${t("desk.history")}</h2>
    ${h.calls.length === 0 ? html`<div class="muted">${t("desk.no_history")}</div>` : html`<table><tbody>
      ${h.calls.map((c) => html`<tr key=${c.call_id}>
        <td><a href=${"#/quality?call=" + encodeURIComponent(c.call_id)} data-testid="history-open">${dateTime(c.arrived_at)}</a></td><td>${c.queue || "–"}</td><td>${c.agent || "–"}</td>
        <td>${c.disposition}</td><td class="num">${duration(c.talk_s)}</td>
        <td>${c.wrapup ? html`<b>${c.wrapup.code || ""}</b> ${c.wrapup.notes || ""}` : ""}</td></tr>`)}
    </tbody></table>`}
  </div>`;
}

export function TodayPanel() {
  const f = today.value;
  return html`<div class="panel today" data-testid="today">
    <h2>${t("desk.today")}</h2>
    <div class="row stats">
      <${Stat} label=${t("desk.answered")} value=${f ? f.answered : 0} />
      <${Stat} label=${t("desk.missed")} value=${f ? f.missed : 0} />
      <${Stat} label=${t("desk.aht")} value=${duration(f && f.aht)} />
      <${Stat} label=${t("desk.talk")} value=${duration(f ? f.talk_time : 0)} />
      <${Stat} label=${t("desk.occupancy")} value=${pct(f && f.occupancy)} />
      <${Stat} label=${t("desk.paused_time")} value=${duration(f ? f.pause_time : 0)} />
    </div>
  </div>`;
}

// The browser phone (callcenter/web/phone, by the media plane) mounts here when the server has it:
// the module at phone/desk.js exporting mount(element, {token, agent, phone}) -> unmount function.
// Without it, the agent's SIP phone rings.
export function PhonePanel({ agentId }) {
  const slot = useRef(null);
  useEffect(() => {
    let unmount = null;
    let alive = true;
    const url = new URL("phone/desk.js", document.baseURI).toString();
    fetch(url, { method: "HEAD" }).then((r) => {
      if (!r.ok || !alive) return;
      return import(/* webpackIgnore: true */ url).then((m) => {
        if (alive && m.mount) unmount = m.mount(slot.current, { token: session.value.token, agent: agentId, phone: me.value && me.value.phone });
      });
    }).catch(() => {});
    return () => { alive = false; if (typeof unmount === "function") unmount(); };
  }, [agentId]);
  const a = me.value;
  return html`<div class="panel phone" data-testid="phone-slot">
    <h2>${t("desk.softphone")}</h2>
    <div ref=${slot} class="phone-slot"></div>
    <div class="muted small">${t("desk.sip_phone", { phone: (a && (a.phone || a.interface)) || "–" })}</div>
  </div>`;
}

// Threshold alerts (web.alert_* in the configuration, and each queue's own SL target): computed from
// the live queue view; the list says when each breach began.
import { html, computed } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { duration, clock } from "../../core/format.js";
import { queue, queueNames, settings, lastUpdate, riskAlerts } from "./store.js";

const MIN_FOR_SL = 5;         // calls offered before a low SL is worth an alert

export function breaches(q) {
  const a = settings.value.alerts || {};
  const out = [];
  if (a.waiting != null && q.calls_waiting > a.waiting) out.push(["waiting", t("wb.alert_waiting", { q: q.name, n: q.calls_waiting, x: a.waiting })]);
  const longest = q.longest_since ? lastUpdate.value - q.longest_since : 0;
  if (a.longest_wait != null && longest > a.longest_wait) out.push(["longest", t("wb.alert_longest", { q: q.name, t: duration(longest), x: duration(a.longest_wait) })]);
  if (a.abandon_rate != null && q.abandon_rate !== null && q.offered >= MIN_FOR_SL && q.abandon_rate > a.abandon_rate) out.push(["abandon", t("wb.alert_abandon", { q: q.name, p: q.abandon_rate, x: a.abandon_rate })]);
  if (q.service_level !== null && q.offered >= MIN_FOR_SL && q.service_level < (q.sl_percent || 80)) out.push(["sl", t("wb.alert_sl", { q: q.name, p: q.service_level, x: q.sl_percent || 80 })]);
  return out;
}

const since = new Map();      // "queue:kind" -> first seen (server time)

export const alerts = computed(() => {
  const now = lastUpdate.value;
  const out = [];
  const live = new Set();
  for (const name of queueNames.value) {
    const s = queue(name);
    if (!s) continue;
    for (const [kind, text] of breaches(s.value)) {
      const key = `${name}:${kind}`;
      live.add(key);
      if (!since.has(key)) since.set(key, now);
      out.push({ key, text, since: since.get(key) });
    }
  }
  for (const k of [...since.keys()]) if (!live.has(k)) since.delete(k);
  return out;
});

/** the queues in alert, as one string ("billing,sales"): a tile re-renders only when this changes */
export const alertQueues = computed(() => [...new Set(alerts.value.map((a) => a.key.split(":")[0]))].sort().join(","));

export function AlertBar() {
  const list = alerts.value;
  const risks = riskAlerts.value;
  const dismiss = (key) => { riskAlerts.value = riskAlerts.value.filter((r) => r.key !== key); };
  return html`<div class=${`alerts ${list.length || risks.length ? "on" : ""}`} data-testid="alerts" role="status">
    ${list.length === 0 && risks.length === 0 && html`<span class="muted">${t("wb.no_alerts")}</span>`}
    ${list.map((a) => html`<span class="alert-item" key=${a.key}>⚠ ${a.text} <span class="muted">${clock(a.since)}</span></span>`)}
    ${risks.map((r) => html`<span class="alert-item risk" key=${r.key} data-testid="risk-alert">
      ⚑ <a href=${"#/quality?call=" + encodeURIComponent(r.call_id)} data-testid="risk-open" style="color: inherit">${t("wb.alert_risk", { q: r.queue || "–", a: r.agent || "–", s: r.summary })}</a> <span class="muted">${clock(r.ts)}</span>
      <button class="icon small" title=${t("ui.close")} onClick=${() => dismiss(r.key)}>×</button></span>`)}
  </div>`;
}

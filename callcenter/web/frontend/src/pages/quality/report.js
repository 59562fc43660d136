// The conversation analytics report (GET api/analytics/report, the lines of `callcenter qa report`): per
// agent or per queue, average QA score, rule failure rates, risk hits, talk / listen, silence, overtalk,
// mood and its trend by day; "Download CSV" is the same request with format=csv (the API's own bytes).
import { html, useEffect, useState } from "../../core/html.js";
import { download, get } from "../../core/api.js";
import { navigate } from "../../core/router.js";
import { t } from "../../core/i18n.js";
import { atLeast } from "../../core/session.js";
import { notify } from "../../core/ui.js";
import { Mood, Period, Score } from "./util.js";

const COLS = ["calls", "failed", "avg_score", "risk_hits", "calls_with_risk", "talk_listen_ratio", "silence_pct",
              "overtalk_pct", "caller_mood", "agent_mood"];

function params(q) {
  const p = new URLSearchParams({ by: q.by });
  for (const k of ["from", "to", "queue", "agent"]) if (q[k]) p.set(k, q[k]);
  return p;
}

function cell(col, v) {
  if (v === null || v === undefined) return "–";
  if (col === "avg_score") return html`<${Score} value=${v} />`;
  if (col === "silence_pct" || col === "overtalk_pct") return `${v}%`;
  if (col === "caller_mood" || col === "agent_mood") return html`<${Mood} value=${v} />`;
  return String(v);
}

/** caller mood per day as small bars (above the line: positive) */
function Trend({ days }) {
  if (!days || !days.length) return "–";
  return html`<span class="trend" title=${days.map((d) => `${d.day}: ${d.caller_mood} (${d.calls})`).join("\n")}>
    ${days.slice(-14).map((d) => html`<i key=${d.day} class=${d.caller_mood < 0 ? "neg" : "pos"}
      style=${{ height: `${4 + Math.round(Math.abs(d.caller_mood) * 14)}px` }}></i>`)}</span>`;
}

function Rules({ rates }) {
  const worst = Object.entries(rates || {}).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  if (!worst.length) return "–";
  return html`<span class="rules">${worst.map(([id, v]) => html`<span key=${id} class="rule-rate" data-rule=${id}>
    ${id} ${Math.round(v * 100)}%</span>`)}</span>`;
}

export function ReportView({ query }) {
  const q = { by: query.by === "queue" ? "queue" : "agent", from: query.from || "", to: query.to || "",
              queue: query.queue || "", agent: query.agent || "" };
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const key = params(q).toString();
  const load = () => {
    setError(null);
    get(`api/analytics/report?${key}`).then(setReport, (e) => setError(e.message));
  };
  useEffect(load, [key]);
  const set = (patch) => navigate("/quality", Object.fromEntries(Object.entries({ tab: "report", ...q, ...patch }).filter(([, v]) => v)));
  const csv = () => download(`api/analytics/report?${key}&format=csv`, `analytics-${q.by}-${q.from || "all"}.csv`)
    .catch((e) => notify(e.message, "error"));
  const lines = report && report.by === q.by ? report.lines : null;
  return html`<div class="analytics-report">
    <div class="panel row filters">
      <label>${t("qa.by")}<select data-testid="by" value=${q.by} onChange=${(e) => set({ by: e.target.value })}>
        <option value="agent">${t("qa.agent")}</option><option value="queue">${t("qa.queue")}</option></select></label>
      <${Period} from=${q.from} to=${q.to} onChange=${(p) => set(p)} />
      <label>${t("qa.queue")}<input size="10" value=${q.queue} onChange=${(e) => set({ queue: e.target.value })} /></label>
      ${atLeast("supervisor") ? html`<label>${t("qa.agent")}<input size="8" value=${q.agent}
        onChange=${(e) => set({ agent: e.target.value })} /></label>` : null}
      <div style="flex: 1"></div>
      <button onClick=${load}>${t("qa.refresh")}</button>
      <button class="primary" data-testid="csv" onClick=${csv}>${t("qa.csv")}</button>
    </div>
    <div class="panel table-box">
      ${error ? html`<div class="form-error" role="alert">${error}</div>`
        : !lines ? html`<div class="empty">${t("ui.loading")}</div>`
        : !lines.length ? html`<div class="empty">${t("qa.report_empty")}</div>` : html`
      <table data-testid="analytics-table"><thead><tr><th>${t(q.by === "agent" ? "qa.agent" : "qa.queue")}</th>
        ${COLS.map((c) => html`<th class="num">${t("rcol." + c)}</th>`)}<th>${t("rcol.rules")}</th><th>${t("rcol.trend")}</th></tr></thead>
      <tbody>${lines.map((l) => html`<tr key=${l[q.by]} data-name=${l[q.by]}>
        <td>${l[q.by] === "-" ? "–" : html`<a href=${"#/quality?" + new URLSearchParams({ [q.by]: l[q.by], ...(q.from ? { from: q.from } : {}) })}>${l[q.by]}</a>`}</td>
        ${COLS.map((c) => html`<td class="num" data-col=${c}>${cell(c, l[c])}</td>`)}
        <td class="wrap"><${Rules} rates=${l.rule_failure_rates} /></td><td><${Trend} days=${l.mood_trend} /></td></tr>`)}</tbody>
      </table>`}
    </div>
  </div>`;
}

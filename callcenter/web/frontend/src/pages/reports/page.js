// The reports page (#/reports?by=queue&bucket=hour&from=today): the report of GET api/reports, the
// very lines `callcenter report` prints (per queue or per agent, 15-minute / hourly / daily buckets),
// as a table and two charts, with the CSV of the same request (format=csv) to download.
import { html, useEffect, useRef, useState } from "../../core/html.js";
import { download, get } from "../../core/api.js";
import { navigate } from "../../core/router.js";
import { addMessages, t } from "../../core/i18n.js";
import { notify } from "../../core/ui.js";
import { duration, pct } from "../../core/format.js";
import uPlot from "uplot";
import { addStyle } from "../shared/style.js";

addMessages("en", {
  "reports.title": "Reports", "reports.from": "From", "reports.to": "To", "reports.bucket": "Interval",
  "reports.by": "Lines per", "reports.only": "Only", "reports.all": "all", "reports.refresh": "Refresh",
  "reports.csv": "Download CSV", "reports.empty": "No activity in this interval.",
  "reports.today": "today", "reports.yesterday": "yesterday", "reports.7d": "last 7 days", "reports.24h": "last 24 hours",
  "reports.custom": "date and time…", "reports.now": "now",
  "reports.b.15m": "15 minutes", "reports.b.hour": "hour", "reports.b.day": "day",
  "reports.queue": "queue", "reports.agent": "agent",
  "reports.chart.calls": "Calls", "reports.chart.sl": "Service level %", "reports.chart.time": "Time (minutes)",
  "reports.chart.occ": "Occupancy %",
  "col.bucket": "Interval", "col.queue": "Queue", "col.agent": "Agent", "col.offered": "Offered", "col.answered": "Answered",
  "col.abandoned": "Abandoned", "col.service_level": "SL", "col.sl_target": "SL target", "col.asa": "ASA", "col.aht": "AHT",
  "col.abandon_rate": "Abandon %", "col.longest_wait": "Longest wait", "col.rona": "RONA", "col.overflowed": "Overflowed",
  "col.callbacks": "Callbacks", "col.missed": "Missed", "col.talk_time": "Talk", "col.wrapup_time": "Wrap-up",
  "col.staffed_time": "Staffed", "col.pause_time": "Paused", "col.occupancy": "Occupancy", "col.pause_by_reason": "Pause reasons",
  "col.transferred_in": "Transferred in", "col.hold_time": "On hold",
});
addMessages("zh", {
  "reports.title": "报表", "reports.from": "从", "reports.to": "到", "reports.bucket": "时间粒度",
  "reports.by": "按", "reports.only": "仅", "reports.all": "全部", "reports.refresh": "刷新",
  "reports.csv": "下载 CSV", "reports.empty": "此时间段内没有活动。",
  "reports.today": "今天", "reports.yesterday": "昨天", "reports.7d": "最近 7 天", "reports.24h": "最近 24 小时",
  "reports.custom": "日期时间…", "reports.now": "现在",
  "reports.b.15m": "15 分钟", "reports.b.hour": "小时", "reports.b.day": "天",
  "reports.queue": "队列", "reports.agent": "座席",
  "reports.chart.calls": "来电", "reports.chart.sl": "服务水平 %", "reports.chart.time": "时长（分钟）",
  "reports.chart.occ": "占用率 %",
  "col.bucket": "时段", "col.queue": "队列", "col.agent": "座席", "col.offered": "呼入", "col.answered": "接听",
  "col.abandoned": "放弃", "col.service_level": "服务水平", "col.sl_target": "目标(秒)", "col.asa": "平均应答", "col.aht": "平均处理",
  "col.abandon_rate": "放弃率", "col.longest_wait": "最长等待", "col.rona": "未应答", "col.overflowed": "溢出",
  "col.callbacks": "回拨", "col.missed": "未接", "col.talk_time": "通话", "col.wrapup_time": "话后处理",
  "col.staffed_time": "在线", "col.pause_time": "暂停", "col.occupancy": "占用率", "col.pause_by_reason": "暂停原因",
  "col.transferred_in": "转入", "col.hold_time": "保持",
});

addStyle("reports", `
.reports .report-controls label { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); }
.reports .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin: 12px 0; }
.reports .chart h3 { font-size: 13px; }
.reports .table-box { overflow: auto; max-height: 46vh; }
.reports tbody tr:hover td { background: #f3f6fb; }
`);

const QUEUE_COLS = ["bucket", "queue", "offered", "answered", "abandoned", "service_level", "sl_target", "asa", "aht",
                    "abandon_rate", "longest_wait", "rona", "overflowed", "callbacks", "transferred_in", "hold_time"];
const AGENT_COLS = ["bucket", "agent", "answered", "missed", "talk_time", "hold_time", "wrapup_time", "aht", "staffed_time",
                    "pause_time", "occupancy", "pause_by_reason"];
const PRESETS = { today: ["today", "now"], yesterday: ["yesterday", "today"], "24h": ["-24h", "now"], "7d": ["-7d", "now"] };
const COLORS = ["#1f5fbf", "#1e8e4e", "#c62f2f", "#c77c00", "#8a4fd1", "#2b9aa0", "#d0568f", "#6b7a8f"];

function cell(col, v) {
  if (v === null || v === undefined) return "–";
  if (col === "bucket") return v.replace("T", " ").replace(":00Z", " UTC");
  if (["service_level", "abandon_rate", "occupancy"].includes(col)) return pct(v);
  if (["asa", "aht", "longest_wait", "talk_time", "hold_time", "wrapup_time", "staffed_time", "pause_time"].includes(col)) return duration(v);
  if (col === "sl_target") return `${v}s`;
  if (col === "pause_by_reason") return Object.entries(v).map(([k, s]) => `${k} ${duration(s)}`).join(", ") || "–";
  return String(v);
}

/** one chart: x = bucket start (epoch s), one series per name */
function Chart({ title, buckets, series, kind = "line" }) {
  const el = useRef(null);
  useEffect(() => {
    if (!el.current || !buckets.length) return undefined;
    const names = Object.keys(series);
    const opts = {
      width: el.current.clientWidth || 560, height: 220,
      scales: { x: { time: true } },
      series: [{}, ...names.map((n, i) => ({
        label: n, stroke: COLORS[i % COLORS.length], width: 2,
        fill: kind === "bars" ? COLORS[i % COLORS.length] + "55" : undefined,
        paths: kind === "bars" ? uPlot.paths.bars({ size: [0.7 / Math.max(1, names.length), 60], align: 0 }) : undefined,
        points: { show: buckets.length < 40 },
      }))],
      axes: [{}, { size: 44 }],
      legend: { show: true },
    };
    const data = [buckets, ...names.map((n) => series[n])];
    const plot = new uPlot(opts, data, el.current);
    return () => plot.destroy();
  }, [buckets.join(), JSON.stringify(series), kind]);
  return html`<div class="panel chart"><h3>${title}</h3><div ref=${el}></div></div>`;
}

function chartsFor(by, lines) {
  const buckets = [...new Set(lines.map((l) => l.bucket))].sort();
  const xs = buckets.map((b) => Date.parse(b) / 1000);
  const idx = Object.fromEntries(buckets.map((b, i) => [b, i]));
  const zero = () => buckets.map(() => 0);
  const per = (key, field) => {
    const out = {};
    for (const l of lines) {
      out[l[key]] = out[l[key]] || buckets.map(() => null);
      out[l[key]][idx[l.bucket]] = l[field];
    }
    return out;
  };
  if (by === "queue") {
    const calls = { [t("col.offered")]: zero(), [t("col.answered")]: zero(), [t("col.abandoned")]: zero() };
    for (const l of lines) {
      calls[t("col.offered")][idx[l.bucket]] += l.offered;
      calls[t("col.answered")][idx[l.bucket]] += l.answered;
      calls[t("col.abandoned")][idx[l.bucket]] += l.abandoned;
    }
    return [{ title: t("reports.chart.calls"), series: calls, kind: "bars", xs },
            { title: t("reports.chart.sl"), series: per("queue", "service_level"), xs }];
  }
  const time = { [t("col.talk_time")]: zero(), [t("col.wrapup_time")]: zero(), [t("col.pause_time")]: zero() };
  for (const l of lines) {
    time[t("col.talk_time")][idx[l.bucket]] += l.talk_time / 60;
    time[t("col.wrapup_time")][idx[l.bucket]] += l.wrapup_time / 60;
    time[t("col.pause_time")][idx[l.bucket]] += l.pause_time / 60;
  }
  return [{ title: t("reports.chart.time"), series: time, kind: "bars", xs },
          { title: t("reports.chart.occ"), series: per("agent", "occupancy"), xs }];
}

function params(q) {
  const p = new URLSearchParams({ from: q.from, to: q.to, bucket: q.bucket, by: q.by });
  if (q.only) p.set("only", q.only);
  return p;
}

export default function Reports({ query }) {
  const q = { from: query.from || "today", to: query.to || "now", bucket: query.bucket || "hour",
              by: query.by === "agent" ? "agent" : "queue", only: query.only || "" };
  const [report, setReport] = useState(null);
  const [names, setNames] = useState({ queue: [], agent: [] });
  const load = async () => {
    try {
      const r = await get(`api/reports?${params(q)}`);
      setReport(r);
      if (!q.only) setNames((n) => ({ ...n, [q.by]: [...new Set(r.lines.map((l) => l[q.by]))].sort() }));
    } catch (e) {
      notify(e.message, "error");
    }
  };
  useEffect(() => { load(); }, [q.from, q.to, q.bucket, q.by, q.only]);
  const set = (k, v) => navigate("/reports", { ...q, [k]: v, ...(k === "by" ? { only: "" } : {}) });
  const preset = Object.entries(PRESETS).find(([, [f, to]]) => f === q.from && to === q.to);
  const csv = () => download(`api/reports?${params(q)}&format=csv`, `report-${q.by}-${q.bucket}-${q.from}.csv`)
    .catch((e) => notify(e.message, "error"));
  const cols = q.by === "queue" ? QUEUE_COLS : AGENT_COLS;
  const current = report && report.by === q.by && report.bucket === q.bucket ? report : null;   // not a stale answer
  const lines = current ? current.lines : [];
  const charts = current && lines.length ? chartsFor(q.by, lines) : [];
  const toLocal = (s) => (/^\d{4}-/.test(s) ? s.slice(0, 16) : "");
  return html`<div class="reports">
    <div class="panel">
      <div class="row report-controls">
        <h2 style="margin-right: 12px">${t("reports.title")}</h2>
        <label>${t("reports.from")}<select data-testid="preset" value=${preset ? preset[0] : "custom"}
            onChange=${(e) => { const p = PRESETS[e.target.value]; if (p) navigate("/reports", { ...q, from: p[0], to: p[1] });
                                 else navigate("/reports", { ...q, from: new Date(Date.now() - 86400000).toISOString().slice(0, 16), to: "now" }); }}>
          ${Object.keys(PRESETS).map((k) => html`<option value=${k}>${t("reports." + k)}</option>`)}
          <option value="custom">${t("reports.custom")}</option></select></label>
        ${!preset ? html`
          <label>${t("reports.from")}<input type="datetime-local" value=${toLocal(q.from)} onChange=${(e) => set("from", e.target.value)} /></label>
          <label>${t("reports.to")}<input type="datetime-local" value=${toLocal(q.to)} onChange=${(e) => set("to", e.target.value || "now")} /></label>` : null}
        <label>${t("reports.bucket")}<select data-testid="bucket" value=${q.bucket} onChange=${(e) => set("bucket", e.target.value)}>
          ${["15m", "hour", "day"].map((b) => html`<option value=${b}>${t("reports.b." + b)}</option>`)}</select></label>
        <label>${t("reports.by")}<select data-testid="by" value=${q.by} onChange=${(e) => set("by", e.target.value)}>
          <option value="queue">${t("reports.queue")}</option><option value="agent">${t("reports.agent")}</option></select></label>
        <label>${t("reports.only")}<select data-testid="only" value=${q.only} onChange=${(e) => set("only", e.target.value)}>
          <option value="">${t("reports.all")}</option>
          ${names[q.by].map((n) => html`<option value=${n}>${n}</option>`)}</select></label>
        <div style="flex: 1"></div>
        <button onClick=${load}>${t("reports.refresh")}</button>
        <button class="primary" data-testid="csv" onClick=${csv}>${t("reports.csv")}</button>
      </div>
      ${report ? html`<div class="muted" style="font-size: 12px; margin-top: 4px">
        ${new Date(report.from * 1000).toISOString().replace("T", " ").slice(0, 16)} – ${new Date(report.to * 1000).toISOString().replace("T", " ").slice(0, 16)} UTC</div>` : null}
    </div>
    ${charts.length ? html`<div class="charts">${charts.map((c) => html`<${Chart} key=${c.title} title=${c.title}
        buckets=${c.xs} series=${c.series} kind=${c.kind} />`)}</div>` : null}
    <div class="panel table-box">
      ${!current ? html`<div class="empty">${t("ui.loading")}</div>` : !lines.length ? html`<div class="empty">${t("reports.empty")}</div>` : html`
      <table data-testid="report-table">
        <thead><tr>${cols.map((c) => html`<th class=${["bucket", "queue", "agent", "pause_by_reason"].includes(c) ? "" : "num"}>${t("col." + c)}</th>`)}</tr></thead>
        <tbody>${lines.map((l, i) => html`<tr key=${i}>${cols.map((c) => html`
          <td class=${["bucket", "queue", "agent", "pause_by_reason"].includes(c) ? "" : "num"} data-col=${c}>${cell(c, l[c])}</td>`)}</tr>`)}</tbody>
      </table>`}
    </div>
  </div>`;
}

// Small helpers of the quality page: routes, times in the recording, mood and score formatting, the
// search snippet's marks.
import { html } from "../../core/html.js";
import { t } from "../../core/i18n.js";

/** the route of one call, remembering the search it was opened from (the "back" link returns there) */
export function callQuery(callId, fromQuery) {
  const keep = Object.fromEntries(Object.entries(fromQuery || {}).filter(([k, v]) => k !== "call" && k !== "back" && v));
  return Object.keys(keep).length ? { call: callId, back: JSON.stringify(keep) } : { call: callId };
}

/** seconds into the recording -> "m:ss.s" short form "mm:ss" */
export function mmss(s) {
  if (s === null || s === undefined) return "–";
  const x = Math.max(0, Math.floor(s));
  return `${String(Math.floor(x / 60)).padStart(2, "0")}:${String(x % 60).padStart(2, "0")}`;
}

export const moodLabel = (label) => (label ? t("mood." + label) : "–");

/** a mood figure (-1..1) with its label's colour */
export function Mood({ value, label }) {
  if (value === null || value === undefined) return html`<span class="muted">–</span>`;
  const l = label || (value <= -0.35 ? "upset" : value <= -0.1 ? "negative" : value >= 0.25 ? "positive" : "neutral");
  return html`<span class=${`mood mood-${l}`} title=${String(value)}>${moodLabel(l)} ${value.toFixed(2)}</span>`;
}

export function Score({ value, mark }) {
  if (value === null || value === undefined) return html`<span class="muted">–</span>`;
  const ok = mark === undefined || mark === null ? null : value >= mark;
  return html`<span class=${`score ${ok === null ? "" : ok ? "ok" : "bad"}`}>${Math.round(value * 10) / 10}</span>`;
}

/** the API's snippet ("... call my [lawyer] ...") with the matches as <mark> */
export function Snippet({ text }) {
  const parts = String(text || "").split(/(\[[^\]]*\])/);
  return html`<span class="snippet">${parts.map((p, i) => (p.startsWith("[") && p.endsWith("]")
    ? html`<mark key=${i}>${p.slice(1, -1)}</mark>` : p.replace(/\n/g, " / ")))}</span>`;
}

/** a time the user picked ("today", "-7d", or a local datetime) as the API's from/to parameter */
export function timeParam(v) {
  if (!v) return "";
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v)) return new Date(v).toISOString().replace(/\.\d{3}Z$/, "Z");
  return v;
}

/** a from/to parameter back into a datetime-local value (local time), "" when it is not a date */
export function localInput(v) {
  if (!v || !/^\d{4}-/.test(v)) return "";
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export const PRESETS = { all: "", today: "today", "7d": "-7d", "30d": "-30d" };

/** the period selector shared by the search and the report: presets, or two local date-times */
export function Period({ from, to, onChange }) {
  const preset = Object.entries(PRESETS).find(([, v]) => v === (from || "") && !to);
  return html`<label>${t("qa.from")}<select data-testid="period" value=${preset ? preset[0] : "custom"}
      onChange=${(e) => (e.target.value === "custom"
        ? onChange({ from: new Date(Date.now() - 86400000).toISOString().replace(/\.\d{3}Z$/, "Z"), to: "" })
        : onChange({ from: PRESETS[e.target.value], to: "" }))}>
      ${Object.keys(PRESETS).map((k) => html`<option value=${k}>${t("qa.p." + k)}</option>`)}
      <option value="custom">${t("qa.p.custom")}</option></select></label>
    ${!preset ? html`
      <label>${t("qa.from")}<input type="datetime-local" data-testid="from" value=${localInput(from)}
        onChange=${(e) => onChange({ from: timeParam(e.target.value), to })} /></label>
      <label>${t("qa.to")}<input type="datetime-local" data-testid="to" value=${localInput(to)}
        onChange=${(e) => onChange({ from, to: timeParam(e.target.value) })} /></label>` : null}`;
}

// Numbers and durations the same way on every page.
import { lang } from "./i18n.js";

/** seconds -> "m:ss" (or "h:mm:ss"); null -> "–" */
export function duration(s) {
  if (s === null || s === undefined || Number.isNaN(s)) return "–";
  s = Math.max(0, Math.floor(s));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? h + ":" : ""}${mm}:${String(sec).padStart(2, "0")}`;
}

export const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x)}%`);
export const secs = (x) => (x === null || x === undefined ? "–" : `${Math.round(x)}s`);
const two = (n) => (n < 10 ? "0" + n : String(n));
export const num = (x) => (x === null || x === undefined ? "–" : String(x));

/** epoch seconds -> local clock time "HH:MM:SS" (what toLocaleTimeString gives in en-GB and zh-CN with
 *  hour12: false; written out because building the Intl formatter costs ~50 ms in a new page) */
export function clock(ts) {
  if (!ts) return "–";
  const d = new Date(ts * 1000);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function dateTime(ts) {
  if (!ts) return "–";
  return new Date(ts * 1000).toLocaleString(lang.value === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

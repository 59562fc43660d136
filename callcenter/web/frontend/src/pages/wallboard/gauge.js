// A half-circle gauge: service level (0..100 %) against its target (a tick), coloured by how far below.
// Called as a function inside the queue tile (50 tiles: no component instance each).
import { html } from "../../core/html.js";

const R = 40, CX = 50, CY = 50;
const point = (pct) => {
  const a = Math.PI * (1 - Math.min(100, Math.max(0, pct)) / 100);
  return [CX + R * Math.cos(a), CY - R * Math.sin(a)];
};
const arc = (pct) => {
  const [x, y] = point(pct);
  return `M ${CX - R} ${CY} A ${R} ${R} 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)}`;
};

export function Gauge({ value, target, label }) {
  const v = value === null || value === undefined ? null : value;
  const cls = v === null ? "none" : v >= target ? "good" : v >= target - 10 ? "warn" : "bad";
  const [tx, ty] = point(target);
  const [ix, iy] = [CX + (tx - CX) * 0.78, CY + (ty - CY) * 0.78];
  return html`<svg class=${`gauge gauge-${cls}`} viewBox="0 0 100 58" role="img" aria-label=${label}>
    <path d=${arc(100)} class="gauge-track" />
    ${v !== null && v > 0 && html`<path d=${arc(v)} class="gauge-value" />`}
    <line x1=${ix} y1=${iy} x2=${tx + (tx - CX) * 0.12} y2=${ty + (ty - CY) * 0.12} class="gauge-target" />
    <text x="50" y="50" class="gauge-text">${v === null ? "–" : `${Math.round(v)}%`}</text>
  </svg>`;
}

// Charts of the day (uPlot): calls offered / answered / abandoned and SL per 15 minutes since midnight
// (GET /api/reports, refreshed every minute), and the calls waiting since this page opened (live).
import uPlot from "uplot";
import { html, useEffect, useRef, effect } from "../../core/html.js";
import { t, lang } from "../../core/i18n.js";
import { get } from "../../core/api.js";
import { samples } from "./store.js";

function usePlot(makeOpts, data, deps = []) {
  const el = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const box = el.current;
    if (!box) return undefined;
    const width = () => Math.max(200, box.clientWidth);
    const p = new uPlot(makeOpts(width()), data(), box);
    plot.current = p;
    const ro = new ResizeObserver(() => { if (plot.current === p) p.setSize({ width: width(), height: 150 }); });
    ro.observe(box);
    return () => { ro.disconnect(); if (plot.current === p) plot.current = null; p.destroy(); };
  }, deps);
  return [el, plot];
}

async function dayReport() {
  const r = await get("api/reports?from=today&bucket=15m&by=queue");
  const by = new Map();
  for (const l of r.lines) {
    const ts = Date.parse(l.bucket) / 1000;
    const b = by.get(ts) || { offered: 0, answered: 0, abandoned: 0, inSl: 0, base: 0 };
    b.offered += l.offered; b.answered += l.answered; b.abandoned += l.abandoned;
    if (l.service_level !== null) { b.inSl += (l.service_level / 100) * (l.answered + l.abandoned); b.base += l.answered + l.abandoned; }
    by.set(ts, b);
  }
  const xs = [...by.keys()].sort((a, b) => a - b);
  dayRange = [r.from, Math.max(r.to, r.from + 3600)];
  return [xs, xs.map((x) => by.get(x).offered), xs.map((x) => by.get(x).answered), xs.map((x) => by.get(x).abandoned),
          xs.map((x) => (by.get(x).base ? (100 * by.get(x).inSl) / by.get(x).base : null))];
}

let dayRange = null;        // [midnight, now] of the last report: the day charts' x axis

const base = (width, title, day = true) => ({
  width, height: 150, title, legend: { show: true }, cursor: { drag: { x: false, y: false } },
  scales: { x: { time: true, range: day ? (u, lo, hi) => dayRange || [lo, hi] : (u, lo, hi) => [Math.min(lo, hi - 300), hi] } },
});

export function DayCharts() {
  const day = useRef([[], [], [], [], []]);
  const [callsEl, callsPlot] = usePlot((w) => ({ ...base(w, t("wb.chart_calls")), series: [{},
    { label: t("wb.offered"), stroke: "#2b78c5", width: 2 }, { label: t("wb.answered"), stroke: "#1e8e4e", width: 2 },
    { label: t("wb.abandon"), stroke: "#c62f2f", width: 2 }] }), () => day.current.slice(0, 4), [lang.value]);
  const [slEl, slPlot] = usePlot((w) => ({ ...base(w, t("wb.chart_sl")), scales: { ...base(w).scales, y: { range: [0, 100] } },
    series: [{}, { label: t("wb.sl"), stroke: "#8a4fd1", width: 2, spanGaps: true }] }),
    () => [day.current[0], day.current[4]], [lang.value]);
  const [waitEl, waitPlot] = usePlot((w) => ({ ...base(w, t("wb.chart_waiting"), false), series: [{},
    { label: t("wb.waiting"), stroke: "#c77c00", width: 2, fill: "rgba(199,124,0,.12)" }] }),
    () => [[], []], [lang.value]);

  useEffect(() => {
    let alive = true;
    const load = () => dayReport().then((d) => {
      if (!alive) return;
      day.current = d;
      callsPlot.current && callsPlot.current.setData(d.slice(0, 4));
      slPlot.current && slPlot.current.setData([d[0], d[4]]);
    }, () => {});
    load();
    const timer = setInterval(load, 60000);
    return () => { alive = false; clearInterval(timer); };
  }, []);

  // the live chart redraws each second only while it is on screen (below the fold of a 1280x800 board)
  useEffect(() => {
    let visible = false;
    const io = new IntersectionObserver(([e]) => { visible = e.isIntersecting; if (visible) draw(samples.peek()); });
    const draw = (s) => { if (waitPlot.current && s.length) waitPlot.current.setData([s.map((x) => x[0]), s.map((x) => x[1])]); };
    io.observe(waitEl.current);
    const off = effect(() => { const s = samples.value; if (visible) draw(s); });
    return () => { off(); io.disconnect(); };
  }, []);

  return html`<div class="charts">
    <div class="panel chart" ref=${callsEl}></div>
    <div class="panel chart" ref=${slEl}></div>
    <div class="panel chart" ref=${waitEl}></div>
  </div>`;
}

// The supervisor wallboard: centre-wide figures, alerts, every queue live, waiting calls with actions,
// the agents' grid, charts of the day; full-screen mode for a wall display (#/wallboard?full=1).
// Live over the WebSocket (queue view every second, agent events as they happen); each part reads
// only its own signals, so an update repaints what changed and nothing else.
import "./i18n.js";
import { effect, html, useEffect, useState } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { duration, pct, secs, clock } from "../../core/format.js";
import { navigate } from "../../core/router.js";
import { Stat } from "../../core/ui.js";
import { start, totals, lastUpdate } from "./store.js";
import { StateBar, QueueTiles } from "./queues.js";
import { AlertBar } from "./alerts.js";
import { WaitingCalls } from "./calls.js";
import { AgentGrid } from "./agents.js";

function Totals() {
  const x = totals.value;
  if (!x) return html`<div class="kpis panel">${t("ui.loading")}</div>`;
  return html`<div class="kpis panel" data-testid="totals">
    <${Stat} label=${t("wb.waiting")} value=${x.waiting} cls=${x.waiting ? "hot" : ""} />
    <${Stat} label=${t("wb.longest")} value=${duration(x.longest)} />
    <${Stat} label=${t("wb.sl")} value=${pct(x.service_level)} />
    <${Stat} label=${t("wb.asa")} value=${secs(x.asa)} />
    <${Stat} label=${t("wb.aht")} value=${secs(x.aht)} />
    <${Stat} label=${t("wb.abandon")} value=${pct(x.abandon_rate)} />
    <${Stat} label=${t("wb.offered")} value=${x.offered} />
    <${Stat} label=${t("wb.answered")} value=${x.answered} />
    <div class="kpi-states"><div class="stat-label">${t("wb.agents")}</div>${StateBar({ states: x.states })}</div>
  </div>`;
}

function Toolbar({ full }) {
  const toggle = () => {
    if (full) {
      if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
      navigate("/wallboard");
    } else {
      document.documentElement.requestFullscreen?.().catch(() => {});
      navigate("/wallboard", { full: "1" });
    }
  };
  return html`<div class="wb-toolbar">
    <span class="muted" data-testid="updated">${lastUpdate.value ? t("wb.updated", { t: clock(lastUpdate.value) }) : ""}</span>
    <button class="ghost small" data-testid="fullscreen" onClick=${toggle}>${full ? t("wb.exit_full") : t("wb.full")}</button>
  </div>`;
}

export default function Wallboard({ query }) {
  const [Charts, setCharts] = useState(null);
  // started while rendering, not in an effect (those wait for a paint): the first view, often already
  // here (index.html's boot script asked for it), is drawn in the very first paint of the board
  const [stop] = useState(start);
  useEffect(() => stop, []);
  // the charts (uPlot, and their report query) load once the live board is on screen; this effect
  // follows the totals signal without making the whole board re-render with it
  useEffect(() => {
    let asked = false;
    return effect(() => {
      if (!totals.value || asked) return;
      asked = true;
      requestAnimationFrame(() => import("./charts.js").then((m) => setCharts(() => m.DayCharts), () => {}));
    });
  }, []);
  const full = query.full === "1";
  return html`<div class=${`wallboard ${full ? "full" : ""}`} data-testid="wallboard">
    <div class="wb-top"><${Totals} /><${Toolbar} full=${full} /></div>
    <${AlertBar} />
    <div class="wb-main">
      <div class="wb-queues"><h2>${t("wb.queues")}</h2><${QueueTiles} /></div>
      <${WaitingCalls} />
    </div>
    <div class="panel wb-agents"><h2>${t("wb.agents")}</h2><${AgentGrid} /></div>
    ${Charts && html`<${Charts} />`}
  </div>`;
}

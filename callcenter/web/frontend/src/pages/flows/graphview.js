// The flow graph as a component: the SVG of graph.js, fitted to the width or at 100 %, boxes clickable.
import { html, useMemo, useState } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { layout, toSvg } from "./graph.js";

export function GraphView({ graph, visited = [], current = null, onNode }) {
  const [fit, setFit] = useState(true);
  const laid = useMemo(() => (graph ? layout(graph) : null), [graph]);
  const svg = useMemo(() => (laid ? toSvg(laid, { visited, current }) : ""), [laid, visited.join("|"), current]);
  if (!graph) return null;
  const click = (e) => {
    const g = e.target.closest && e.target.closest("[data-node]");
    if (g && onNode) onNode(g.getAttribute("data-node"));
  };
  return html`<div>
    <div class="row" style="justify-content: flex-end; margin-bottom: 4px">
      <button class="small" onClick=${() => setFit(true)} disabled=${fit}>${t("flows.fit")}</button>
      <button class="small" onClick=${() => setFit(false)} disabled=${!fit}>${t("flows.zoom")}</button>
    </div>
    <div class=${`flow-graph-box ${fit ? "fit" : ""}`} data-testid="flow-graph" onClick=${click}
         dangerouslySetInnerHTML=${{ __html: svg }}></div>
  </div>`;
}

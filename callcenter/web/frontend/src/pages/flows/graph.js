// The flow drawn in the browser: the server's graph (GET api/flows/{name}/graph, the same boxes and
// arrows as `callcenter ivr graph`) laid out with dagre (layered, top to bottom) and drawn as SVG.
// Failure paths are dashed red, arrows to a missing node dotted; a try-out's path is highlighted and
// its current node outlined. Clicking a box calls onNode(node) (the page jumps to its line).
import dagre from "@dagrejs/dagre";

const CHAR = 6.6;        // average width of a 11px character
const NODE_H = 46;
const MAX_W = 240;

function textWidth(s) {
  let w = 0;
  for (const ch of s) w += ch.charCodeAt(0) > 0x2e80 ? CHAR * 1.9 : CHAR;
  return w;
}

function clip(s, width) {
  if (textWidth(s) <= width) return s;
  let out = "";
  for (const ch of s) {
    if (textWidth(out + ch + "…") > width) break;
    out += ch;
  }
  return out + "…";
}

/** {width, height, nodes: [{...node, x, y, w, h}], edges: [{...edge, points, lx, ly}]} */
export function layout(graph) {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 28, ranksep: 44, edgesep: 12, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  g.setNode("__start", { width: 14, height: 14 });
  for (const n of graph.nodes) {
    const w = Math.min(MAX_W, Math.max(textWidth(n.label) + 24, textWidth(`<${n.type}>`) + 24,
                                       Math.min(textWidth(n.summary || ""), MAX_W) + 20, 90));
    g.setNode(n.id, { width: w, height: NODE_H });
  }
  const ids = new Set(graph.nodes.map((n) => n.id));
  if (ids.has(graph.start)) g.setEdge("__start", graph.start, { width: 0, height: 0 }, "start");
  graph.edges.forEach((e, i) => {
    if (!ids.has(e.to)) g.setNode(e.to, { width: Math.max(90, textWidth(e.to) + 24), height: 30, missing: true });
    const lw = e.label ? Math.min(textWidth(e.label), 160) + 8 : 0;
    g.setEdge(e.from, e.to, { width: lw, height: e.label ? 14 : 0, labelpos: "c" }, `e${i}`);
  });
  dagre.layout(g);
  const byId = Object.fromEntries(graph.nodes.map((n) => [n.id, n]));
  const nodes = g.nodes().map((id) => {
    const d = g.node(id);
    return { ...(byId[id] || { id, type: id === "__start" ? "start" : "missing", label: id, summary: "" }),
             x: d.x, y: d.y, w: d.width, h: d.height };
  });
  const edges = graph.edges.map((e, i) => {
    const d = g.edge(e.from, e.to, `e${i}`);
    return { ...e, points: d.points, lx: d.x, ly: d.y };
  });
  const s = g.edge("__start", graph.start, "start");
  if (s) edges.push({ from: "__start", to: graph.start, label: "", kind: "next", points: s.points });
  const { width, height } = g.graph();
  return { width, height, nodes, edges };
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

function pathOf(points) {
  if (!points || !points.length) return "";
  const [p0, ...rest] = points;
  if (rest.length < 2) return `M${p0.x},${p0.y} ` + rest.map((p) => `L${p.x},${p.y}`).join(" ");
  // a smooth curve through dagre's points
  let d = `M${p0.x},${p0.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const c = rest[i], n = rest[i + 1];
    const mx = (c.x + n.x) / 2, my = (c.y + n.y) / 2;
    d += ` Q${c.x},${c.y} ${i === rest.length - 2 ? `${n.x},${n.y}` : `${mx},${my}`}`;
  }
  return d;
}

const EDGE_STYLE = {
  next: 'stroke="#5f6368"',
  fail: 'stroke="#d93025" stroke-dasharray="5 3"',
  missing: 'stroke="#d93025" stroke-dasharray="2 3"',
  flow: 'stroke="#1a73e8" stroke-dasharray="5 3"',
};

/** the SVG text of a laid-out graph; `visited`: node ids of a try-out's path, `current`: where it is */
export function toSvg(laid, { visited = [], current = null, selected = null } = {}) {
  const seen = new Set(visited);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" class="flow-graph" width="${laid.width}" height="${laid.height}" viewBox="0 0 ${laid.width} ${laid.height}" role="img">`,
    '<defs>',
    ...Object.entries({ next: "#5f6368", fail: "#d93025", missing: "#d93025", flow: "#1a73e8" }).map(([k, c]) =>
      `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${c}"/></marker>`),
    '</defs>'];
  for (const e of laid.edges) {
    const walked = seen.has(e.from) && seen.has(e.to);
    parts.push(`<path class="edge edge-${e.kind}${walked ? " walked" : ""}" d="${pathOf(e.points)}" fill="none" ${EDGE_STYLE[e.kind] || EDGE_STYLE.next} stroke-width="${walked ? 2.5 : 1.2}" marker-end="url(#arrow-${e.kind})"/>`);
    if (e.label) {
      const w = Math.min(textWidth(e.label), 160) + 8;
      parts.push(`<g class="edge-label"><rect x="${e.lx - w / 2}" y="${e.ly - 8}" width="${w}" height="15" rx="3" fill="#fff" opacity="0.9"/>` +
        `<text x="${e.lx}" y="${e.ly + 3}" text-anchor="middle" font-size="10" fill="${e.kind === "fail" ? "#d93025" : "#3c4043"}">${esc(clip(e.label, 160))}</text></g>`);
    }
  }
  for (const n of laid.nodes) {
    if (n.type === "start") {
      parts.push(`<circle cx="${n.x}" cy="${n.y}" r="7" fill="#202124"/>`);
      continue;
    }
    const x = n.x - n.w / 2, y = n.y - n.h / 2;
    const cls = ["node", `node-${n.type}`, seen.has(n.id) ? "visited" : "", n.id === current ? "current" : "",
                 n.id === selected ? "selected" : ""].filter(Boolean).join(" ");
    const stroke = n.id === current ? "#1a73e8" : n.type === "missing" ? "#d93025" : seen.has(n.id) ? "#188038" : "#5f6368";
    const sw = n.id === current ? 3 : seen.has(n.id) ? 2 : 1;
    const dash = n.type === "missing" || n.type === "flow" ? ' stroke-dasharray="4 3"' : "";
    const rx = ["ask", "hangup"].includes(n.type) ? 18 : n.type === "play" ? 2 : 6;
    parts.push(`<g class="${cls}" data-node="${esc(n.id)}" tabindex="0"><title>${esc(n.id)} (${esc(n.type)})${n.summary ? "\n" + esc(n.summary) : ""}</title>` +
      `<rect x="${x}" y="${y}" width="${n.w}" height="${n.h}" rx="${rx}" fill="${n.color || "#fff"}" stroke="${stroke}" stroke-width="${sw}"${dash}/>`);
    if (n.type === "missing") {
      parts.push(`<text x="${n.x}" y="${n.y + 4}" text-anchor="middle" font-size="11" fill="#d93025">${esc(clip(n.label + " (missing)", n.w - 8))}</text></g>`);
      continue;
    }
    parts.push(`<text x="${n.x}" y="${y + 15}" text-anchor="middle" font-size="11" font-weight="600" fill="#202124">${esc(clip(n.label, n.w - 10))}</text>` +
      `<text x="${n.x}" y="${y + 28}" text-anchor="middle" font-size="9.5" fill="#5f6368">&lt;${esc(n.type)}&gt;</text>` +
      (n.summary ? `<text x="${n.x}" y="${y + 40}" text-anchor="middle" font-size="9.5" fill="#3c4043">${esc(clip(n.summary, n.w - 10))}</text>` : "") +
      "</g>");
  }
  parts.push("</svg>");
  return parts.join("");
}

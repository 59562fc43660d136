// The flows page (#/flows?flow=NAME&tab=graph|edit|versions|try): the flows with their versions and
// numbers, the flow drawn as a graph, the YAML editor with live validation, versions with their diff,
// and the try-out. Everything goes through the API (supervisor role; the server checks each call).
import { html, signal, useEffect, useState } from "../../core/html.js";
import { get } from "../../core/api.js";
import { navigate } from "../../core/router.js";
import { t } from "../../core/i18n.js";
import { Modal, notify } from "../../core/ui.js";
import { GraphView } from "./graphview.js";
import { EditTab, drafts, TEMPLATE } from "./edit.js";
import { VersionsTab } from "./versions.js";
import { TryTab } from "./try.js";
import { addStyle } from "../shared/style.js";
import "./messages.js";

addStyle("flows", `
.flows { display: grid; grid-template-columns: 270px minmax(0, 1fr); gap: 12px; align-items: start; }
.flows-list table td, .flows-list table th { padding: 4px 6px; }
.flows-list tr.sel td { background: #e8f0fe; }
.flows-list tr { cursor: pointer; }
.flows-list .dids { font-size: 12px; color: var(--muted); white-space: normal; }
.badge { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11px; background: #e8eef7; color: #1f5fbf; margin-left: 4px; }
.badge.bad { background: #fde7e7; color: var(--bad); } .badge.warn { background: #fff3dc; color: var(--warn); }
.tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--line); margin: 8px 0 10px; }
.tabs a { padding: 6px 14px; text-decoration: none; color: var(--muted); border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0; }
.tabs a.active { color: var(--ink); background: var(--panel); border-color: var(--line); margin-bottom: -1px; }
.flow-graph-box { overflow: auto; border: 1px solid var(--line); border-radius: 6px; background: #fbfcfe; max-height: 72vh; }
.flow-graph-box.fit svg { width: 100%; height: auto; }
.flow-graph-box g.node { cursor: pointer; }
.flow-graph-box g.node:hover rect { stroke: var(--accent); stroke-width: 2; }
.editor-host { height: 56vh; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; background: #fff; }
.problems { max-height: 18vh; overflow: auto; margin-top: 8px; font-size: 13px; }
.problems li { cursor: pointer; padding: 2px 0; } .problems li:hover { text-decoration: underline; }
.problems .error { color: var(--bad); } .problems .warning { color: var(--warn); }
.notice { padding: 8px 10px; border-radius: 6px; background: #fff3dc; border: 1px solid #f3d9a4; margin-bottom: 8px; }
.notice.bad { background: #fde7e7; border-color: #f5c0c0; }
.diff { font-family: ui-monospace, monospace; font-size: 12.5px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; max-height: 50vh; overflow: auto; white-space: pre; }
.diff .add { background: #e6f4ea; color: #137333; display: block; } .diff .del { background: #fce8e6; color: #a50e0e; display: block; }
.diff .hunk { color: #1a73e8; display: block; } .diff .ctx { display: block; }
.try { display: grid; grid-template-columns: minmax(340px, 1fr) 1.1fr; gap: 12px; }
.try form input { min-width: 120px; }
.try > div { min-width: 0; }
.try code { white-space: pre-wrap; word-break: break-all; }
.transcript { height: 46vh; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; font-size: 13px; }
.transcript .ivr { background: #eef3fb; border-radius: 10px; padding: 6px 10px; margin: 4px 30px 4px 0; }
.transcript .me { background: #e6f4ea; border-radius: 10px; padding: 6px 10px; margin: 4px 0 4px 30px; text-align: right; }
.transcript .step { color: var(--muted); font-size: 12px; margin: 2px 0; }
.transcript .wait { color: #1f5fbf; font-size: 12px; font-style: italic; }
.transcript .end { font-weight: 600; margin-top: 6px; }
.keypad { display: grid; grid-template-columns: repeat(12, 1fr); gap: 3px; }
.keypad button { height: 30px; padding: 0; font-weight: 600; }
.version-view { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 10px; width: 84vw; }
.pre { font-family: ui-monospace, monospace; white-space: pre; max-height: 60vh; overflow: auto; font-size: 12.5px; }
`);

const list = signal(null);          // GET api/flows
const schema = signal(null);        // GET api/flow-schema

export async function reloadList() {
  try {
    list.value = await get("api/flows");
  } catch (e) {
    notify(e.message, "error");
  }
}

function FlowList({ data, selected }) {
  const names = Object.keys(data.current);
  const errorsBy = {};
  for (const e of data.errors) {
    const n = names.find((x) => data.current[x].source === e.file) || e.file;
    errorsBy[n] = errorsBy[n] || { e: 0, w: 0 };
    errorsBy[n][e.severity === "warning" ? "w" : "e"] += 1;
  }
  const sources = new Set(names.map((n) => data.current[n].source));
  const broken = Object.entries(Object.fromEntries(data.errors.filter((e) => e.severity !== "warning" && !sources.has(e.file))
    .reverse().map((e) => [e.file, e])));                  // files that never loaded: first error of each
  const didsOf = (n) => Object.entries(data.dids).filter(([, f]) => f === n).map(([d]) => d);
  const [asking, setAsking] = useState(false);
  const [newName, setNewName] = useState("");
  const create = () => {
    const n = newName.trim();
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(n)) { notify(t("flows.new_name"), "error"); return; }
    drafts.set(n, TEMPLATE(n));
    setAsking(false);
    navigate("/flows", { flow: n, tab: "edit" });
  };
  return html`<div class="panel flows-list">
    <div class="row" style="justify-content: space-between"><h2>${t("flows.title")}</h2>
      <button class="small" data-testid="new-flow" onClick=${() => setAsking(true)}>${t("flows.new")}</button></div>
    ${names.length === 0 ? html`<div class="empty">${t("flows.none")}</div>` : html`
    <table data-testid="flows-table">
      <thead><tr><th>${t("flows.flow")}</th><th class="num">${t("flows.version")}</th></tr></thead>
      <tbody>${names.map((n) => {
        const errs = errorsBy[n];
        return html`<tr key=${n} class=${n === selected ? "sel" : ""} data-flow=${n}
                        onClick=${() => navigate("/flows", { flow: n, tab: "graph" })}>
          <td><b>${n}</b>${data.default_flow === n ? html`<span class="badge">${t("flows.default")}</span>` : null}
            ${errs && errs.e ? html`<span class="badge bad" title=${t("flows.problems")}>${errs.e}</span>` : null}
            ${errs && !errs.e && errs.w ? html`<span class="badge warn">${errs.w}</span>` : null}
            <div class="dids">${didsOf(n).join(", ")}</div></td>
          <td class="num">v${data.current[n].version}</td></tr>`;
      })}</tbody>
    </table>`}
    ${broken.length ? html`<div class="notice bad" style="margin-top: 8px" data-testid="not-loaded">
      <b>${t("flows.not_loaded")}</b>${broken.map(([file, e]) => html`<div key=${file} style="font-size: 12px">
        ${file.split("/").pop()}:${e.line}:${e.column} ${e.message}</div>`)}</div>` : null}
    <h3 style="margin-top: 14px">${t("flows.dids_title")}</h3>
    <table data-testid="did-map"><tbody>
      ${Object.entries(data.dids).map(([d, f]) => html`<tr key=${d}><td>${d}</td><td>→ ${f}</td></tr>`)}
    </tbody></table>
    <div class="muted" style="font-size: 12px; margin-top: 4px">${t("flows.default_note", { flow: data.default_flow })}</div>
    ${asking ? html`<${Modal} title=${t("flows.new")} onClose=${() => setAsking(false)}>
      <label>${t("flows.new_name")}<input autofocus value=${newName} data-testid="new-flow-name"
        onInput=${(e) => setNewName(e.target.value)} onKeyDown=${(e) => e.key === "Enter" && create()} /></label>
      <div class="actions"><button onClick=${() => setAsking(false)}>${t("ui.cancel")}</button>
        <button class="primary" onClick=${create}>${t("ui.ok")}</button></div>
    <//>` : null}
  </div>`;
}

const TABS = ["graph", "edit", "versions", "try"];

export default function Flows({ query }) {
  const name = query.flow || null;
  const tab = TABS.includes(query.tab) ? query.tab : "graph";
  const [detail, setDetail] = useState(null);
  const [missing, setMissing] = useState(false);
  const loadDetail = async () => {
    if (!name) { setDetail(null); return; }
    try {
      setDetail(await get(`api/flows/${encodeURIComponent(name)}`));
      setMissing(false);
    } catch (e) {
      setDetail(null);
      if (e.status === 404) setMissing(true); else notify(e.message, "error");
    }
  };
  useEffect(() => {
    reloadList();
    if (!schema.value) get("api/flow-schema").then((s) => { schema.value = s; }, () => {});
  }, []);
  useEffect(() => { setDetail(null); loadDetail(); }, [name]);
  // a save elsewhere (another tab, a file edited on the server): follow the list, and the open flow
  useEffect(() => {
    const timer = setInterval(reloadList, 10000);
    return () => clearInterval(timer);
  }, []);
  const listed = name && list.value && list.value.current[name];
  useEffect(() => {
    if (detail && listed && (listed.version !== detail.current.version
        || (list.value.errors.length > 0) !== (detail.problems.length > 0 || detail.rejected_text !== null))) {
      loadDetail();
    }
  }, [listed && listed.version, list.value && list.value.errors.length]);
  const data = list.value;
  if (!data) return html`<div class="empty">${t("ui.loading")}</div>`;
  const onSaved = async () => { await Promise.all([loadDetail(), reloadList()]); };
  const isNew = name && missing;
  return html`<div class="flows">
    <${FlowList} data=${data} selected=${name} />
    <div class="panel">
      ${!name ? html`<div class="empty">${t("flows.pick")}</div>` : html`
        <div class="row" style="justify-content: space-between">
          <h2 data-testid="flow-name">${name}
            ${detail ? html` <span class="muted" data-testid="flow-version">${t("flows.serving", { v: detail.current.version })}</span>` : null}
            ${isNew ? html` <span class="badge">${t("flows.new")}</span>` : null}</h2>
          ${detail && detail.dids.length ? html`<span class="muted">${t("flows.numbers")}: ${detail.dids.join(", ")}</span>` : null}
        </div>
        <nav class="tabs">${TABS.filter((x) => !isNew || x === "edit").map((x) => html`
          <a key=${x} href=${`#/flows?flow=${encodeURIComponent(name)}&tab=${x}`} class=${x === tab ? "active" : ""}
             data-testid=${`tab-${x}`}>${t("flows.tab." + x)}</a>`)}</nav>
        ${tab === "graph" && detail ? html`<${GraphView} graph=${detail.graph}
            onNode=${(id) => { const n = detail.graph.nodes.find((x) => x.id === id);
                               if (n && n.line) navigate("/flows", { flow: name, tab: "edit", line: n.line }); }} />` : null}
        ${tab === "edit" && (detail || isNew) ? html`<${EditTab} key=${name} name=${name} detail=${detail}
            schema=${schema} line=${query.line} onSaved=${onSaved} />` : null}
        ${tab === "versions" && detail ? html`<${VersionsTab} key=${name} name=${name} detail=${detail} onSaved=${onSaved} />` : null}
        ${tab === "try" && detail ? html`<${TryTab} key=${name} name=${name} detail=${detail} />` : null}
        ${!detail && !isNew ? html`<div class="empty">${t("ui.loading")}</div>` : null}`}
    </div>
  </div>`;
}

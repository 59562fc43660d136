// The Try tab: the console try-out of `callcenter ivr try` in the page. POST api/flows/{name}/try
// starts a call (the serving version, or the unsaved draft), then each answer goes to
// POST api/flow-tries/{id}; the prompts, the nodes entered and what was heard appear as a conversation
// and the graph lights up the path. When the web caller page exists (/call), a link calls for real.
import { html, useEffect, useRef, useState } from "../../core/html.js";
import { api, post } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { notify } from "../../core/ui.js";
import { GraphView } from "./graphview.js";
import { drafts } from "./edit.js";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

function Line({ e }) {
  switch (e.kind) {
    case "prompt": return html`<div class="ivr" data-kind="prompt"><span class="muted">[${e.language}]</span> ${e.text}</div>`;
    case "input": return html`<div class="me" data-kind="input">${e.text || t("flows.try.silence")}</div>`;
    case "node": return html`<div class="step">→ ${e.node} (${e.type})</div>`;
    case "trace": case "info": return html`<div class="step">${e.text}</div>`;
    case "end": return html`<div class="end" data-kind="end">${e.text}</div>`;
    default: return null;
  }
}

export function TryTab({ name, detail }) {
  const [opts, setOpts] = useState({ at: "", caller: "+15550001234", did: detail.dids[0] || "", speech: true,
                                     draft: drafts.has(name) });
  const [run, setRun] = useState(null);        // {session, events, waiting, done, path, outcome, version}
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [callPage, setCallPage] = useState(false);
  const box = useRef(null);
  const sid = useRef(null);

  useEffect(() => {
    fetch("call", { method: "HEAD" }).then((r) => setCallPage(r.ok), () => {});
    return () => { if (sid.current) api("DELETE", `api/flow-tries/${sid.current}`).catch(() => {}); };
  }, []);
  useEffect(() => { if (box.current) box.current.scrollTop = box.current.scrollHeight; }, [run && run.events.length]);

  const start = async () => {
    if (sid.current) api("DELETE", `api/flow-tries/${sid.current}`).catch(() => {});
    const body = { caller: opts.caller, speech: opts.speech };
    if (opts.did) body.did = opts.did;
    if (opts.at) body.at = opts.at;
    if (opts.draft && drafts.has(name)) body.text = drafts.get(name);
    setBusy(true);
    try {
      const r = await post(`api/flows/${encodeURIComponent(name)}/try`, body);
      sid.current = r.session;
      setRun(r);
    } catch (e) {
      notify(e.message, "error");
    } finally {
      setBusy(false);
    }
  };
  const send = async (line) => {
    if (!run || run.done) return;
    setBusy(true);
    try {
      const r = await post(`api/flow-tries/${run.session}`, { text: line });
      setRun({ ...r, events: [...run.events, ...r.events] });
      setText("");
    } catch (e) {
      notify(e.message, "error");
    } finally {
      setBusy(false);
    }
  };
  const hangup = async () => {
    if (!run || run.done) return;
    try {
      const r = await api("DELETE", `api/flow-tries/${run.session}`);
      sid.current = null;
      setRun({ ...r, events: [...run.events, ...r.events], done: true });
    } catch (e) { notify(e.message, "error"); }
  };
  const nodes = run ? run.events.filter((e) => e.kind === "node" && e.flow === name).map((e) => e.node) : [];
  const current = run && !run.done && nodes.length ? nodes[nodes.length - 1] : null;
  const set = (k) => (e) => setOpts({ ...opts, [k]: e.target.type === "checkbox" ? e.target.checked : e.target.value });
  return html`<div>
    <div class="row" style="margin-bottom: 8px">
      <label class="muted">${t("flows.try.at")} <input type="datetime-local" value=${opts.at} onInput=${set("at")} /></label>
      <label class="muted">${t("flows.try.caller")} <input size="13" value=${opts.caller} onInput=${set("caller")} /></label>
      <label class="muted">${t("flows.try.did")} <input size="12" value=${opts.did} onInput=${set("did")} /></label>
      <label><input type="checkbox" checked=${opts.speech} onChange=${set("speech")} /> ${t("flows.try.speech")}</label>
      <label><input type="checkbox" checked=${opts.draft} disabled=${!drafts.has(name)} onChange=${set("draft")} /> ${t("flows.try.draft")}</label>
      <button class="primary" data-testid="try-start" onClick=${start} disabled=${busy}>${t("flows.try.start")}</button>
      ${callPage ? html`<a href="call" target="_blank" rel="noopener" data-testid="real-call"
          title=${t("flows.try.real_hint")}>${t("flows.try.real")}</a>` : null}
    </div>
    <div class="try">
      <div>
        <div class="transcript" ref=${box} data-testid="transcript">
          ${!run ? html`<div class="muted">${t("flows.try.intro")}</div>` : run.events.map((e) => html`<${Line} key=${e.seq} e=${e} />`)}
          ${run && !run.done && run.waiting ? html`<div class="wait">${t("flows.try.waiting", { hint: run.waiting })}</div>` : null}
        </div>
        <form class="row" style="margin-top: 6px" onSubmit=${(e) => { e.preventDefault(); send(text); }}>
          <input style="flex: 1" data-testid="try-input" placeholder=${t("flows.try.say")} value=${text}
                 disabled=${!run || run.done} onInput=${(e) => setText(e.target.value)} />
          <button type="submit" disabled=${!run || run.done || busy}>${t("flows.try.send")}</button>
          <button type="button" disabled=${!run || run.done || busy} onClick=${() => send("")}>${t("flows.try.silence")}</button>
          <button type="button" class="danger" disabled=${!run || run.done} onClick=${hangup}>${t("flows.try.hangup")}</button>
        </form>
        <div class="keypad" style="margin-top: 6px">${KEYS.map((k) => html`<button key=${k} data-key=${k}
          disabled=${!run || run.done || busy} onClick=${() => send(k)}>${k}</button>`)}</div>
      </div>
      <div>
        <${GraphView} graph=${detail.graph} visited=${nodes} current=${current} />
        ${run && run.outcome ? html`<div class="panel" style="margin-top: 8px; font-size: 12px" data-testid="try-outcome">
          <b>${run.outcome.summary}</b>
          <div class="muted">${t("flows.try.path")}: ${run.path.join(" → ")}</div>
          <div class="muted">${t("flows.try.vars")}: <code>${JSON.stringify(run.outcome.variables)}</code></div></div>` : null}
      </div>
    </div>
  </div>`;
}

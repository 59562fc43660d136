// The Edit tab: the YAML of the serving version (or the unsaved draft) in CodeMirror, checked by the
// server as you type, saved as a new version (PUT api/flows/{name}); a refused save says why and the
// serving version stays.
import { html, useEffect, useRef, useState } from "../../core/html.js";
import { api, post } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { notify } from "../../core/ui.js";

/** unsaved edits by flow name (kept while moving between tabs and flows) */
export const drafts = new Map();

export const TEMPLATE = (name) => `flow: ${name}
description: ""
language: en-US
start: welcome
nodes:
  welcome:
    type: play
    prompt: "Thank you for calling."
    next: menu
  menu:
    type: menu
    prompt: "For sales press 1. For support press 2."
    options:
      - {digit: "1", key: sales, say: [sales], next: sales_q}
      - {digit: "2", key: support, say: [support], next: support_q}
    on_fail: support_q
  sales_q: {type: queue, queue: sales}
  support_q: {type: queue, queue: support}
`;

let editorModule = null;     // CodeMirror is loaded with this tab only

export function EditTab({ name, detail, schema, line, onSaved }) {
  const host = useRef(null);
  const ed = useRef(null);
  const [result, setResult] = useState(null);        // last validation {valid, errors, warnings, problems}
  const [checking, setChecking] = useState(true);
  const [dirty, setDirty] = useState(drafts.has(name));
  const [refusal, setRefusal] = useState(null);
  const [saving, setSaving] = useState(false);
  const serving = detail ? detail.text : "";

  const save = async () => {
    if (!ed.current || saving) return;
    const text = ed.current.getDoc();
    setSaving(true);
    try {
      const body = { text };
      if (detail) body.base_version = detail.current.version;
      const r = await api("PUT", `api/flows/${encodeURIComponent(name)}`, body);
      setRefusal(null);
      drafts.delete(name);
      setDirty(false);
      if (r.changed) notify(t("flows.saved", { v: r.version.version }), "ok");
      else notify(t("flows.unchanged"));
      await onSaved();
    } catch (e) {
      setRefusal(e.message);
      notify(detail ? t("flows.refused", { v: detail.current.version }) : e.message, "error");
    } finally {
      setSaving(false);
    }
  };
  const saveRef = useRef(save);
  saveRef.current = save;

  useEffect(() => {
    let alive = true;
    (async () => {
      editorModule = editorModule || await import("./editor.js");
      if (!alive || !host.current) return;
      ed.current = editorModule.createEditor(host.current, {
        doc: drafts.has(name) ? drafts.get(name) : serving,
        getSchema: () => schema.value,
        validate: (text) => { setChecking(true); return post("api/flows/validate", { name, text }); },
        onProblems: (r, err) => { setChecking(false); if (r) setResult(r); else if (err) notify(err.message, "error"); },
        onChange: (text) => {
          if (text === serving) { drafts.delete(name); setDirty(false); } else { drafts.set(name, text); setDirty(true); }
        },
        onSave: () => saveRef.current(),
      });
      if (line) ed.current.gotoLine(Number(line));
    })();
    return () => { alive = false; if (ed.current) ed.current.destroy(); ed.current = null; };
  }, [name]);

  // the serving version changed under us (saved here or elsewhere) and there is no draft: show it
  useEffect(() => {
    if (ed.current && !drafts.has(name) && ed.current.getDoc() !== serving) ed.current.setDoc(serving);
  }, [serving]);

  const revert = () => { drafts.delete(name); setDirty(false); if (ed.current) ed.current.setDoc(serving); };
  const openRejected = () => { if (ed.current) ed.current.setDoc(detail.rejected_text); };
  const problems = result ? result.problems : [];
  return html`<div data-testid="flow-editor">
    ${detail && detail.rejected_text ? html`<div class="notice">${t("flows.rejected", { v: detail.current.version })}
      <button class="small" style="margin-left: 8px" onClick=${openRejected}>${t("flows.open_rejected")}</button></div>` : null}
    ${refusal ? html`<div class="notice bad" data-testid="save-refused">${refusal}</div>` : null}
    <div class="row" style="margin-bottom: 6px">
      <button class="primary" data-testid="save-flow" onClick=${save}
              disabled=${saving}>${t("flows.save")}</button>
      ${dirty ? html`<span class="badge warn">${t("flows.modified")}</span>
        <button class="small" onClick=${revert} disabled=${!detail}>${t("flows.revert")}</button>` : null}
      <span data-testid="validation" class=${result && !result.valid ? "form-error" : "muted"}>
        ${checking ? t("flows.checking") : result ? (result.errors || result.warnings
          ? t("flows.errors", { e: result.errors, w: result.warnings }) : "✓ " + t("flows.valid")) : ""}</span>
      <span class="muted" style="margin-left: auto; font-size: 12px">${t("flows.hint")}</span>
    </div>
    <div class="editor-host" ref=${host}></div>
    ${problems.length ? html`<ul class="problems" data-testid="problems">${problems.map((p, i) => html`
      <li key=${i} class=${p.severity} onClick=${() => ed.current && ed.current.gotoLine(p.line, p.column)}>
        ${p.line}:${p.column} ${p.severity === "warning" ? "⚠" : "✖"} ${p.node ? `node '${p.node}': ` : ""}${p.message}</li>`)}
    </ul>` : null}
  </div>`;
}

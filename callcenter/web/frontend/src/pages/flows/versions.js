// The Versions tab: every version loaded since the server started (hash, when, calls served), the
// diff between two of them (GET api/flows/{name}/diff), a version's YAML, and restoring an old version
// (saved again: it becomes the newest version).
import { html, useEffect, useState } from "../../core/html.js";
import { api, get } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { Modal, notify } from "../../core/ui.js";
import { dateTime } from "../../core/format.js";
import { GraphView } from "./graphview.js";

function DiffView({ text }) {
  const lines = text.split("\n");
  return html`<div class="diff" data-testid="diff">${lines.map((l, i) => {
    const cls = l.startsWith("@@") ? "hunk" : l.startsWith("+") && !l.startsWith("+++") ? "add"
      : l.startsWith("-") && !l.startsWith("---") ? "del" : "";
    return html`<span key=${i} class=${cls || "ctx"}>${l || " "}</span>`;
  })}</div>`;
}

export function VersionsTab({ name, detail, onSaved }) {
  const versions = detail.versions;
  const last = versions[versions.length - 1].version;
  const [from, setFrom] = useState(Math.max(1, last - 1));
  const [to, setTo] = useState(last);
  const [diff, setDiff] = useState(null);
  const [shown, setShown] = useState(null);
  useEffect(() => { setTo(last); setFrom(Math.max(1, last - 1)); }, [last]);
  useEffect(() => {
    if (versions.length < 2) return;
    get(`api/flows/${encodeURIComponent(name)}/diff?from=${from}&to=${to}`)
      .then(setDiff, (e) => notify(e.message, "error"));
  }, [name, from, to]);
  const view = async (v) => {
    try { setShown(await get(`api/flows/${encodeURIComponent(name)}/versions/${v}`)); } catch (e) { notify(e.message, "error"); }
  };
  const restore = async (v) => {
    try {
      const old = await get(`api/flows/${encodeURIComponent(name)}/versions/${v}`);
      const r = await api("PUT", `api/flows/${encodeURIComponent(name)}`, { text: old.text, base_version: last });
      notify(r.changed ? t("flows.restored", { old: v, v: r.version.version }) : t("flows.unchanged"), "ok");
      await onSaved();
    } catch (e) {
      notify(e.message, "error");
    }
  };
  const pick = (v, set) => html`<select value=${v} onChange=${(e) => set(Number(e.target.value))}>
    ${versions.map((x) => html`<option value=${x.version}>v${x.version}</option>`)}</select>`;
  return html`<div>
    <table data-testid="versions">
      <thead><tr><th>${t("flows.version")}</th><th>${t("flows.hash")}</th><th>${t("flows.loaded")}</th>
        <th class="num">${t("flows.calls")}</th><th>${t("flows.first_call")}</th><th></th></tr></thead>
      <tbody>${[...versions].reverse().map((v) => html`<tr key=${v.version}>
        <td><b>v${v.version}</b>${v.version === detail.current.version ? html`<span class="badge">${t("flows.current")}</span>` : null}</td>
        <td><code>${v.hash}</code></td><td>${dateTime(v.loaded_at)}</td><td class="num">${v.served_calls}</td>
        <td>${dateTime(v.first_served_at)}</td>
        <td><button class="small" onClick=${() => view(v.version)}>${t("flows.view")}</button>
          ${v.version !== detail.current.version ? html` <button class="small" onClick=${() => restore(v.version)}>${t("flows.restore")}</button>` : null}</td>
      </tr>`)}</tbody>
    </table>
    <h3 style="margin-top: 12px">${t("flows.diff")}</h3>
    ${versions.length < 2 ? html`<div class="muted">${t("flows.one_version")}</div>` : html`
      <div class="row" style="margin-bottom: 6px">${t("flows.from")} ${pick(from, setFrom)} ${t("flows.to")} ${pick(to, setTo)}
        ${diff ? html`<span class="badge">+${diff.added}</span><span class="badge bad">−${diff.removed}</span>` : null}</div>
      ${diff ? (diff.diff ? html`<${DiffView} text=${diff.diff} />` : html`<div class="muted">${t("flows.no_diff")}</div>`) : null}`}
    ${shown ? html`<${Modal} title=${`${name} v${shown.version}`} onClose=${() => setShown(null)}>
      <div class="version-view"><div class="pre" data-testid="version-text">${shown.text}</div>
        <${GraphView} graph=${shown.graph} /></div><//>` : null}
  </div>`;
}

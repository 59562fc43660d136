// Agents: the list (skills, queues, phone, state) and the form (PUT api/admin/agents/{name}: one
// entry of the provisioning YAML, checked like `callcenter agent add` and `provision import`).
import { html, useState } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { Modal } from "../../core/ui.js";
import { Field, FormError, deleteEntry, numberOrText, saveEntry, splitList } from "./form.js";

const FIELDS = ["name", "full_name", "extension", "interface", "languages", "skills", "queues", "max_concurrent",
                "wrapup", "enabled"];

function toForm(a) {
  return {
    name: a ? a.name : "", full_name: a ? a.full_name : "", extension: (a && a.extension) || "",
    interface: (a && a.interface) || "", languages: a ? a.languages.join(", ") : "en-US",
    skills: a ? Object.entries(a.skills) : [["", 1]], queues: a ? Object.entries(a.queues) : [],
    max_concurrent: a ? String(a.max_concurrent) : "1", wrapup: a && a.wrapup !== null ? String(a.wrapup) : "",
    enabled: a ? a.enabled : true,
  };
}

function toBody(f) {
  const body = {
    full_name: f.full_name, extension: f.extension.trim() || null, languages: splitList(f.languages),
    skills: Object.fromEntries(f.skills.filter(([k]) => k.trim()).map(([k, v]) => [k.trim(), numberOrText(v)])),
    queues: Object.fromEntries(f.queues.filter(([k]) => k).map(([k, v]) => [k, numberOrText(v) ?? 0])),
    max_concurrent: numberOrText(f.max_concurrent), wrapup: numberOrText(f.wrapup) ?? null, enabled: f.enabled,
  };
  if (f.interface.trim()) body.interface = f.interface.trim();
  if (body.max_concurrent === undefined) delete body.max_concurrent;
  return body;
}

function Pairs({ rows, onChange, names, valueLabel, testid, min, max }) {
  const set = (i, j, v) => onChange(rows.map((r, k) => (k === i ? (j === 0 ? [v, r[1]] : [r[0], v]) : r)));
  return html`<div class="pairs" data-testid=${testid}>
    ${rows.map(([k, v], i) => html`<div class="row" key=${i}>
      <input list=${`${testid}-names`} value=${k} placeholder=${t("admin.name")} onInput=${(e) => set(i, 0, e.target.value)} />
      <input type="number" style="width: 70px" min=${min} max=${max} value=${v} title=${valueLabel}
             onInput=${(e) => set(i, 1, e.target.value)} />
      <button type="button" class="small" onClick=${() => onChange(rows.filter((_, k2) => k2 !== i))}>×</button>
    </div>`)}
    <datalist id=${`${testid}-names`}>${names.map((n) => html`<option value=${n} />`)}</datalist>
    <button type="button" class="small" onClick=${() => onChange([...rows, ["", min]])}>${t("admin.add_row")}</button>
  </div>`;
}

function AgentForm({ agent, prov, onClose, onSaved }) {
  const [f, setF] = useState(toForm(agent));
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === "checkbox" ? e.target.checked : e.target.value });
  const save = async (e) => {
    e.preventDefault();
    if (!f.name.trim()) { setError({ field: "name", message: t("admin.name") + "?" }); return; }
    setBusy(true);
    const r = await saveEntry(`api/admin/agents/${encodeURIComponent(f.name.trim())}`, toBody(f), f.name.trim(), setError);
    setBusy(false);
    if (r) onSaved();
  };
  return html`<${Modal} title=${agent ? `${t("admin.edit")}: ${agent.name}` : t("admin.new_agent")} onClose=${onClose}>
    <form class="admin-form" noValidate onSubmit=${save} data-testid="agent-form">
      <${Field} label=${t("admin.name")} name="name" error=${error}>
        <input name="name" value=${f.name} disabled=${!!agent} onInput=${set("name")} /><//>
      <${Field} label=${t("admin.full_name")} name="full_name" error=${error}><input name="full_name" value=${f.full_name} onInput=${set("full_name")} /><//>
      <${Field} label=${t("admin.extension")} name="extension" error=${error}><input name="extension" value=${f.extension} onInput=${set("extension")} /><//>
      <${Field} label=${t("admin.interface")} name="interface" error=${error}><input name="interface" value=${f.interface} placeholder="PJSIP/<extension>" onInput=${set("interface")} /><//>
      <${Field} label=${t("admin.languages")} name="languages" error=${error}><input name="languages" value=${f.languages} onInput=${set("languages")} /><//>
      <${Field} label=${t("admin.max_concurrent")} name="max_concurrent" error=${error}><input name="max_concurrent" type="number" value=${f.max_concurrent} onInput=${set("max_concurrent")} /><//>
      <${Field} label=${t("admin.wrapup")} name="wrapup" error=${error}><input name="wrapup" type="number" value=${f.wrapup} onInput=${set("wrapup")} /><//>
      <${Field} label=${t("admin.enabled")} name="enabled" error=${error}><input name="enabled" type="checkbox" checked=${f.enabled} onChange=${set("enabled")} /><//>
      <${Field} label=${t("admin.skill_levels")} name="skills" error=${error} wide>
        <${Pairs} rows=${f.skills} onChange=${(rows) => setF({ ...f, skills: rows })} names=${prov.skills.map((s) => s.name)}
                  valueLabel="1-5" testid="skills" min="1" max="5" /><//>
      <${Field} label=${t("admin.memberships")} name="queues" error=${error} wide>
        <${Pairs} rows=${f.queues} onChange=${(rows) => setF({ ...f, queues: rows })} names=${prov.queues.map((q) => q.name)}
                  valueLabel=${t("admin.penalty")} testid="queues" min="0" /><//>
      <${FormError} error=${error} fields=${FIELDS} />
      <div class="actions"><button type="button" onClick=${onClose}>${t("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save" disabled=${busy}>${t("ui.save")}</button></div>
    </form>
  <//>`;
}

export function AgentsTab({ prov, reload }) {
  const [editing, setEditing] = useState(null);      // null | "new" | agent
  const remove = async (a) => { if (await deleteEntry(`api/admin/agents/${encodeURIComponent(a.name)}`, a.name)) reload(); };
  return html`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-agent" onClick=${() => setEditing("new")}>${t("admin.new_agent")}</button></div>
    <table data-testid="agents-table">
      <thead><tr><th>${t("admin.name")}</th><th>${t("admin.full_name")}</th><th>${t("admin.extension")}</th>
        <th>${t("admin.skills")}</th><th>${t("admin.queues")}</th><th>${t("admin.languages").split(/\s*[（(]/)[0]}</th>
        <th>${t("admin.state")}</th><th></th></tr></thead>
      <tbody>${prov.agents.map((a) => html`<tr key=${a.name} data-agent=${a.name} class=${a.enabled ? "" : "muted"}>
        <td><b>${a.name}</b></td><td>${a.full_name}</td><td>${a.extension || "–"}</td>
        <td>${Object.entries(a.skills).map(([k, v]) => `${k}=${v}`).join(", ") || "–"}</td>
        <td>${Object.entries(a.queues).map(([k, v]) => (v ? `${k}:${v}` : k)).join(", ") || "–"}</td>
        <td>${a.languages.join(", ")}</td>
        <td><span class=${`state state-${a.state}`}>${t("state." + a.state)}</span></td>
        <td><button class="small" onClick=${() => setEditing(a)}>${t("admin.edit")}</button>
          <button class="small" onClick=${() => remove(a)}>${t("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${editing ? html`<${AgentForm} agent=${editing === "new" ? null : editing} prov=${prov}
        onClose=${() => setEditing(null)} onSaved=${() => { setEditing(null); reload(); }} />` : null}
  </div>`;
}

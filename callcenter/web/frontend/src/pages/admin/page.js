// The admin page (#/admin?tab=agents|queues|skills|users|yaml): provisioning through the API (admin
// role), with the CLI's and provisioning files' own checks; every change is applied to the running
// server at once.
import { html, useEffect, useState } from "../../core/html.js";
import { get, post } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { Modal, notify } from "../../core/ui.js";
import { addStyle } from "../shared/style.js";
import { AgentsTab } from "./agents.js";
import { QueuesTab } from "./queues.js";
import { UsersTab } from "./users.js";
import { Field, FormError, deleteEntry, saveEntry } from "./form.js";
import "./messages.js";

addStyle("admin", `
.admin .tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--line); margin: 8px 0 10px; }
.admin .tabs a { padding: 6px 14px; text-decoration: none; color: var(--muted); border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0; }
.admin .tabs a.active { color: var(--ink); background: var(--panel); border-color: var(--line); margin-bottom: -1px; }
.admin table td { vertical-align: top; }
.admin-form { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 14px; min-width: 560px; }
.admin-form .field { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); margin-top: 6px; }
.admin-form .field.wide { grid-column: 1 / -1; }
.admin-form .field input[type=checkbox] { align-self: flex-start; }
.admin-form .field.has-error input, .admin-form .field.has-error select, .admin-form .field.has-error textarea,
.admin-form .field.has-error .pairs { border-color: var(--bad); outline: 1px solid var(--bad); border-radius: 6px; }
.admin-form .field-error { color: var(--bad); font-size: 12px; }
.admin-form .actions, .admin-form .form-error { grid-column: 1 / -1; }
.admin .pairs { display: flex; flex-direction: column; gap: 4px; padding: 2px; }
.admin .pairs > button { align-self: flex-start; }
.admin .yaml { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.admin .yaml textarea { width: 100%; height: 52vh; font-family: ui-monospace, monospace; font-size: 12.5px; }
.notice { padding: 8px 10px; border-radius: 6px; background: #fff3dc; border: 1px solid #f3d9a4; margin-bottom: 8px; }
.modal:has(.admin-form) { max-height: 94vh; overflow: auto; }
.members { margin-top: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
`);

function SkillForm({ skill, onClose, onSaved }) {
  const [name, setName] = useState(skill ? skill.name : "");
  const [description, setDescription] = useState(skill ? skill.description : "");
  const [error, setError] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    const r = await saveEntry(`api/admin/skills/${encodeURIComponent(name.trim())}`, { description }, name.trim(), setError);
    if (r) onSaved();
  };
  return html`<${Modal} title=${skill ? `${t("admin.edit")}: ${skill.name}` : t("admin.new_skill")} onClose=${onClose}>
    <form class="admin-form" noValidate onSubmit=${save} data-testid="skill-form">
      <${Field} label=${t("admin.name")} name="name" error=${error}><input name="name" value=${name} disabled=${!!skill} onInput=${(e) => setName(e.target.value)} /><//>
      <${Field} label=${t("admin.description")} name="description" error=${error}><input name="description" value=${description} onInput=${(e) => setDescription(e.target.value)} /><//>
      <${FormError} error=${error} fields=${["name", "description"]} />
      <div class="actions"><button type="button" onClick=${onClose}>${t("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${t("ui.save")}</button></div>
    </form><//>`;
}

function SkillsTab({ prov, reload }) {
  const [editing, setEditing] = useState(null);
  const remove = async (k) => { if (await deleteEntry(`api/admin/skills/${encodeURIComponent(k.name)}`, k.name)) reload(); };
  return html`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" onClick=${() => setEditing("new")}>${t("admin.new_skill")}</button></div>
    <table data-testid="skills-table"><thead><tr><th>${t("admin.name")}</th><th>${t("admin.description")}</th>
      <th class="num">${t("admin.agents_count")}</th><th></th></tr></thead>
      <tbody>${prov.skills.map((k) => html`<tr key=${k.name}><td><b>${k.name}</b></td><td>${k.description}</td>
        <td class="num">${k.agents}</td><td><button class="small" onClick=${() => setEditing(k)}>${t("admin.edit")}</button>
        <button class="small" onClick=${() => remove(k)}>${t("admin.delete")}</button></td></tr>`)}</tbody></table>
    ${editing ? html`<${SkillForm} skill=${editing === "new" ? null : editing} onClose=${() => setEditing(null)}
        onSaved=${() => { setEditing(null); reload(); }} />` : null}
  </div>`;
}

function YamlTab({ reload }) {
  const [current, setCurrent] = useState("");
  const [text, setText] = useState("");
  const [error, setError] = useState(null);
  const load = () => get("api/admin/provisioning.yaml").then(setCurrent, (e) => notify(e.message, "error"));
  useEffect(() => { load(); }, []);
  const run = async (dry) => {
    try {
      const r = await post("api/admin/provisioning", { yaml: text, dry_run: dry });
      setError(null);
      notify(t(dry ? "admin.dry_ok" : "admin.import_ok", { summary: r.summary }), "ok");
      if (!dry) { load(); reload(); }
    } catch (e) {
      setError(e.message);
    }
  };
  return html`<div class="yaml">
    <div><h3>${t("admin.export")}</h3><textarea readonly data-testid="yaml-export" value=${current}></textarea></div>
    <div><h3>${t("admin.import")}</h3>
      <textarea data-testid="yaml-import" value=${text} placeholder="agents:\n  - name: ...\n    skills: {billing: 3}"
                onInput=${(e) => setText(e.target.value)}></textarea>
      ${error ? html`<div class="form-error" role="alert">${error}</div>` : null}
      <div class="row" style="margin-top: 6px"><button onClick=${() => run(true)}>${t("admin.dry_run")}</button>
        <button class="primary" onClick=${() => run(false)}>${t("admin.apply")}</button></div>
    </div>
  </div>`;
}

const TABS = ["agents", "queues", "skills", "users", "yaml"];

export default function Admin({ query }) {
  const tab = TABS.includes(query.tab) ? query.tab : "agents";
  const [prov, setProv] = useState(null);
  const reload = () => get("api/admin/provisioning").then(setProv, (e) => notify(e.message, "error"));
  useEffect(() => { reload(); }, []);
  return html`<div class="admin panel">
    <h2>${t("admin.title")}</h2>
    <nav class="tabs">${TABS.map((x) => html`<a key=${x} href=${`#/admin?tab=${x}`} class=${x === tab ? "active" : ""}
        data-testid=${`tab-${x}`}>${t("admin." + x)}</a>`)}</nav>
    ${!prov ? html`<div class="empty">${t("ui.loading")}</div>`
      : tab === "agents" ? html`<${AgentsTab} prov=${prov} reload=${reload} />`
      : tab === "queues" ? html`<${QueuesTab} prov=${prov} reload=${reload} />`
      : tab === "skills" ? html`<${SkillsTab} prov=${prov} reload=${reload} />`
      : tab === "users" ? html`<${UsersTab} prov=${prov} reload=${reload} />`
      : html`<${YamlTab} reload=${reload} />`}
  </div>`;
}

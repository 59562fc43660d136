// Users (login name, role, linked agent, enabled; PUT api/admin/users/{name}) and their API tokens
// (listed without secrets, issued once, revoked).
import { html, useEffect, useState } from "../../core/html.js";
import { api, get, post } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { Modal, notify } from "../../core/ui.js";
import { dateTime } from "../../core/format.js";
import { session } from "../../core/session.js";
import { Field, FormError, deleteEntry, saveEntry } from "./form.js";

const FIELDS = ["username", "password", "role", "agent", "enabled"];

function UserForm({ user, prov, onClose, onSaved }) {
  const [f, setF] = useState({ username: user ? user.username : "", password: "", role: user ? user.role : "agent",
                               agent: (user && user.agent) || "", enabled: user ? user.enabled : true });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === "checkbox" ? e.target.checked : e.target.value });
  const save = async (e) => {
    e.preventDefault();
    if (!f.username.trim()) { setError({ field: "username", message: t("admin.username") + "?" }); return; }
    const body = { role: f.role, agent: f.agent || null, enabled: f.enabled };
    if (f.password) body.password = f.password;
    const r = await saveEntry(`api/admin/users/${encodeURIComponent(f.username.trim())}`, body, f.username.trim(), setError);
    if (r) onSaved();
  };
  return html`<${Modal} title=${user ? `${t("admin.edit")}: ${user.username}` : t("admin.new_user")} onClose=${onClose}>
    <form class="admin-form" noValidate onSubmit=${save} data-testid="user-form">
      <${Field} label=${t("admin.username")} name="username" error=${error}><input name="username" value=${f.username} disabled=${!!user} onInput=${set("username")} /><//>
      <${Field} label=${user ? t("admin.password_keep") : t("admin.password")} name="password" error=${error}>
        <input name="password" type="password" autocomplete="new-password" value=${f.password} onInput=${set("password")} /><//>
      <${Field} label=${t("admin.role")} name="role" error=${error}>
        <select name="role" value=${f.role} onChange=${set("role")}>${prov.roles.map((r) => html`<option value=${r}>${t("role." + r)}</option>`)}</select><//>
      <${Field} label=${t("admin.agent")} name="agent" error=${error}>
        <select name="agent" value=${f.agent} onChange=${set("agent")}><option value="">–</option>
          ${prov.agents.map((a) => html`<option value=${a.name}>${a.name}</option>`)}</select><//>
      <${Field} label=${t("admin.enabled")} name="enabled" error=${error}><input name="enabled" type="checkbox" checked=${f.enabled} onChange=${set("enabled")} /><//>
      <${FormError} error=${error} fields=${FIELDS} />
      <div class="actions"><button type="button" onClick=${onClose}>${t("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${t("ui.save")}</button></div>
    </form>
  <//>`;
}

function Tokens({ user, onClose }) {
  const [tokens, setTokens] = useState(null);
  const [label, setLabel] = useState("web");
  const [hours, setHours] = useState("");
  const [issued, setIssued] = useState(null);
  const path = `api/admin/users/${encodeURIComponent(user.username)}/tokens`;
  const load = () => get(path).then((r) => setTokens(r.tokens), (e) => notify(e.message, "error"));
  useEffect(() => { load(); }, []);
  const issue = async () => {
    try {
      const body = { label };
      if (hours) body.ttl = Number(hours) * 3600;
      const r = await post(path, body);
      setIssued(r.token);
      load();
    } catch (e) { notify(e.message, "error"); }
  };
  const revoke = async (id) => {
    try { await api("DELETE", `api/admin/tokens/${id}`); load(); } catch (e) { notify(e.message, "error"); }
  };
  return html`<${Modal} title=${`${t("admin.tokens")}: ${user.username}`} onClose=${onClose}>
    <div data-testid="tokens">
      ${issued ? html`<div class="notice"><div>${t("admin.token_once")}</div><code data-testid="new-token" style="user-select: all">${issued}</code></div>` : null}
      <table><thead><tr><th>${t("admin.token_label")}</th><th>${t("admin.created")}</th><th>${t("admin.expires")}</th>
        <th>${t("admin.last_used")}</th><th></th></tr></thead>
        <tbody>${(tokens || []).map((k) => html`<tr key=${k.id}><td>${k.label}</td><td>${dateTime(k.created_at)}</td>
          <td>${k.expires_at ? dateTime(k.expires_at) : t("admin.never")}</td><td>${dateTime(k.last_used_at)}</td>
          <td><button class="small" onClick=${() => revoke(k.id)}>${t("admin.revoke")}</button></td></tr>`)}</tbody></table>
      <div class="row" style="margin-top: 8px">
        <input placeholder=${t("admin.token_label")} value=${label} onInput=${(e) => setLabel(e.target.value)} />
        <input type="number" min="0" style="width: 110px" placeholder=${t("admin.token_ttl")} title=${t("admin.token_ttl")}
               value=${hours} onInput=${(e) => setHours(e.target.value)} />
        <button class="primary" onClick=${issue}>${t("admin.issue")}</button>
      </div>
    </div>
  <//>`;
}

export function UsersTab({ prov, reload }) {
  const [editing, setEditing] = useState(null);
  const [tokensOf, setTokensOf] = useState(null);
  const me = session.value && session.value.user;
  const remove = async (u) => { if (await deleteEntry(`api/admin/users/${encodeURIComponent(u.username)}`, u.username)) reload(); };
  return html`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-user" onClick=${() => setEditing("new")}>${t("admin.new_user")}</button></div>
    <table data-testid="users-table">
      <thead><tr><th>${t("admin.username")}</th><th>${t("admin.role")}</th><th>${t("admin.agent").split(/\s*[（(]/)[0]}</th>
        <th>${t("admin.enabled")}</th><th></th></tr></thead>
      <tbody>${prov.users.map((u) => html`<tr key=${u.username} data-user=${u.username}>
        <td><b>${u.username}</b></td><td>${t("role." + u.role)}</td><td>${u.agent || "–"}</td>
        <td>${u.enabled ? t("admin.yes") : t("admin.no")}</td>
        <td><button class="small" onClick=${() => setEditing(u)}>${t("admin.edit")}</button>
          <button class="small" onClick=${() => setTokensOf(u)}>${t("admin.tokens")}</button>
          <button class="small" disabled=${u.username === me} onClick=${() => remove(u)}>${t("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${editing ? html`<${UserForm} user=${editing === "new" ? null : editing} prov=${prov}
        onClose=${() => setEditing(null)} onSaved=${() => { setEditing(null); reload(); }} />` : null}
    ${tokensOf ? html`<${Tokens} user=${tokensOf} onClose=${() => setTokensOf(null)} />` : null}
  </div>`;
}

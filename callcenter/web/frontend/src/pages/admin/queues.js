// Queues: the list (strategy, service level, overflow, rules, members) and the form (PUT
// api/admin/queues/{name}, checked by the ACD's own rule parser), members added and removed at once
// (PUT/DELETE api/admin/queues/{name}/members/{agent}).
import { html, useState } from "../../core/html.js";
import { api } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { Modal, notify } from "../../core/ui.js";
import { Field, FormError, deleteEntry, numberOrText, saveEntry } from "./form.js";

const NUMBERS = ["sl_target", "sl_percent", "max_wait", "max_length", "priority", "announce_interval", "callback_after", "wrapup"];
const BOOLS = ["announce_position", "announce_hold_time", "join_empty", "leave_empty"];
const FIELDS = ["name", "description", "strategy", "rules", "overflow", "moh_class", ...NUMBERS, ...BOOLS];

function toForm(q) {
  const f = { name: q ? q.name : "", description: q ? q.description : "", strategy: q ? q.strategy : "longest-idle",
              rules: q ? q.rules.join("\n") : "", overflow: (q && q.overflow) || "", moh_class: q ? q.moh_class : "default" };
  for (const k of NUMBERS) f[k] = q && q[k] !== null && q[k] !== undefined ? String(q[k]) : k === "sl_target" ? "20" : k === "sl_percent" ? "80" : "";
  for (const k of BOOLS) f[k] = q ? !!q[k] : k !== "leave_empty";
  return f;
}

function toBody(f, isNew) {
  const body = { description: f.description, strategy: f.strategy, moh_class: f.moh_class,
                 rules: f.rules.split("\n").map((r) => r.trim()).filter(Boolean), overflow: f.overflow || null };
  for (const k of NUMBERS) {
    const v = numberOrText(f[k]);
    if (v !== undefined) body[k] = v;
    else if (!isNew && ["max_wait", "max_length", "callback_after", "wrapup"].includes(k)) body[k] = null;
  }
  for (const k of BOOLS) body[k] = f[k];
  return body;
}

function Members({ queue, prov, reload }) {
  const [agent, setAgent] = useState("");
  const [penalty, setPenalty] = useState("0");
  const path = (a) => `api/admin/queues/${encodeURIComponent(queue.name)}/members/${encodeURIComponent(a)}`;
  const add = async () => {
    if (!agent) return;
    try {
      await api("PUT", path(agent), { penalty: Number(penalty) || 0 });
      setAgent("");
      reload();
    } catch (e) { notify(e.message, "error"); }
  };
  const remove = async (a) => {
    try { await api("DELETE", path(a)); reload(); } catch (e) { notify(e.message, "error"); }
  };
  return html`<div class="members" data-testid="members">
    <h3>${t("admin.members")}</h3>
    <table><tbody>${Object.entries(queue.members).map(([a, p]) => html`<tr key=${a}><td>${a}</td>
      <td class="num">${t("admin.penalty")} ${p}</td><td><button class="small" onClick=${() => remove(a)}>×</button></td></tr>`)}</tbody></table>
    <div class="row" style="margin-top: 4px">
      <select value=${agent} onChange=${(e) => setAgent(e.target.value)}><option value="">${t("admin.add_member")}…</option>
        ${prov.agents.filter((a) => !(a.name in queue.members)).map((a) => html`<option value=${a.name}>${a.name}</option>`)}</select>
      <input type="number" min="0" style="width: 70px" value=${penalty} onInput=${(e) => setPenalty(e.target.value)} />
      <button class="small" onClick=${add} disabled=${!agent}>${t("admin.add_member")}</button>
    </div>
  </div>`;
}

function QueueForm({ queue, prov, onClose, onSaved, reload }) {
  const [f, setF] = useState(toForm(queue));
  const [error, setError] = useState(null);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === "checkbox" ? e.target.checked : e.target.value });
  const save = async (e) => {
    e.preventDefault();
    if (!f.name.trim()) { setError({ field: "name", message: t("admin.name") + "?" }); return; }
    const r = await saveEntry(`api/admin/queues/${encodeURIComponent(f.name.trim())}`, toBody(f, !queue), f.name.trim(), setError);
    if (r) onSaved();
  };
  const num = (k, label) => html`<${Field} label=${label} name=${k} error=${error}>
    <input name=${k} type="number" value=${f[k]} placeholder=${["max_wait", "max_length"].includes(k) ? t("admin.unlimited") : ""} onInput=${set(k)} /><//>`;
  const bool = (k, label) => html`<${Field} label=${label} name=${k} error=${error}>
    <input name=${k} type="checkbox" checked=${f[k]} onChange=${set(k)} /><//>`;
  return html`<${Modal} title=${queue ? `${t("admin.edit")}: ${queue.name}` : t("admin.new_queue")} onClose=${onClose}>
    <form class="admin-form" noValidate onSubmit=${save} data-testid="queue-form">
      <${Field} label=${t("admin.name")} name="name" error=${error}><input name="name" value=${f.name} disabled=${!!queue} onInput=${set("name")} /><//>
      <${Field} label=${t("admin.description")} name="description" error=${error}><input name="description" value=${f.description} onInput=${set("description")} /><//>
      <${Field} label=${t("admin.strategy")} name="strategy" error=${error}>
        <select name="strategy" value=${f.strategy} onChange=${set("strategy")}>${prov.strategies.map((s) => html`<option value=${s}>${s}</option>`)}</select><//>
      <${Field} label=${t("admin.overflow")} name="overflow" error=${error}>
        <input name="overflow" list="overflow-targets" value=${f.overflow} placeholder="queue, voicemail:NAME, flow:NAME" onInput=${set("overflow")} />
        <datalist id="overflow-targets">${prov.queues.filter((q) => q.name !== f.name).map((q) => html`<option value=${q.name} />`)}</datalist><//>
      ${num("sl_target", t("admin.sl_target"))}${num("sl_percent", t("admin.sl_percent"))}
      ${num("max_wait", t("admin.max_wait"))}${num("max_length", t("admin.max_length"))}
      ${num("priority", t("admin.priority"))}${num("wrapup", t("admin.wrapup"))}
      ${num("callback_after", t("admin.callback_after"))}${num("announce_interval", t("admin.announce_interval"))}
      ${bool("announce_position", t("admin.announce_position"))}${bool("join_empty", t("admin.join_empty"))}
      ${bool("leave_empty", t("admin.leave_empty"))}
      <${Field} label=${t("admin.moh_class")} name="moh_class" error=${error}><input name="moh_class" value=${f.moh_class} onInput=${set("moh_class")} /><//>
      <${Field} label=${t("admin.rules")} name="rules" error=${error} wide>
        <textarea name="rules" rows="4" value=${f.rules} onInput=${set("rules")}></textarea><//>
      <${FormError} error=${error} fields=${FIELDS} />
      <div class="actions"><button type="button" onClick=${onClose}>${t("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${t("ui.save")}</button></div>
    </form>
    ${queue ? html`<${Members} queue=${prov.queues.find((q) => q.name === queue.name) || queue} prov=${prov} reload=${reload} />` : null}
  <//>`;
}

export function QueuesTab({ prov, reload }) {
  const [editing, setEditing] = useState(null);
  const remove = async (q) => { if (await deleteEntry(`api/admin/queues/${encodeURIComponent(q.name)}`, q.name)) reload(); };
  return html`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-queue" onClick=${() => setEditing("new")}>${t("admin.new_queue")}</button></div>
    <table data-testid="queues-table">
      <thead><tr><th>${t("admin.name")}</th><th>${t("admin.strategy")}</th><th>${t("admin.sl")}</th>
        <th>${t("admin.max_wait")}</th><th>${t("admin.overflow")}</th><th>${t("admin.rules").split(/\s*[（(]/)[0]}</th>
        <th>${t("admin.members")}</th><th></th></tr></thead>
      <tbody>${prov.queues.map((q) => html`<tr key=${q.name} data-queue=${q.name}>
        <td><b>${q.name}</b><div class="muted" style="font-size: 12px">${q.description}</div></td><td>${q.strategy}</td>
        <td>${q.sl_percent}% / ${q.sl_target}s</td><td>${q.max_wait ?? "–"}</td><td>${q.overflow || "–"}</td>
        <td style="white-space: normal; font-size: 12px">${q.rules.join(" · ") || "–"}</td>
        <td style="white-space: normal; font-size: 12px">${Object.keys(q.members).join(", ") || "–"}</td>
        <td><button class="small" onClick=${() => setEditing(q)}>${t("admin.edit")}</button>
          <button class="small" onClick=${() => remove(q)}>${t("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${editing ? html`<${QueueForm} queue=${editing === "new" ? null : editing} prov=${prov} reload=${reload}
        onClose=${() => setEditing(null)} onSaved=${() => { setEditing(null); reload(); }} />` : null}
  </div>`;
}

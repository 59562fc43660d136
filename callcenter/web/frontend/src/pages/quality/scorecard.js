// The call's QA scorecard: each rule's automatic result with its evidence (the words heard and their
// times, the silences, the holds, the figure measured), the supervisor's override beside it, and the
// score. Supervisors and admins override a rule with a comment (POST
// api/analytics/calls/{call}/overrides/{rule}); the server's refusal shows under the field it names.
import { html, useState } from "../../core/html.js";
import { api } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { atLeast } from "../../core/session.js";
import { dateTime } from "../../core/format.js";
import { Modal, notify } from "../../core/ui.js";
import { Field, FormError } from "../admin/form.js";
import { mmss, Score } from "./util.js";

const Verdict = ({ passed }) => html`<span class=${`verdict ${passed ? "ok" : "bad"}`}>${passed ? "✓ " + t("qa.pass") : "✗ " + t("qa.fail")}</span>`;

function Evidence({ items, onSeek }) {
  if (!items || !items.length) return null;
  return html`<ul class="evidence">${items.map((e, i) => html`<li key=${i}>
    ${e.start !== undefined ? html`<a href="#" class="mono" onClick=${(ev) => { ev.preventDefault(); onSeek(e.start); }}>${mmss(e.start)}</a> ` : null}
    ${e.heard !== undefined ? html`${e.side ? t(e.side === "caller" ? "qa.caller" : "qa.agent_side") + ": " : ""}“${e.heard}”
      ${e.term && e.term !== e.heard ? html`<span class="muted">(${e.term}${e.score < 100 ? `, ${Math.round(e.score)}%` : ""})</span>` : null}`
      : e.field !== undefined ? html`${e.field} = ${e.value}`
      : e.seconds !== undefined ? html`${Math.round(e.seconds)} s` : null}
  </li>`)}</ul>`;
}

function OverrideForm({ callId, rule, onClose, onSaved }) {
  const o = rule.override;
  const [passed, setPassed] = useState(o ? String(o.passed) : String(!rule.auto.passed));
  const [comment, setComment] = useState(o ? o.comment : "");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = { passed: passed === "clear" ? null : passed === "true", comment };
      const a = await api("POST", `api/analytics/calls/${encodeURIComponent(callId)}/overrides/${encodeURIComponent(rule.id)}`, body);
      notify(t("qa.saved", { score: a.score }), "ok");
      onSaved(a);
    } catch (err) {
      setError({ field: err.field, message: err.message });
    } finally {
      setBusy(false);
    }
  };
  return html`<${Modal} title=${t("qa.override_title", { rule: rule.id })} onClose=${onClose}>
    <form class="override-form" data-testid="override-form" onSubmit=${save} noValidate>
      <div class="muted">${t("qa.auto")}: <${Verdict} passed=${rule.auto.passed} /> ${rule.auto.detail}</div>
      <${Field} label=${t("qa.result")} name="passed" error=${error}>
        <div class="row">
          ${[["true", t("qa.set_pass")], ["false", t("qa.set_fail")], ...(o ? [["clear", t("qa.remove")]] : [])].map(([v, label]) => html`
            <label class="inline" key=${v}><input type="radio" name="passed" value=${v} checked=${passed === v}
              onChange=${() => setPassed(v)} /> ${label}</label>`)}
        </div>
      <//>
      <${Field} label=${t("qa.comment")} name="comment" error=${error}>
        <textarea name="comment" rows="3" value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea>
      <//>
      <${FormError} error=${error} fields=${["passed", "comment"]} />
      <div class="actions">
        <button type="button" onClick=${onClose}>${t("qa.cancel")}</button>
        <button class="primary" type="submit" data-testid="save-override" disabled=${busy}>${t("qa.save")}</button>
      </div>
    </form>
  <//>`;
}

export function Scorecard({ analysis, onChange, onSeek }) {
  const qa = analysis.result && analysis.result.qa;
  const [editing, setEditing] = useState(null);
  if (!qa) return html`<div class="panel"><div class="muted">${t("qa.no_scorecard")}</div></div>`;
  const may = atLeast("supervisor");
  return html`<div class="panel scorecard" data-testid="scorecard">
    <h2>${t("qa.scorecard", { name: qa.scorecard })}</h2>
    <div class="score-line" data-testid="score">
      <${Score} value=${qa.score} mark=${qa.pass_mark} /> / 100 · ${t("qa.pass_mark", { mark: qa.pass_mark })} · <${Verdict} passed=${qa.passed} />
    </div>
    <table><thead><tr><th>${t("qa.rule")}</th><th class="num">${t("qa.weight")}</th><th>${t("qa.auto")}</th>
      <th>${t("qa.evidence")}</th><th>${t("qa.final")}</th>${may ? html`<th></th>` : null}</tr></thead>
    <tbody>${qa.rules.map((r) => html`<tr key=${r.id} data-rule=${r.id} class=${r.override ? "overridden" : ""}>
      <td><b>${r.id}</b><div class="muted">${r.type}${r.description ? " · " + r.description : ""}</div></td>
      <td class="num">${r.weight}</td>
      <td data-testid="auto"><${Verdict} passed=${r.auto.passed} /><div class="detail">${r.auto.detail}</div></td>
      <td class="wrap"><${Evidence} items=${r.auto.evidence} onSeek=${onSeek} /></td>
      <td data-testid="final"><${Verdict} passed=${r.passed} />
        ${r.override ? html`<div class="detail" data-testid="override-note">${t("qa.overridden", { by: r.override.by, comment: r.override.comment || "–" })}
          <span class="muted"> ${dateTime(r.override.at)}</span></div>` : null}</td>
      ${may ? html`<td><button class="small" data-testid="override" onClick=${() => setEditing(r)}>${t("qa.override")}</button></td>` : null}
    </tr>`)}</tbody></table>
    ${editing ? html`<${OverrideForm} callId=${analysis.call_id} rule=${editing} onClose=${() => setEditing(null)}
        onSaved=${(a) => { setEditing(null); onChange(a); }} />` : null}
  </div>`;
}

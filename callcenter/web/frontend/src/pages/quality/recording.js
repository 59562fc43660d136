// The recording's own panel: status, policy, length, time paused, kept until, the audit log
// (GET api/recordings/{id}: every download with who and when), its post-call jobs (finalize, analytics:
// queued, running, done, failed with the error: why a call has no analysis yet), saving the WAV (the same logged
// download) and, for admins, deleting it with a reason (DELETE api/recordings/{id}, as `callcenter
// recordings delete`; the row stays, status "deleted").
import { html, useEffect, useState } from "../../core/html.js";
import { api, get } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { atLeast } from "../../core/session.js";
import { dateTime, duration } from "../../core/format.js";
import { notify } from "../../core/ui.js";

export function RecordingPanel({ recording, player, onDeleted }) {
  const [info, setInfo] = useState(null);
  const state = player.state.value;                      // reload the log once the audio was fetched
  useEffect(() => {
    if (!atLeast("supervisor")) return;
    get(`api/recordings/${recording.id}`).then(setInfo, () => setInfo(null));
  }, [recording.id, recording.status, state]);
  const save = async () => {
    try {
      await player.load();
      const a = document.createElement("a");
      a.href = player.url;
      a.download = `${recording.call_id}.wav`.replace(/[^\w.-]+/g, "_");
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) {
      notify(e.message, "error");
    }
  };
  const remove = async () => {
    const reason = window.prompt(t("qa.delete_reason"));
    if (!reason) return;
    try {
      await api("DELETE", `api/recordings/${recording.id}`, { reason });
      notify(t("qa.deleted"), "ok");
      onDeleted();
    } catch (e) {
      notify(e.message, "error");
    }
  };
  const r = info || recording;
  return html`<div class="panel recording-panel" data-testid="recording"><h3>${t("qa.recording")}</h3>
    <table class="kv"><tbody>
      <tr><th>${t("qcol.status")}</th><td data-testid="rec-status">${r.status}${r.error ? html` <span class="form-error">${r.error}</span>` : null}</td></tr>
      <tr><th>${t("qa.policy")}</th><td>${r.policy || "–"}</td></tr>
      <tr><th>${t("qcol.duration")}</th><td>${duration(r.duration)}${r.paused_s ? ` (${t("qa.paused_for", { d: duration(r.paused_s) })})` : ""}</td></tr>
      <tr><th>${t("qa.kept_until")}</th><td>${r.retain_until ? dateTime(r.retain_until) : "–"}</td></tr>
    </tbody></table>
    <div class="row">
      <button class="small" data-testid="save-wav" disabled=${r.status !== "ready"} onClick=${save}>${t("qa.save_wav")}</button>
      ${atLeast("admin") && r.status !== "deleted" ? html`<button class="small danger" data-testid="delete-recording" onClick=${remove}>${t("qa.delete")}</button>` : null}
    </div>
    ${info && info.jobs.length ? html`<h3 style="margin-top: 8px">${t("qa.jobs")}</h3>
      <ul class="log" data-testid="rec-jobs">${info.jobs.slice().reverse().map((j) => html`<li key=${j.id} data-kind=${j.kind} data-status=${j.status}>
        ${j.kind}: <b class=${j.status === "failed" ? "form-error" : ""}>${t("job." + j.status)}</b>
        ${j.attempts > 1 || j.status === "failed" ? ` (${j.attempts}/${j.max_attempts})` : ""}
        ${j.error ? html` <span class="form-error">${j.error}</span>` : null}</li>`)}</ul>` : null}
    ${info && info.log.length ? html`<h3 style="margin-top: 8px">${t("qa.access_log")}</h3>
      <ul class="log" data-testid="rec-log">${info.log.slice(-8).reverse().map((l, i) => html`<li key=${i}>
        <span class="muted">${dateTime(l.ts)}</span> ${l.action} · ${l.actor || "–"}</li>`)}</ul>` : null}
  </div>`;
}

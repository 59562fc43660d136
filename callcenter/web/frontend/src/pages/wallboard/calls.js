// Waiting calls, longest first, with the supervisor's actions: move to another queue, change the
// priority, hang up. Each row reads its own call's signal.
import { html, useEffect, useState } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { elapsed } from "../../core/clock.js";
import { post } from "../../core/api.js";
import { attempt } from "../../core/ui.js";
import { callIds, calls, queueNames } from "./store.js";

function CallRow({ id }) {
  const c = calls.get(id).value;
  const [moving, setMoving] = useState(false);
  const cid = encodeURIComponent(id);
  const move = (queue) => { setMoving(false); if (queue && queue !== c.queue) attempt(() => post(`api/calls/${cid}/move`, { queue }), `${c.caller} → ${queue}`); };
  const prio = (p) => attempt(() => post(`api/calls/${cid}/priority`, { priority: Math.max(0, Math.min(100, p)) }));
  const hang = () => { if (confirm(t("wb.confirm_hangup", { id: c.caller || id }))) attempt(() => post(`api/calls/${cid}/hangup`)); };
  return html`<tr data-testid=${`call-${id}`} data-call=${id}>
    <td class="num">${c.position}</td><td>${c.caller || "–"}</td><td>${c.queue}</td>
    <td class="num mono" ...${elapsed(c.since)} />
    <td class="num">${c.priority}
      <button class="small" title=${t("wb.priority") + " +1"} onClick=${() => prio(c.priority + 1)}>+</button>
      <button class="small" title=${t("wb.priority") + " −1"} disabled=${c.priority <= 0} onClick=${() => prio(c.priority - 1)}>−</button></td>
    <td>${moving ? html`<select autofocus data-testid="move-select" onChange=${(e) => move(e.target.value)} onBlur=${() => setMoving(false)}>
          <option value="">${t("wb.move_to")}</option>
          ${queueNames.value.filter((q) => q !== c.queue).map((q) => html`<option value=${q}>${q}</option>`)}</select>`
        : html`<button class="small" data-testid="btn-move" onClick=${() => setMoving(true)}>${t("wb.move")}</button>`}
      <button class="small danger" title=${t("wb.hangup")} onClick=${hang}>✕</button></td>
  </tr>`;
}

const FIRST_ROWS = 25;       // what the first paint needs (the box shows ~15 rows); the rest right after it
const MAX_ROWS = 200;

export function WaitingCalls() {
  const ids = callIds.value;
  const [limit, setLimit] = useState(FIRST_ROWS);
  const some = ids.length > 0;
  useEffect(() => { if (some && limit < MAX_ROWS) setLimit(MAX_ROWS); }, [some]);   // (effects run after paint)
  return html`<div class="panel wcalls" data-testid="waiting-calls">
    <h2>${t("wb.calls")} <span class="muted">(${ids.length})</span></h2>
    ${ids.length === 0 ? html`<div class="muted">${t("wb.no_calls")}</div>` : html`<div class="scroll"><table>
      <thead><tr><th class="num">${t("wb.pos")}</th><th>${t("wb.caller")}</th><th>${t("wb.queue")}</th>
        <th class="num">${t("wb.wait")}</th><th class="num">${t("wb.priority")}</th><th>${t("wb.actions")}</th></tr></thead>
      <tbody>${ids.slice(0, limit).map((id) => html`<${CallRow} key=${id} id=${id} />`)}</tbody></table></div>`}
  </div>`;
}

// Everything the desk can do, as API calls (the server checks each one against the agent's token).
import { post } from "../../core/api.js";
import { attempt } from "../../core/ui.js";
import { t } from "../../core/i18n.js";
import { call, features, loadRecording, refreshMe, clearCall } from "./store.js";

const agentPath = (id, verb) => `api/agents/${encodeURIComponent(id)}/${verb}`;
const callPath = (cid, verb) => `api/calls/${encodeURIComponent(cid)}/${verb}`;
const after = async (p) => { const r = await p; await refreshMe(); return r; };

export const ready = (id) => attempt(() => after(post(agentPath(id, "ready"))));
export const pause = (id, reason) => attempt(() => after(post(agentPath(id, "pause"), reason ? { reason } : {})));
export const endWrapup = (id) => attempt(() => after(post(agentPath(id, "end-wrapup")))).then((r) => { if (r) clearCall(); return r; });
export const login = (id, phone) => attempt(() => after(post(agentPath(id, "login"), phone ? { phone } : {})));
export const logoutAgent = (id) => attempt(() => after(post(agentPath(id, "logout"), { reason: "desk" })));
export const hangup = (id) => attempt(() => after(post(agentPath(id, "hangup"))));

export function hold(on) {
  const c = call.value;
  if (!c || !features.value.hold) return undefined;
  return attempt(() => post(callPath(c.call_id, on ? "hold" : "unhold"))).then((r) => {
    if (r && call.value && call.value.call_id === r.call_id) {
      call.value = { ...call.value, on_hold: r.on_hold, on_hold_since: r.on_hold_since, holds: r.holds, held_s: r.held_s };
    }
    return r;
  });
}

export function transfer(to) {
  const c = call.value;
  if (!c || !features.value.transfer || !to) return undefined;
  return attempt(() => post(callPath(c.call_id, "transfer"), { to }), t("desk.transfer"));
}

export function recordingAction(action) {
  const c = call.value;
  if (!c || !features.value.recording) return undefined;
  return attempt(() => post(`${callPath(c.call_id, "recording")}/${action}`)).then((r) => { loadRecording(); return r; });
}

export function saveWrapup(code, notes) {
  const c = call.value;
  if (!c) return undefined;
  return attempt(() => post(callPath(c.call_id, "wrapup"), { code: code || undefined, notes }), t("desk.saved"))
    .then((r) => { if (r && call.value) call.value = { ...call.value, wrapup: r.wrapup }; return r; });
}

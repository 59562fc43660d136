// The desk's live state: the agent (GET /api/agents/{me}), the call on screen (the AgentOffered screen
// pop, then GET /api/calls/{id}), settings, today's figures, the caller's previous calls. Kept fresh by
// the agent's WebSocket events (the server sends an agent only its own) and a 15 s safety refresh.
import { signal, batch } from "../../core/html.js";
import { get } from "../../core/api.js";
import { live } from "../../core/ws.js";
import { syncServerClock } from "../../core/clock.js";

export const me = signal(null);              // agent status
export const call = signal(null);            // {call_id, caller, caller_name, did, queue, intent, ivr, ivr_summary, phase, ...}
export const settings = signal({ pause_reasons: [], wrapup_codes: [], queues: [] });
export const today = signal(null);
export const history = signal(null);         // {caller, calls: [...]}
export const features = signal({});          // optional routes this server has (hold, transfer, recording)
export const recording = signal(null);       // the call's recording {recording_id, paused, path}, or null
export const error = signal(null);

let agentId = null;
let historyFor = null;

export async function refreshMe() {
  try {
    const a = await get(`api/agents/${encodeURIComponent(agentId)}`);
    syncServerClock(a.now);
    me.value = a;
    error.value = null;
    if (a.call_id && (!call.value || call.value.call_id !== a.call_id)) await loadCall(a.call_id);
    if (!a.call_id && call.value && call.value.phase === "ringing") call.value = null;   // offer withdrawn
  } catch (e) {
    error.value = e.message;
  }
}

async function loadCall(callId, base = {}) {
  let c = { call_id: callId, ...base };
  try {
    const got = await get(`api/calls/${encodeURIComponent(callId)}`);
    for (const [k, v] of Object.entries(got)) if (v !== null || !(k in c)) c[k] = v;   // keep the pop's wait
    c.phase = c.state === "talking" ? "talking" : (base.phase || "ringing");
  } catch (_) {
    c.phase = base.phase || "ended";       // the call is over (wrap-up after a reload)
  }
  call.value = c;
  loadHistory(callId);
  loadRecording();
}

async function loadHistory(callId) {
  if (historyFor === callId) return;
  historyFor = callId;
  try { history.value = await get(`api/calls/${encodeURIComponent(callId)}/history`); } catch (_) { history.value = null; }
}

export async function loadRecording() {
  const c = call.value;
  if (!features.value.recording || !c || c.phase !== "talking") { recording.value = null; return; }
  try { recording.value = (await get(`api/calls/${encodeURIComponent(c.call_id)}/recording`)).recording || null; } catch (_) { recording.value = null; }
}

export async function refreshToday() {
  try { today.value = (await get(`api/agents/${encodeURIComponent(agentId)}/today`)).figures; } catch (_) { /* keep */ }
}

function onEvent(ev) {
  if (ev.agent_id && ev.agent_id !== agentId) return;
  const cur = call.value;
  switch (ev.kind) {
    case "AgentOffered":
      batch(() => {
        call.value = { call_id: ev.call_id, queue: ev.queue, phase: "ringing", offered_at: ev.ts, ...ev.data };
        history.value = null;
      });
      loadHistory(ev.call_id);
      break;
    case "CallAnswered":
      if (cur && cur.call_id === ev.call_id) {
        call.value = { ...cur, phase: "talking", answered_at: ev.ts };
        loadCall(ev.call_id, { ...call.value });
      }
      break;
    case "CallCompleted":
    case "CallEnded":
      if (cur && cur.call_id === ev.call_id && cur.phase !== "ringing") {
        call.value = { ...cur, phase: "ended", ended_at: ev.ts };
        recording.value = null;
        refreshToday();
      }
      break;
    case "CallHeld":
      if (cur && cur.call_id === ev.call_id) call.value = { ...cur, on_hold: true, on_hold_since: ev.ts, holds: ev.data.holds };
      break;
    case "CallResumed":
      if (cur && cur.call_id === ev.call_id) {
        call.value = { ...cur, on_hold: false, on_hold_since: null, held_s: ev.data.total_held_s };
      }
      break;
    case "RecordingStarted":
    case "RecordingPaused":
    case "RecordingResumed":
    case "RecordingStopped":
    case "RecordingFailed":
      // the call's recording can start after the desk's first look at it (MixMonitor is asked on answer)
      if (cur && cur.call_id === ev.call_id) loadRecording();
      break;
    case "CallWrappedUp":
      if (cur && cur.call_id === ev.call_id) call.value = { ...cur, wrapup: ev.data };
      break;
    default:
      break;
  }
  refreshMe();
}

/** start following agent `id`; returns the stop function */
export function follow(id) {
  agentId = id;
  historyFor = null;
  batch(() => { me.value = null; call.value = null; history.value = null; today.value = null; });
  get("api/desk/settings").then((s) => { settings.value = s; }, () => {});
  get("api/openapi.json").then((doc) => {
    const paths = Object.keys(doc.paths || {});
    features.value = {
      hold: paths.includes("/api/calls/{call_id}/hold"),
      transfer: paths.includes("/api/calls/{call_id}/transfer"),
      recording: paths.includes("/api/calls/{call_id}/recording/{action}"),
    };
  }, () => {});
  refreshMe();
  refreshToday();
  const offs = [live.on("event", onEvent), live.on("open", () => { refreshMe(); refreshToday(); })];
  const timer = setInterval(() => { refreshMe(); }, 15000);
  const todayTimer = setInterval(refreshToday, 60000);
  return () => { offs.forEach((f) => f()); clearInterval(timer); clearInterval(todayTimer); };
}

/** the call on screen is done with (after wrap-up) */
export function clearCall() {
  batch(() => { call.value = null; history.value = null; recording.value = null; });
  historyFor = null;
}

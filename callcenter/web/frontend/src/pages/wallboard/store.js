// The wallboard's live data, kept as one signal per queue and per agent so that a change repaints only
// its own tile, card or row (never the whole page):
//   * queues: the GET /api/queues view, pushed on the WebSocket every second (?every=1&members=0);
//   * agents: GET /api/agents once (with the queues and settings: GET /api/wallboard), then every
//     AgentStateChanged event as it happens (and GET /api/agents again when the socket reconnects);
//   * waiting calls: the queues' callers, one signal per call.
// A signal is written only when its content changed (compared as JSON).
import { signal, batch } from "../../core/html.js";
import { get } from "../../core/api.js";
import { live } from "../../core/ws.js";
import { syncServerClock } from "../../core/clock.js";

export const queueNames = signal([]);       // sorted names (changes when queues are added / removed)
export const queues = new Map();            // name -> signal(queue view without members/callers)
export const agentIds = signal([]);
export const agents = new Map();            // agent_id -> signal(agent status)
export const callIds = signal([]);          // waiting calls, longest wait first
export const calls = new Map();             // call_id -> signal(caller row + queue)
export const totals = signal(null);         // centre-wide figures
export const settings = signal({ pause_reasons: [], wrapup_codes: [], alerts: {} });
export const samples = signal([]);          // [[ts, waiting, longest]] since the page opened (chart)
export const lastUpdate = signal(0);
export const riskAlerts = signal([]);       // RiskWordsDetected (conversation analytics), newest first, at most 20

const seen = new Map();                     // key -> JSON last written

function put(map, key, value) {
  const json = JSON.stringify(value);
  if (seen.get(key) === json) return false;
  seen.set(key, json);
  const s = map.get(key);
  if (s) s.value = value;
  else map.set(key, signal(value));
  return true;
}

function sameList(sig, list) {
  const a = sig.value;
  if (a.length === list.length && a.every((x, i) => x === list[i])) return;
  sig.value = list;
}

export function applyQueues(msg) {
  syncServerClock(msg.now);
  batch(() => {
    const names = [];
    const waiting = [];
    const byState = {};
    let sumWait = 0, longest = 0, offered = 0, answered = 0, abandoned = 0, inSl = 0, slBase = 0;
    let ahtSum = 0, ahtN = 0, asaSum = 0, asaN = 0;
    for (const q of msg.queues) {
      names.push(q.name);
      const { callers = [], members, longest_wait, ...view } = q;
      // waits become start times: a tile or row changes when its data does, the seconds follow the clock tick
      view.longest_since = longest_wait ? Math.round(msg.now - longest_wait) : null;
      put(queues, "q:" + q.name, view);
      for (const { wait, ...c } of callers) waiting.push({ ...c, queue: q.name, since: Math.round(msg.now - wait) });
      sumWait += q.calls_waiting;
      longest = Math.max(longest, q.longest_wait || 0);   // (totals: one small panel, updated each view)
      offered += q.offered; answered += q.answered; abandoned += q.abandoned;
      if (q.service_level !== null) { inSl += (q.service_level / 100) * (q.answered + q.abandoned); slBase += q.answered + q.abandoned; }
      if (q.aht !== null) { ahtSum += q.aht * q.answered; ahtN += q.answered; }
      if (q.asa !== null) { asaSum += q.asa * q.answered; asaN += q.answered; }
    }
    for (const s of agents.values()) byState[s.value.state] = (byState[s.value.state] || 0) + 1;
    sameList(queueNames, names);
    waiting.sort((a, b) => a.since - b.since);
    const ids = waiting.map((c) => c.call_id);
    const keep = new Set(ids);
    for (const c of waiting) put(calls, c.call_id, c);
    for (const id of [...calls.keys()]) if (!keep.has(id)) { calls.delete(id); seen.delete(id); }
    sameList(callIds, ids);
    totals.value = {
      waiting: sumWait, longest, offered, answered, abandoned,
      service_level: slBase ? (100 * inSl) / slBase : null,
      abandon_rate: offered ? (100 * abandoned) / offered : null,
      aht: ahtN ? ahtSum / ahtN : null, asa: asaN ? asaSum / asaN : null, states: byState,
    };
    const s = samples.value;
    samples.value = [...(s.length > 3600 ? s.slice(-3600) : s), [msg.now, sumWait, longest]];
    lastUpdate.value = msg.now;
  });
}

export const queue = (name) => queues.get("q:" + name);

function applyAgent(a) {
  put(agents, a.agent_id, a);
}

function onEvent(ev) {
  if (ev.kind === "RiskWordsDetected") {
    const d = ev.data || {};
    riskAlerts.value = [{ key: `${ev.call_id}:${ev.ts}`, ts: ev.ts, queue: ev.queue, agent: d.agent, call_id: ev.call_id,
                          summary: d.summary || "" }, ...riskAlerts.value].slice(0, 20);
    return;
  }
  if (ev.kind === "AgentStateChanged" && ev.agent_id) {
    const s = agents.get(ev.agent_id);
    const cur = s ? s.value : { agent_id: ev.agent_id, name: ev.agent_id };
    const d = ev.data || {};
    applyAgent({ ...cur, state: d.state || cur.state, reason: d.reason ?? null,
                 pause_reason: d.state === "paused" ? d.reason : null, state_since: ev.ts,
                 call_id: d.state === "ready" || d.state === "logged_out" ? null : (ev.call_id || cur.call_id) });
    if (!s) agentIds.value = [...agentIds.value, ev.agent_id].sort();
  } else if ((ev.kind === "AgentOffered" || ev.kind === "CallAnswered") && ev.agent_id) {
    const s = agents.get(ev.agent_id);
    if (s) applyAgent({ ...s.value, call_id: ev.call_id, queue_now: ev.queue });
  }
}

// What the socket brings is applied once per animation frame, in one batch: a burst of events (they
// come in bursts on a busy server) repaints each card once, in one layout and paint. A hidden page
// (no frames) still applies them every 200 ms so nothing piles up.
let pending = [];
let timer = null;
function drop() {
  if (timer) { cancelAnimationFrame(timer.frame); clearTimeout(timer.fallback); }
  timer = null;
}
function flush() {
  drop();
  const todo = pending;
  pending = [];
  batch(() => { for (const [fn, msg] of todo) fn(msg); });
}
function later(fn, msg) {
  pending.push([fn, msg]);
  if (!timer) timer = { frame: requestAnimationFrame(flush), fallback: setTimeout(flush, 200) };
}

function applyAgents(list) {
  for (const a of list) applyAgent(a);
  sameList(agentIds, list.map((a) => a.agent_id));
}

async function loadAgents() {
  const r = await get("api/agents");
  syncServerClock(r.now);
  batch(() => applyAgents(r.agents));
}

/** GET /api/wallboard: the queues (without members), the agents and the settings in one answer */
function applyFirstView(r) {
  syncServerClock(r.now);
  batch(() => {
    settings.value = r.settings;
    applyAgents(r.agents);
    applyQueues({ now: r.now, queues: r.queues });
  });
}

export function start() {
  get("api/wallboard").then(applyFirstView, () => {});
  live.setParams({ every: 1, members: 0 });      // the queue view every second, agents by their events
  const offs = [
    () => live.setParams({}),
    () => { drop(); pending = []; },
    live.on("queues", (msg) => later(applyQueues, msg)),
    live.on("event", (ev) => later(onEvent, ev)),
    live.on("open", () => { loadAgents().catch(() => {}); }),
  ];
  return () => offs.forEach((f) => f());
}

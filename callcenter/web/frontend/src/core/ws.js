// The live connection: GET /api/ws?token=..., reconnecting with back-off (0.5 s doubling to 10 s), a
// ping every 20 s so proxies keep it open. One shared instance (`live`) runs while someone is logged in.
//   live.on("event", (ev) => ...)      a domain event {kind, ts, call_id, agent_id, queue, data}
//   live.on("queues", (msg) => ...)    supervisors: the GET /api/queues view every 2 s
//   live.on("open", () => ...)         (re)connected: refetch what may have been missed
// `live.status` is a signal: "connecting" | "open" | "closed".
// The queue view is off unless a page asks for it: live.setParams({every: 1, members: 0}) (the wallboard:
// every second, without members), live.setParams({}) when it leaves; the socket reconnects with them.
import { signal, effect } from "./html.js";
import { session } from "./session.js";

export class LiveSocket {
  constructor(urlFor) {
    this.urlFor = urlFor;           // (params) => ws URL (with the token), or null when logged out
    this.params = {};
    this.handlers = new Map();
    this.status = signal("closed");
    this.ws = null;
    this.delay = 500;
    this.timer = null;
    this.pinger = null;
    this.wanted = false;
    this.received = 0;
  }

  on(type, fn) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(fn);
    return () => this.handlers.get(type).delete(fn);
  }

  emit(type, msg) {
    for (const fn of this.handlers.get(type) || []) {
      try { fn(msg); } catch (e) { console.error(`live ${type} handler failed`, e); }
    }
  }

  /** query parameters of the socket (GET /api/ws: every, members, queues); reconnects when they change */
  setParams(params) {
    if (JSON.stringify(params) === JSON.stringify(this.params)) return;
    this.params = params;
    if (this.wanted) { this.stop(); this.start(); }
  }

  start() {
    this.wanted = true;
    if (!this.ws) this.connect();
  }

  stop() {
    this.wanted = false;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    if (this.ws) { const ws = this.ws; this.ws = null; ws.close(1000, "logout"); }
    this.status.value = "closed";
  }

  connect() {
    const url = this.urlFor(this.params);
    if (!url || !this.wanted) return;
    this.status.value = "connecting";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.delay = 500;
      this.status.value = "open";
      this.pinger = setInterval(() => ws.readyState === 1 && ws.send('{"type":"ping"}'), 20000);
      this.emit("open", null);
    };
    ws.onmessage = (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch (_) { return; }
      this.received += 1;
      if (msg.type === "event") this.emit("event", msg.event);
      else this.emit(msg.type, msg);
    };
    ws.onclose = () => {
      clearInterval(this.pinger);
      if (this.ws !== ws) return;          // stopped on purpose
      this.ws = null;
      this.status.value = "closed";
      this.emit("close", null);
      if (this.wanted) {
        this.timer = setTimeout(() => this.connect(), this.delay);
        this.delay = Math.min(this.delay * 2, 10000);
      }
    };
  }
}

export function wsUrl(token, params = {}) {
  const base = new URL("api/ws", document.baseURI);
  base.protocol = base.protocol === "https:" ? "wss:" : "ws:";
  base.searchParams.set("token", token);
  const p = { queues: 0, ...params };
  if (params.every) p.queues = 1;
  for (const [k, v] of Object.entries(p)) base.searchParams.set(k, String(v));
  return base.toString();
}

export const live = new LiveSocket((params) => (session.value ? wsUrl(session.value.token, params) : null));

// runs while logged in, stops at logout
effect(() => { if (session.value) { live.stop(); live.start(); } else live.stop(); });

// The agents' browser phone, embeddable in the agent desktop. Usage:
//   import { BrowserPhone } from "/phone/phone.js";
//   const phone = new BrowserPhone({ token, agent: "alice",
//       onRing: (call) => ..., onCall: (call) => ..., onEnded: (info) => ..., onState: (s) => ... });
//   await phone.register();        // microphone + WebRTC session: the agent's phone is Browser/alice
//   await phone.login(); await phone.ready();   // optional: log the agent in at this phone, ready
//   phone.answer(); phone.decline(); phone.hangup(); phone.press("1"); phone.unregister();
// States: off, idle, ringing, talking. A ring not answered within the ring timeout is withdrawn by the
// server (RONA) and onEnded({reason: "no_answer"}) is called.
import { openSession } from "./rtc.js";

export class BrowserPhone {
  constructor({ server = "", token, agent = null, onRing = null, onCall = null, onEnded = null,
                onState = null, onMessage = null, audioElement = null } = {}) {
    Object.assign(this, { server, token, agent, onRing, onCall, onEnded, onState, onMessage, audioElement });
    this.state = "off";
    this.session = null;
    this.interface = null;
    this.call = null;
  }
  _set(state) { this.state = state; if (this.onState) this.onState(state, this.call); }
  async register() {
    if (this.session) return this.interface;
    this.session = await openSession({
      url: this.server + "/api/webrtc/phone", token: this.token,
      extra: this.agent ? { agent: this.agent } : {}, audioElement: this.audioElement,
      onMessage: (m) => this._message(m),
      onClose: () => { this.session = null; this.call = null; this._set("off"); },
    });
    this.interface = this.session.answer.interface;
    this.agent = this.agent || this.interface.replace(/^Browser\//, "");
    this._set("idle");
    return this.interface;
  }
  _message(m) {
    if (this.onMessage) this.onMessage(m);
    if (m.type === "ring") { this.call = m; this._set("ringing"); if (this.onRing) this.onRing(m); }
    else if (m.type === "ring-cancel") { const c = this.call; this.call = null; this._set("idle");
      if (this.onEnded) this.onEnded({ call: c, reason: m.reason || "cancelled" }); }
    else if (m.type === "call-started") { this._set("talking"); if (this.onCall) this.onCall(this.call || m); }
    else if (m.type === "call-ended") { const c = this.call; this.call = null; this._set("idle");
      if (this.onEnded) this.onEnded({ call: c, reason: m.by === "us" ? "caller hung up" : "you hung up" }); }
  }
  answer() { if (this.session && this.state === "ringing") this.session.send({ type: "answer" }); }
  decline() { if (this.session && this.state === "ringing") this.session.send({ type: "decline" }); }
  hangup() { if (this.session && this.state === "talking") this.session.send({ type: "end" }); }
  press(digits) { if (this.session) this.session.send({ type: "dtmf", digits: String(digits) }); }
  unregister() { if (this.session) { this.session.close(); this.session = null; this._set("off"); } }
  async _api(path, body) {
    const r = await fetch(this.server + "/api/agents/" + encodeURIComponent(this.agent) + path, {
      method: "POST", headers: { "Content-Type": "application/json", "Authorization": "Bearer " + this.token },
      body: JSON.stringify(body || {}) });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.error || ("HTTP " + r.status));
    return data;
  }
  login() { return this._api("/login", { phone: this.interface }); }
  ready() { return this._api("/ready"); }
  pause(reason = "break") { return this._api("/pause", { reason }); }
}

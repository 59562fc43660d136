// The web caller: call the center from a page. Usage:
//   import { WebCaller } from "/phone/call.js";
//   const c = new WebCaller({ onMessage: (m) => ..., onState: (s) => ... });
//   await c.call(); c.press("1"); c.hangup();
// States: idle, calling, connected, ended, busy (the server is overloaded: try later). Messages from the server: call, prompt, partial, heard,
// status, ended (see docs/media.md).
import { openSession } from "./rtc.js";

export class WebCaller {
  constructor({ server = "", token = null, name = "", onMessage = null, onState = null } = {}) {
    Object.assign(this, { server, token, name, onMessage, onState });
    this.state = "idle";
    this.session = null;
    this.callId = null;
  }
  _set(state, detail) { this.state = state; if (this.onState) this.onState(state, detail); }
  async call() {
    if (this.session) return;
    this._set("calling");
    try {
      this.session = await openSession({
        url: this.server + "/webrtc/call", token: this.token, extra: { name: this.name },
        onMessage: (m) => {
          if (m.type === "call") this.callId = m.call_id;
          if (m.type === "ended") this._end(m.reason || "ended");
          if (this.onMessage) this.onMessage(m);
        },
        onClose: (why) => this._end(why),
      });
      this.callId = this.session.answer.call_id;
      this.session.channel.onopen = () => this._set("connected");
    } catch (e) {
      this.session = null;
      if (e.busy) this._set("busy", "busy, please try later" + (e.retryAfter ? " (in " + e.retryAfter + " s)" : ""));
      else this._set("ended", String(e.message || e));
    }
  }
  press(digits) { if (this.session) this.session.send({ type: "dtmf", digits: String(digits) }); }
  hangup() { if (this.session) { this.session.close(); this._end("hung up"); } }
  _end(why) {
    if (this.state === "ended" && !this.session) return;
    const s = this.session;
    this.session = null;
    if (s) { try { s.pc.close(); } catch (e) {} s.stream.getTracks().forEach((t) => t.stop()); }
    this._set("ended", why);
  }
}

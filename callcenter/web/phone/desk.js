// The browser phone panel of the agent desk: mount(element, {token, agent, phone}) -> unmount().
// The desk (callcenter/web static pages) imports this module when the server serves it. If the agent's
// phone is already this browser (phone "Browser/<agent>") the page registers at once; otherwise a
// button offers to take calls in the browser (it registers and logs the agent in at Browser/<agent>;
// readiness stays with the desk's own state buttons).
import { BrowserPhone } from "./phone.js";

const LABELS = { off: "Phone off", idle: "Phone ready", ringing: "Ringing", talking: "On a call" };

export function mount(element, { token, agent, phone } = {}) {
  const root = document.createElement("div");
  root.className = "browser-phone";
  root.innerHTML = `
    <div><b data-role="state">Phone off</b> <span data-role="who" class="muted small"></span></div>
    <div>
      <button type="button" data-role="register">Take calls in this browser</button>
      <button type="button" data-role="answer" hidden>Answer</button>
      <button type="button" data-role="decline" hidden>Decline</button>
      <button type="button" data-role="hangup" hidden>Hang up</button>
    </div>
    <div data-role="error" class="small" style="color:#c62828"></div>`;
  element.appendChild(root);
  const $ = (role) => root.querySelector(`[data-role="${role}"]`);
  const show = (state, call) => {
    $("state").textContent = LABELS[state] || state;
    $("who").textContent = state === "ringing" || state === "talking"
      ? ((call && (call.caller || call.call_id)) || "") + (call && call.data && call.data.CC_QUEUE ? " \u00b7 " + call.data.CC_QUEUE : "")
      : (bp.interface || "");
    $("register").hidden = state !== "off";
    $("answer").hidden = $("decline").hidden = state !== "ringing";
    $("hangup").hidden = state !== "talking";
  };
  const bp = new BrowserPhone({ token, agent, onState: show });
  const fail = (e) => { $("error").textContent = String((e && e.message) || e); };
  $("register").onclick = async () => {
    $("error").textContent = "";
    try { await bp.register(); await bp.login(); } catch (e) { fail(e); }
  };
  $("answer").onclick = () => bp.answer();
  $("decline").onclick = () => bp.decline();
  $("hangup").onclick = () => bp.hangup();
  if (agent && phone === "Browser/" + agent) bp.register().catch(fail);
  show("off");
  return () => { bp.unregister(); root.remove(); };
}

// The script of /phone (kept out of the HTML: the pages' CSP allows scripts from this server only).
import { BrowserPhone } from "./phone.js";
const $ = (id) => document.getElementById(id);
const log = (cls, text) => { const d = document.createElement("div"); d.className = cls;
  d.textContent = new Date().toLocaleTimeString() + " " + text; $("log").appendChild(d); $("log").scrollTop = 1e9; };
let phone = null;
function show(state, call) {
  $("state").textContent = state;
  $("ring").hidden = state !== "ringing";
  document.body.classList.toggle("ringing", state === "ringing");
  if (state === "ringing" && call) $("who").textContent = (call.caller || "") + (call.data && call.data.CC_QUEUE ? " (queue " + call.data.CC_QUEUE + ")" : "");
  $("hangup").disabled = state !== "talking";
  for (const id of ["ready", "pause", "off"]) $(id).disabled = state === "off";
}
$("login").onsubmit = async (e) => {
  e.preventDefault();
  try {
    const r = await fetch("/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("user").value, password: $("password").value }) });
    const who = await r.json();
    if (!r.ok) throw new Error(who.error || "login refused");
    localStorage.setItem("callcenter.token", who.token);
    phone = new BrowserPhone({ token: who.token, agent: who.agent,
      onState: show,
      onRing: (c) => log("info", "ringing: " + (c.caller || c.call_id)),
      onCall: (c) => log("heard", "talking (" + (c.call_id || "") + ")"),
      onEnded: (i) => log("info", "call over: " + i.reason) });
    $("iface").textContent = await phone.register();
    await phone.login();
    await phone.ready();
    log("info", "signed in as " + who.user + ", ready for calls");
  } catch (err) { log("err", String(err.message || err)); }
};
$("answer").onclick = () => phone && phone.answer();
$("decline").onclick = () => phone && phone.decline();
$("hangup").onclick = () => phone && phone.hangup();
$("ready").onclick = () => phone && phone.ready().then(() => log("info", "ready"), (e) => log("err", e.message));
$("pause").onclick = () => phone && phone.pause().then(() => log("info", "paused"), (e) => log("err", e.message));
$("off").onclick = () => { if (phone) { phone.unregister(); log("info", "phone unregistered"); } };
window.browserPhone = () => phone;

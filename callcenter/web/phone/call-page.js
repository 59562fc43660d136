// The script of /call (kept out of the HTML: the pages' CSP allows scripts from this server only).
import { WebCaller } from "./call.js";
const $ = (id) => document.getElementById(id);
const log = (cls, text) => { const d = document.createElement("div"); d.className = cls; d.textContent = text;
  $("log").appendChild(d); $("log").scrollTop = 1e9; };
const token = new URLSearchParams(location.search).get("token") || localStorage.getItem("callcenter.token");
const caller = new WebCaller({
  token,
  onState: (s, detail) => {
    $("state").textContent = s;
    $("call").disabled = s === "calling" || s === "connected";
    $("hangup").disabled = !(s === "calling" || s === "connected");
    if (s === "busy") log("err", detail);
    if (s === "ended") log(detail && detail !== "hung up" ? "err" : "info", "call ended" + (detail ? ": " + detail : ""));
  },
  onMessage: (m) => {
    if (m.type === "call") $("callid").textContent = m.call_id;
    else if (m.type === "prompt") log("said", "IVR: " + m.text);
    else if (m.type === "heard") log("heard", m.digits ? "you pressed " + m.digits :
      "heard: " + (m.text ? "\u201c" + m.text + "\u201d" : "(nothing understood)"));
    else if (m.type === "status") log("info", m.state === "waiting" ? "waiting in queue " + (m.queue || "")
      : "talking" + (m.agent ? " with " + m.agent : ""));
  },
});
for (const k of "123456789*0#") {
  const b = document.createElement("button"); b.textContent = k;
  b.onclick = () => { caller.press(k); log("info", "pressed " + k); };
  $("keypad").appendChild(b);
}
document.addEventListener("keydown", (e) => { if (caller.state === "connected" && "0123456789*#".includes(e.key)) caller.press(e.key); });
$("call").onclick = () => { $("log").textContent = ""; caller.call(); };
$("hangup").onclick = () => caller.hangup();
window.webCaller = caller;

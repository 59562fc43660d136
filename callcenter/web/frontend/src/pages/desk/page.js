// The agent desk: my state (ready / pause with a reason / wrap-up countdown / log in and out), the call
// on screen (screen pop: caller, what the IVR learned, the caller's previous calls), call controls,
// wrap-up code and notes stored with the call, my figures today, the phone, keyboard shortcuts.
import "./i18n.js";
import { html, useEffect, useState } from "../../core/html.js";
import { session } from "../../core/session.js";
import { t } from "../../core/i18n.js";
import { Empty } from "../../core/ui.js";
import { call, follow, me, error } from "./store.js";
import { StatePanel } from "./state.js";
import { CallPanel } from "./call.js";
import { WrapupPanel } from "./wrapup.js";
import { HistoryPanel, TodayPanel, PhonePanel } from "./side.js";
import { useShortcuts, ShortcutHelp } from "./keys.js";

export default function Desk() {
  const s = session.value;
  const agentId = s && s.agent;
  const [help, setHelp] = useState(false);
  useEffect(() => (agentId ? follow(agentId) : undefined), [agentId]);
  useShortcuts(agentId, () => setHelp((x) => !x));
  if (!agentId) return html`<${Empty}>${t("desk.not_agent")}</${Empty}>`;
  const a = me.value;
  const c = call.value;
  const wrapping = a && (a.state === "wrap_up" || (c && c.phase === "ended"));
  return html`<div class="desk" data-testid="desk">
    <div class="desk-left">
      <${StatePanel} agentId=${agentId} />
      <${TodayPanel} />
      <${PhonePanel} agentId=${agentId} />
    </div>
    <div class="desk-main">
      ${error.value && html`<div class="panel error">${error.value}</div>`}
      <${CallPanel} agentId=${agentId} />
      ${wrapping && c && html`<${WrapupPanel} agentId=${agentId} />`}
    </div>
    <div class="desk-right">
      <${HistoryPanel} />
      <button class="ghost small" onClick=${() => setHelp(true)}>${t("desk.shortcuts")} <kbd>?</kbd></button>
    </div>
    ${help && html`<${ShortcutHelp} onClose=${() => setHelp(false)} />`}
  </div>`;
}

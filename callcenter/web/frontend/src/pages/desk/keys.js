// Keyboard shortcuts of the desk (Alt+letter, so typing in notes is never taken for a command).
import { html, useEffect } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { Modal } from "../../core/ui.js";
import { call, me, settings } from "./store.js";
import { pauseMenu } from "./state.js";
import { transferOpen } from "./call.js";
import { wrapupForm } from "./wrapup.js";
import * as act from "./actions.js";

export const SHORTCUTS = [
  ["Alt+R", "desk.ready"], ["Alt+P", "desk.pause"], ["1…9", "desk.pause_reason"], ["Alt+E", "desk.end_wrapup"],
  ["Alt+H", "desk.hangup"], ["Alt+K", "desk.hold"], ["Alt+T", "desk.transfer"], ["Alt+S", "desk.save"],
  ["Ctrl+Enter", "desk.save_end"], ["?", "desk.shortcuts"],
];

export function useShortcuts(agentId, toggleHelp) {
  useEffect(() => {
    if (!agentId) return undefined;
    const onKey = (e) => {
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
      if (pauseMenu.value && !e.altKey && /^[1-9]$/.test(e.key)) {
        const r = (settings.value.pause_reasons || [])[Number(e.key) - 1];
        if (r) { e.preventDefault(); pauseMenu.value = false; act.pause(agentId, r); }
        return;
      }
      if (e.key === "Escape") { pauseMenu.value = false; return; }
      if (!e.altKey) {
        if (e.key === "?" && !typing) { e.preventDefault(); toggleHelp(); }
        return;
      }
      const c = call.value;
      const a = me.value;
      const k = e.key.toLowerCase();
      const run = {
        r: () => act.ready(agentId),
        p: () => { pauseMenu.value = !pauseMenu.value; },
        e: () => a && a.state === "wrap_up" && (wrapupForm.save ? wrapupForm.save(true) : act.endWrapup(agentId)),
        h: () => c && c.phase === "talking" && act.hangup(agentId),
        k: () => c && c.phase === "talking" && act.hold(!c.on_hold),
        t: () => c && c.phase === "talking" && transferOpen.set && transferOpen.set(true),
        s: () => wrapupForm.save && wrapupForm.save(false),
      }[k];
      if (run) { e.preventDefault(); run(); }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [agentId]);
}

export function ShortcutHelp({ onClose }) {
  return html`<${Modal} title=${t("desk.shortcuts")} onClose=${onClose}>
    <table class="shortcuts"><tbody>${SHORTCUTS.map(([k, label]) => html`<tr key=${k}><td><kbd>${k}</kbd></td><td>${t(label)}</td></tr>`)}</tbody></table>
  </${Modal}>`;
}

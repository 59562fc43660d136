// The logged-in user: token + identity from POST /auth/login, kept in localStorage so a reload keeps
// the session. The token expires on the server (api.token_ttl); any 401 from the API ends the session.
import { signal, computed } from "./html.js";

const KEY = "callcenter.session";
export const ROLES = ["agent", "supervisor", "admin"];

function load() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || "null");
    if (s && typeof s.token === "string" && ROLES.includes(s.role)) {
      if (s.expires_at && s.expires_at * 1000 < Date.now()) return null;
      return s;
    }
  } catch (_) { /* a damaged entry is no session */ }
  return null;
}

/** {token, user, role, agent, expires_at} or null */
export const session = signal(load());
export const role = computed(() => (session.value ? session.value.role : null));

/** role at least `needed` ("agent" < "supervisor" < "admin") */
export function atLeast(needed, r = role.value) {
  if (!needed) return true;
  if (!r) return false;
  return ROLES.indexOf(r) >= ROLES.indexOf(needed);
}

export function setSession(s) {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
  session.value = s;
}

// another tab logged in or out: follow it
window.addEventListener("storage", (e) => { if (e.key === KEY) session.value = load(); });

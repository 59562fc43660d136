// The REST client: relative URLs (the app may sit behind a path prefix), the session's token,
// JSON in and out, errors as ApiError {status, message, field} carrying the server's own words.
import { session, setSession } from "./session.js";

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field || null;
  }
}

async function parse(resp) {
  const type = resp.headers.get("Content-Type") || "";
  if (type.includes("application/json")) return resp.json();
  return resp.text();
}

const unreachable = (e) => new ApiError(0, `the server cannot be reached (${e.message})`);

/** api("GET", "api/queues") -> parsed body; throws ApiError on a non-2xx answer. */
export async function api(method, path, body, { token = session.value && session.value.token, raw = false } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let resp;
  try {
    resp = await fetch(path.replace(/^\//, ""), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw unreachable(e);
  }
  if (raw && resp.ok) return resp;
  return answer(resp, token);
}

async function answer(resp, token) {
  const data = await parse(resp);
  if (!resp.ok) {
    const msg = (data && data.error) || `${resp.status} ${resp.statusText}`;
    if (resp.status === 401 && token) {
      setSession(null);          // the token expired or was revoked: back to the login page
    }
    throw new ApiError(resp.status, msg, data && data.field);
  }
  return data;
}

// GETs started early (a page's `prefetch`, while its code loads; or by the inline boot script of
// index.html, src/boot.js, before any module arrived) are handed to the first get() of the same path
// within a few seconds, so the page's code and its data arrive together.
const early = new Map();

function keep(path, p) {
  p.catch(() => {});
  early.set(path, p);
  setTimeout(() => { if (early.get(path) === p) early.delete(path); }, 5000);
}

const boot = window.__callcenterEarly;
if (boot && session.value && boot.token === session.value.token) {
  for (const [path, resp] of Object.entries(boot.answers)) {
    keep(path, resp.then((r) => answer(r, boot.token), (e) => { throw unreachable(e); }));
  }
}
delete window.__callcenterEarly;

export function prefetch(paths) {
  if (!session.value) return;
  for (const path of paths) if (!early.has(path)) keep(path, api("GET", path));
}

export function get(path) {
  const p = early.get(path);
  if (p) { early.delete(path); return p; }
  return api("GET", path);
}
export const post = (path, body = {}) => api("POST", path, body);

/** POST /auth/login; keeps the session (survives a reload). */
export async function login(username, password) {
  const r = await api("POST", "auth/login", { username, password }, { token: null });
  setSession({ token: r.token, user: r.user, role: r.role, agent: r.agent || (r.role === "agent" ? r.user : null),
               expires_at: r.expires_at });
  return r;
}

/** POST /auth/logout (revokes the token on the server), then forgets the session. */
export async function logout() {
  const s = session.value;
  setSession(null);
  if (s) {
    try { await api("POST", "auth/logout", undefined, { token: s.token }); } catch (_) { /* already gone */ }
  }
}

/** GET `path` (with the token) and hand the answer to the browser as a file named `filename`
 *  (the CSV downloads: exactly the bytes the API sent). Throws ApiError like api(). */
export async function download(path, filename) {
  const resp = await api("GET", path, undefined, { raw: true });
  const blob = await resp.blob();
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = filename.replace(/[^\w.-]+/g, "_");
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// Hash routing (#/desk, #/wallboard?full=1): the server serves one page at "/", reload keeps the place.
import { signal } from "./html.js";

function parse() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?");
  return { path: path || "/", query: Object.fromEntries(new URLSearchParams(qs || "")) };
}

/** {path, query} of the current location */
export const route = signal(parse());
window.addEventListener("hashchange", () => { route.value = parse(); });

export function navigate(path, query) {
  const qs = query && Object.keys(query).length ? "?" + new URLSearchParams(query).toString() : "";
  const target = `#${path}${qs}`;
  if (location.hash !== target) location.hash = target;
  else route.value = parse();
}

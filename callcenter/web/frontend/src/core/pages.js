// The page registry: every page is declared once (src/pages/index.js) with the least role that may
// open it; the navigation shows only what the user may open, and the shell refuses the rest (the
// server refuses their API calls anyway: authorisation is the API's).
//
//   definePage({ path: "/flows", title: "nav.flows", role: "supervisor", order: 30,
//                load: () => import("./flows/page.js") })      // the module's default export is the page
//
// Options: role (least role, default "agent"), order (navigation order), nav (false: reachable but not
// in the menu), home (roles that land here after login), when(session) (an extra condition, e.g. the
// desk needs a user who is an agent), prefetch (GET paths to start while the page's code loads; the
// page's first get() of each path takes the answer).
import { atLeast } from "./session.js";

export const PAGES = [];

export function definePage(p) {
  if (!p.path || !p.title || !p.load) throw new Error(`definePage: path, title and load are required (${p.path})`);
  if (PAGES.some((q) => q.path === p.path)) throw new Error(`definePage: ${p.path} declared twice`);
  PAGES.push({ order: 50, nav: true, role: "agent", home: [], when: () => true, ...p });
  PAGES.sort((a, b) => a.order - b.order);
}

/** may this session open page p? */
export const mayOpen = (p, s) => !!s && atLeast(p.role, s.role) && p.when(s);
export const pagesFor = (s) => PAGES.filter((p) => mayOpen(p, s));
export const findPage = (path) => PAGES.find((p) => p.path === path);

/** where a session lands after login */
export function homeFor(s) {
  const mine = pagesFor(s);
  const home = mine.find((p) => p.home.includes(s.role));
  return (home || mine[0] || { path: "/" }).path;
}

// The app shell: the login page when nobody is logged in; otherwise the top bar (the pages the user's
// role may open, language, live-connection dot, user, logout) and the current page, loaded on first use.
import { html, useEffect, useState } from "./html.js";
import { session } from "./session.js";
import { logout, prefetch } from "./api.js";
import { live } from "./ws.js";
import { route, navigate } from "./router.js";
import { findPage, homeFor, mayOpen, pagesFor } from "./pages.js";
import { LANGS, lang, setLang, t } from "./i18n.js";
import { Toasts } from "./ui.js";
import Login from "../pages/login.js";

const loaded = new Map();        // path -> page component, once its chunk has loaded

function PageHost({ page }) {
  const [, setReady] = useState(0);
  const Comp = loaded.get(page.path);
  useEffect(() => {
    if (Comp) return;
    let alive = true;
    if (page.prefetch) prefetch(page.prefetch);
    page.load().then((m) => { loaded.set(page.path, m.default); if (alive) setReady((n) => n + 1); },
      (e) => { console.error(e); loaded.set(page.path, () => html`<div class="empty error">${String(e)}</div>`);
        if (alive) setReady((n) => n + 1); });
    return () => { alive = false; };
  }, [page.path]);
  if (!Comp) return html`<div class="empty">${t("ui.loading")}</div>`;
  return html`<${Comp} query=${route.value.query} />`;
}

function TopBar({ s, full }) {
  if (full) return null;
  const current = route.value.path;
  return html`<header class="topbar">
    <a class="brand" href="#/">${t("app.title")}</a>
    <nav>${pagesFor(s).filter((p) => p.nav).map((p) => html`
      <a key=${p.path} href=${"#" + p.path} class=${current === p.path ? "active" : ""}>${t(p.title)}</a>`)}
    </nav>
    <div class="spacer"></div>
    <span class=${`live-dot live-${live.status.value}`} title=${t("live." + live.status.value)}></span>
    <select class="lang" aria-label=${t("ui.language")} value=${lang.value}
            onChange=${(e) => setLang(e.target.value)}>
      ${Object.entries(LANGS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
    </select>
    <span class="who" title=${s.role}>${s.user} · ${t("role." + s.role)}</span>
    <button class="ghost" data-testid="logout" onClick=${() => logout()}>${t("ui.logout")}</button>
  </header>`;
}

export function App() {
  const s = session.value;
  lang.value;                                   // re-render everything on a language change
  if (!s) return html`<${Login} /><${Toasts} />`;
  const { path, query } = route.value;
  const page = findPage(path);
  if (!page || path === "/") {
    const home = homeFor(s);
    if (home !== "/") { navigate(home); return null; }
  }
  const allowed = page && mayOpen(page, s);
  const full = query.full === "1";
  return html`<div class=${`shell ${full ? "full" : ""}`}>
    <${TopBar} s=${s} full=${full} />
    <main>${allowed ? html`<${PageHost} key=${path} page=${page} />`
      : html`<div class="empty error" data-testid="forbidden">${t(page ? "ui.forbidden" : "ui.no_page")}</div>`}</main>
    <${Toasts} />
  </div>`;
}

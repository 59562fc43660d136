// The login page: the server's users (POST /auth/login). Part of the main bundle (first thing shown).
import { html, useState } from "../core/html.js";
import { login } from "../core/api.js";
import { LANGS, lang, setLang, t } from "../core/i18n.js";

export default function Login() {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(user.trim(), password);
    } catch (err) {
      setError(err.status === 401 ? t("login.refused") : err.message);
    } finally {
      setBusy(false);
    }
  }

  return html`<div class="login-page">
    <form class="login" onSubmit=${submit} aria-label=${t("login.title")}>
      <h1>${t("app.title")}</h1>
      <label>${t("login.user")}
        <input name="username" autocomplete="username" autofocus required value=${user}
               onInput=${(e) => setUser(e.target.value)} /></label>
      <label>${t("login.password")}
        <input name="password" type="password" autocomplete="current-password" required value=${password}
               onInput=${(e) => setPassword(e.target.value)} /></label>
      ${error && html`<div class="form-error" role="alert">${error}</div>`}
      <button type="submit" class="primary" disabled=${busy}>${t("login.submit")}</button>
      <select class="lang" aria-label=${t("ui.language")} value=${lang.value} onChange=${(e) => setLang(e.target.value)}>
        ${Object.entries(LANGS).map(([k, v]) => html`<option value=${k}>${v}</option>`)}
      </select>
    </form>
  </div>`;
}

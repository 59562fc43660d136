// Search: GET api/analytics/search (the database's full-text search over the transcripts) with the
// API's filters: period, queue, agent, risk words only, score range. Without words the page lists the
// recent recordings (GET api/recordings) with the same period / queue / agent. Each result opens the call.
import { html, useEffect, useState } from "../../core/html.js";
import { get } from "../../core/api.js";
import { navigate } from "../../core/router.js";
import { t } from "../../core/i18n.js";
import { atLeast } from "../../core/session.js";
import { dateTime, duration } from "../../core/format.js";
import { callQuery, Mood, Period, Score, Snippet } from "./util.js";

const KEYS = ["q", "from", "to", "queue", "agent", "risk", "min_score", "max_score", "mood"];
const REC_KEYS = ["from", "to", "queue", "agent"];
// the caller's mood choices, as the API's range (the labels' bounds of callcenter/analytics/mood.py)
const MOODS = { upset: { max_caller_mood: "-0.35" }, negative: { max_caller_mood: "-0.1" },
                positive: { min_caller_mood: "0.25" } };

function searchParams(q) {
  const p = new URLSearchParams();
  for (const k of KEYS) if (q[k] && k !== "mood") p.set(k, k === "risk" ? "true" : q[k]);
  for (const [k, v] of Object.entries(MOODS[q.mood] || {})) p.set(k, v);
  p.set("limit", "100");
  return p;
}

function recordingParams(q) {
  const p = new URLSearchParams({ limit: "100" });
  for (const k of ["from", "to", "queue", "agent"]) if (q[k]) p.set(k, q[k]);
  return p;
}

function Filters({ q, onSearch, all = true }) {
  const [f, setF] = useState(q);
  useEffect(() => setF(q), [JSON.stringify(q)]);
  const set = (k) => (e) => setF({ ...f, [k]: e.target.type === "checkbox" ? (e.target.checked ? "1" : "") : e.target.value });
  const submit = (e) => { e.preventDefault(); onSearch(f); };
  return html`<form class="panel row filters" onSubmit=${submit} data-testid="search-form">
    ${all ? html`<label class="words">${t("qa.words")}<input name="q" type="search" value=${f.q || ""} onInput=${set("q")}
      placeholder="refund &quot;cancel my account&quot;" autofocus /></label>` : null}
    <${Period} from=${f.from} to=${f.to} onChange=${(p) => onSearch({ ...f, ...p })} />
    <label>${t("qa.queue")}<input name="queue" size="10" value=${f.queue || ""} onInput=${set("queue")} /></label>
    ${atLeast("supervisor") ? html`<label>${t("qa.agent")}<input name="agent" size="8" value=${f.agent || ""}
      onInput=${set("agent")} /></label>` : null}
    ${all ? html`<label>${t("qa.min_score")}<input name="min_score" type="number" min="0" max="100" style="width: 70px"
      value=${f.min_score || ""} onInput=${set("min_score")} placeholder=${t("qa.any")} /></label>
    <label>${t("qa.max_score")}<input name="max_score" type="number" min="0" max="100" style="width: 70px"
      value=${f.max_score || ""} onInput=${set("max_score")} placeholder=${t("qa.any")} /></label>
    <label>${t("qa.caller_mood")}<select name="mood" value=${f.mood || ""} onChange=${set("mood")}>
      <option value="">${t("qa.any")}</option>
      ${Object.keys(MOODS).map((m) => html`<option value=${m}>${t("qa.mood_" + m)}</option>`)}</select></label>
    <label class="check"><input name="risk" type="checkbox" checked=${!!f.risk} onChange=${set("risk")} />
      ${t("qa.risk_only")}</label>` : null}
    <div style="flex: 1"></div>
    <button type="button" onClick=${() => onSearch({})}>${t("qa.clear")}</button>
    <button class="primary" type="submit" data-testid="search">${t("qa.search")}</button>
  </form>`;
}

function Results({ q, found }) {
  const open = (id) => navigate("/quality", callQuery(id, q));
  if (!found.calls.length) return html`<div class="empty" data-testid="no-results">${t("qa.no_results")}</div>`;
  return html`<h3>${found.query ? t("qa.results", { n: found.calls.length, q: found.query }) : t("qa.listed", { n: found.calls.length })}</h3>
    <table data-testid="results"><thead><tr>
      <th>${t("qcol.when")}</th><th>${t("qa.queue")}</th><th>${t("qa.agent")}</th><th class="num">${t("qcol.duration")}</th>
      <th class="num">${t("qcol.score")}</th><th class="num">${t("qcol.risk")}</th><th>${t("qa.caller_mood")}</th>
      <th>${t("qcol.snippet")}</th></tr></thead>
    <tbody>${found.calls.map((c) => html`<tr key=${c.call_id} class="link" data-call=${c.call_id} onClick=${() => open(c.call_id)}>
      <td><a href=${"#/quality?" + new URLSearchParams(callQuery(c.call_id, q))} onClick=${(e) => e.stopPropagation()}>
        ${dateTime(c.call_at)}</a></td>
      <td>${c.queue || "–"}</td><td>${c.agent || "–"}</td><td class="num">${duration(c.duration)}</td>
      <td class="num"><${Score} value=${c.score} /></td>
      <td class="num">${c.risk_count ? html`<span class="risk-count">⚑ ${c.risk_count}</span>` : "0"}</td>
      <td title=${c.mood || ""}><${Mood} value=${c.caller_mood} /></td>
      <td class="wrap">${c.snippet ? html`<${Snippet} text=${c.snippet} />` : html`<span class="muted">${c.error || ""}</span>`}</td></tr>`)}</tbody></table>`;
}

function Recent({ q, list }) {
  if (!list.length) return html`<div class="empty">${t("qa.no_recordings")}</div>`;
  return html`<h3>${t("qa.recent")}</h3>
    <table data-testid="recordings"><thead><tr>
      <th>${t("qcol.when")}</th><th>${t("qcol.call")}</th><th>${t("qa.queue")}</th><th>${t("qa.agent")}</th>
      <th class="num">${t("qcol.duration")}</th><th class="num">${t("qcol.paused")}</th><th>${t("qcol.status")}</th></tr></thead>
    <tbody>${list.map((r) => html`<tr key=${r.id} class="link" onClick=${() => navigate("/quality", callQuery(r.call_id, q))}>
      <td>${dateTime(r.started_at || r.created_at)}</td><td class="mono">${r.call_id}</td><td>${r.queue || "–"}</td>
      <td>${r.agent || "–"}</td><td class="num">${duration(r.duration)}</td>
      <td class="num">${r.pauses.length ? duration(r.paused_s) : "–"}</td>
      <td>${r.status}${r.error ? html` <span class="muted">${r.error}</span>` : null}</td></tr>`)}</tbody></table>`;
}

function useQuery(fetcher, key) {
  const [found, setFound] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    let alive = true;
    setFound(null);
    setError(null);
    fetcher().then((r) => alive && setFound(r), (e) => alive && setError(e));
    return () => { alive = false; };
  }, [key]);
  return [found, error];
}

const Failed = ({ error }) => html`<div class="form-error" role="alert" data-testid="search-error">
  ${error.field ? html`<b>${error.field}</b>: ` : null}${error.message}</div>`;

const pick = (query, keys) => Object.fromEntries(keys.filter((k) => query[k]).map((k) => [k, query[k]]));

/** #/quality?q=...: the transcripts' search, or (no words) the analysed calls the filters select */
export function SearchView({ query }) {
  const q = pick(query, KEYS);
  const [found, error] = useQuery(() => get(`api/analytics/search?${searchParams(q)}`), JSON.stringify(q));
  return html`<div class="search">
    <${Filters} q=${q} onSearch=${(f) => navigate("/quality", pick(f, KEYS))} />
    ${!q.q ? html`<p class="muted hint">${t("qa.hint")}</p>` : null}
    <div class="panel">
      ${error ? html`<${Failed} error=${error} />` : !found ? html`<div class="empty">${t("ui.loading")}</div>`
        : html`<${Results} q=${q} found=${found} />`}
    </div>
  </div>`;
}

/** #/quality?tab=recordings: the stored recordings (analysed or not), newest first */
export function RecordingsView({ query }) {
  const q = pick(query, REC_KEYS);
  const [found, error] = useQuery(() => get(`api/recordings?${recordingParams(q)}`), JSON.stringify(q));
  return html`<div class="search">
    <${Filters} q=${q} all=${false} onSearch=${(f) => navigate("/quality", { tab: "recordings", ...pick(f, REC_KEYS) })} />
    <div class="panel">
      ${error ? html`<${Failed} error=${error} />` : !found ? html`<div class="empty">${t("ui.loading")}</div>`
        : html`<${Recent} q=${{ tab: "recordings", ...q }} list=${found.recordings} />`}
    </div>
  </div>`;
}

// One call: GET api/analytics/calls/{call} (transcript turns and words, risk hits, mood, the scorecard
// with overrides) and its recording (GET api/recordings?call_id=: status, duration, the pauses that
// left gaps). An agent gets only its own calls from the server: for another agent's call both answers
// are refusals, and the page shows the server's words.
import { html, useEffect, useState } from "../../core/html.js";
import { get } from "../../core/api.js";
import { live } from "../../core/ws.js";
import { navigate } from "../../core/router.js";
import { t } from "../../core/i18n.js";
import { dateTime, duration } from "../../core/format.js";
import { Stat } from "../../core/ui.js";
import { Player, usePlayer } from "./player.js";
import { Transcript, transcriptItems } from "./transcript.js";
import { Scorecard } from "./scorecard.js";
import { RecordingPanel } from "./recording.js";
import { mmss, Mood, moodLabel, Score } from "./util.js";

/** "caller upset from 00:40; agent neutral" in the page's language */
function moodSummary(mood) {
  return ["caller", "agent"].map((side) => {
    const s = (mood.sides || {})[side] || {};
    const how = s.upset_from !== null && s.upset_from !== undefined ? t("qa.upset_from", { t: mmss(s.upset_from) }) : moodLabel(s.label);
    return `${t("side." + side)} ${how}`;
  }).join("; ");
}

function Hits({ hits, onSeek }) {
  return html`<div class="panel hits" data-testid="hits"><h3>${t("qa.hits")}</h3>
    ${!hits.length ? html`<div class="muted">${t("qa.no_hits")}</div>` : html`<ul>${hits.map((h, i) => html`
      <li key=${i} class=${`sev-${h.severity}`} data-testid="hit">
        <a href="#" class="mono" onClick=${(e) => { e.preventDefault(); onSeek(h.start); }}>${mmss(h.start)}</a>
        ${" "}${t("qa.hit", { heard: h.heard, list: h.list, kind: t("kind." + h.kind), term: h.term, severity: t("sev." + h.severity),
                            side: t("side." + h.side) })}</li>`)}</ul>`}
  </div>`;
}

function MoodPanel({ mood, metrics }) {
  const sides = (mood && mood.sides) || {};
  const m = metrics || {};
  return html`<div class="panel mood-panel" data-testid="mood"><h3>${t("qa.mood")}</h3>
    ${["caller", "agent"].map((side) => {
      const s = sides[side] || {};
      return html`<div class="row mood-side" key=${side} data-side=${side}>
        <b>${t(side === "caller" ? "qa.caller" : "qa.agent_side")}</b> <${Mood} value=${s.mood} label=${s.label} />
        ${s.upset_from !== null && s.upset_from !== undefined ? html`<span class="mood mood-upset">${t("qa.upset_from", { t: mmss(s.upset_from) })}</span>` : null}
        ${s.trend ? html`<span class="muted">${t("qa.trend", { x: (s.trend > 0 ? "+" : "") + s.trend.toFixed(2) })}</span>` : null}
      </div>`;
    })}
    <h3 style="margin-top: 10px">${t("qa.figures")}</h3>
    <div class="row stats">
      <${Stat} label=${t("qa.talk_listen")} value=${m.talk_listen_ratio ?? "–"} />
      <${Stat} label=${t("qa.silence")} value=${m.silence_pct === undefined ? "–" : `${Math.round(m.silence_pct)}%`} />
      <${Stat} label=${t("qa.overtalk")} value=${m.overtalk_pct === undefined ? "–" : `${Math.round(m.overtalk_pct)}%`} />
      <${Stat} label=${t("qa.hold")} value=${duration(m.hold_s)} />
    </div>
  </div>`;
}

/** Space play / pause, ← → 5 s back / on, J / K the next / previous line (not while typing) */
function useKeys(player, turns) {
  useEffect(() => {
    const onKey = (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(e.target.tagName)) return;
      const now = player.time.value;
      const starts = turns.map((x) => x.start);
      let to = null;
      if (e.key === " ") { e.preventDefault(); player.toggle(); return; }
      if (e.key === "ArrowLeft") to = now - 5;
      else if (e.key === "ArrowRight") to = now + 5;
      else if (e.key === "j") to = starts.find((s) => s > now + 0.1);
      else if (e.key === "k") to = [...starts].reverse().find((s) => s < now - 0.5) ?? 0;
      if (to === null || to === undefined) return;
      e.preventDefault();
      player.seek(to, !player.audio || !player.audio.paused);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [player, turns]);
}

export function CallView({ callId, back }) {
  const [analysis, setAnalysis] = useState(null);        // the analysis, or {error}
  const [recording, setRecording] = useState(undefined); // the recording, null when none (or refused)
  const [nonce, setNonce] = useState(0);
  const reload = () => setNonce((n) => n + 1);
  useEffect(() => {
    let alive = true;
    get(`api/analytics/calls/${encodeURIComponent(callId)}`)
      .then((a) => alive && setAnalysis(a), (e) => alive && setAnalysis({ error: e.message, status: e.status }));
    get(`api/recordings?call_id=${encodeURIComponent(callId)}&limit=1`)
      .then((r) => alive && setRecording(r.recordings[0] || null), () => alive && setRecording(null));
    return () => { alive = false; };
  }, [callId, nonce]);
  // analysed again (a re-run, or the first analysis arriving while the page is open): show the new one
  useEffect(() => live.on("event", (ev) => { if (ev.kind === "CallAnalyzed" && ev.call_id === callId) reload(); }), [callId]);
  const player = usePlayer(recording ? recording.id : null);
  useKeys(player, analysis && analysis.result ? analysis.result.turns || [] : []);
  const backLink = html`<a href="#" data-testid="back" onClick=${(e) => { e.preventDefault(); navigate("/quality", back ? JSON.parse(back) : {}); }}>${t("qa.back")}</a>`;
  if (!analysis || recording === undefined) return html`<div class="empty">${t("ui.loading")}</div>`;
  if (analysis.error && !recording) {
    return html`<div class="panel">${backLink}<div class="empty error" role="alert" data-testid="call-error">${analysis.error}</div></div>`;
  }
  const result = (!analysis.error && analysis.result) || {};
  const gaps = recording && recording.pauses && recording.pauses.length ? recording.pauses : (result.gaps || []);
  const hits = result.risk_hits || [];
  const items = transcriptItems(result, gaps);
  const dur = analysis.duration || (recording && recording.duration) || 0;
  const seek = (s) => player.seek(s, true);
  return html`<div class="call-view" data-testid="call-view" data-call=${callId}>
    <div class="panel call-head">
      <div class="row">${backLink}<h2 class="mono">${callId}</h2>
        <span>${dateTime(analysis.call_at || (recording && recording.started_at))}</span>
        <span>${t("qa.queue")}: <b>${analysis.queue || (recording && recording.queue) || "–"}</b></span>
        <span>${t("qa.agent")}: <b>${analysis.agent || (recording && recording.agent) || "–"}</b></span>
        <span>${duration(dur)}</span>
        ${analysis.language ? html`<span class="muted">${analysis.language} · ${analysis.engine || ""}</span>` : null}
        <div style="flex: 1"></div>
        ${analysis.score !== undefined ? html`<span>${t("qcol.score")} <${Score} value=${analysis.score}
            mark=${result.qa && result.qa.pass_mark} /></span>` : null}
        ${result.mood ? html`<span class="muted" data-testid="mood-summary">${moodSummary(result.mood)}</span>` : null}
      </div>
      ${analysis.error ? html`<div class="form-error" role="alert" data-testid="call-error">${analysis.error}</div>` : null}
      ${analysis.status && analysis.status !== "done" ? html`<div class="muted">${t("qa.analysis_status", { s: analysis.status })}</div>` : null}
      ${result.errors && result.errors.length ? html`<div class="form-error">${t("qa.errors", { e: result.errors.join("; ") })}</div>` : null}
    </div>
    <${Player} player=${player} recording=${recording} duration=${dur} turns=${result.turns || []} hits=${hits} gaps=${gaps} />
    <div class="call-body">
      <div class="call-main">
        <div class="panel transcript-box"><h3>${t("qa.transcript")}</h3>
          <${Transcript} items=${items} time=${player.time} playing=${player.playing} onSeek=${seek} /></div>
        ${!analysis.error ? html`<${Scorecard} analysis=${analysis} onChange=${setAnalysis} onSeek=${seek} />` : null}
      </div>
      <div class="call-side">
        <${Hits} hits=${hits} onSeek=${seek} />
        <${MoodPanel} mood=${result.mood} metrics=${result.metrics} />
        ${recording ? html`<${RecordingPanel} recording=${recording} player=${player} onDeleted=${reload} />` : null}
      </div>
    </div>
  </div>`;
}

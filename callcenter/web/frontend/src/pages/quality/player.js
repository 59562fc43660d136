// The recording player: the stereo WAV of GET api/recordings/{id}/audio (caller left, agent right; the
// server logs every download, so the audio is fetched only when the user plays or seeks), an <audio>
// element, a choice of side (both / caller only / agent only, with Web Audio's channel splitter), and
// the timeline of the call: each side's turns, the risk words, the recording's gaps, the playhead.
import { html, signal, useEffect, useMemo, useRef } from "../../core/html.js";
import { api } from "../../core/api.js";
import { t } from "../../core/i18n.js";
import { notify } from "../../core/ui.js";
import { mmss } from "./util.js";

/** one player per open call: signals for the time / state and the actions the transcript uses */
export function usePlayer(recordingId) {
  const p = useMemo(() => createPlayer(recordingId), [recordingId]);
  useEffect(() => () => p.dispose(), [p]);
  return p;
}

/** a play() cut short by a pause or a seek is not a failure; anything else is said */
const failed = (e) => { if (e && e.name !== "AbortError") notify(e.message, "error"); };

const MIX = { both: [1, 0, 0, 1], caller: [1, 1, 0, 0], agent: [0, 0, 1, 1] };   // LL, LR, RL, RR

function createPlayer(recordingId) {
  const p = {
    time: signal(0), playing: signal(false), state: signal("idle"), side: signal("both"), duration: signal(null),
    audio: null, url: null, graph: null, loading: null,
  };
  p.attach = (el) => {
    if (!el || p.audio === el) return;
    p.audio = el;
    el.addEventListener("timeupdate", () => { p.time.value = el.currentTime; });
    el.addEventListener("seeked", () => { p.time.value = el.currentTime; });
    el.addEventListener("play", () => { p.playing.value = true; });
    el.addEventListener("pause", () => { p.playing.value = false; });
    el.addEventListener("ended", () => { p.playing.value = false; });
    el.addEventListener("loadedmetadata", () => { p.duration.value = el.duration; });
  };
  /** fetch the audio once (logged by the server), resolves when it can play */
  p.load = () => {
    if (p.loading) return p.loading;
    if (recordingId === null || recordingId === undefined) return Promise.reject(new Error(t("qa.no_recording")));
    p.state.value = "loading";
    p.loading = api("GET", `api/recordings/${recordingId}/audio`, undefined, { raw: true })
      .then((resp) => resp.blob())
      .then((blob) => new Promise((resolve, reject) => {
        p.url = URL.createObjectURL(blob);
        const el = p.audio;
        el.addEventListener("loadedmetadata", () => resolve(), { once: true });
        el.addEventListener("error", () => reject(new Error(`audio: ${el.error && el.error.message}`)), { once: true });
        el.src = p.url;
      }))
      .then(() => { p.state.value = "ready"; }, (e) => { p.state.value = "error"; p.loading = null; throw e; });
    return p.loading;
  };
  p.seek = async (s, play = false) => {
    try {
      await p.load();
      p.audio.currentTime = Math.max(0, s);
      p.time.value = p.audio.currentTime;
      if (play) await p.audio.play();
    } catch (e) {
      failed(e);
    }
  };
  p.toggle = async () => {
    try {
      await p.load();
      if (p.audio.paused) { route(p); await p.audio.play(); } else p.audio.pause();
    } catch (e) {
      failed(e);
    }
  };
  p.setSide = (side) => { p.side.value = side; route(p); };
  p.dispose = () => {
    if (p.audio) p.audio.pause();
    if (p.url) URL.revokeObjectURL(p.url);
    if (p.graph) p.graph.ctx.close();
  };
  return p;
}

/** route the two channels to the ears: both (stereo as recorded) or one side in both ears */
function route(p) {
  if (!p.audio || (!p.graph && p.side.value === "both")) return;
  if (!p.graph) {
    const ctx = new AudioContext();
    const src = ctx.createMediaElementSource(p.audio);
    const split = ctx.createChannelSplitter(2);
    const merge = ctx.createChannelMerger(2);
    const gains = [[0, 0], [0, 1], [1, 0], [1, 1]].map(([from, to]) => {
      const g = ctx.createGain();
      split.connect(g, from);
      g.connect(merge, 0, to);
      return g;
    });
    src.connect(split);
    merge.connect(ctx.destination);
    p.graph = { ctx, gains };
  }
  MIX[p.side.value].forEach((v, i) => { p.graph.gains[i].gain.value = v; });
  if (p.graph.ctx.state === "suspended") p.graph.ctx.resume();
}

const pctOf = (s, total) => `${Math.max(0, Math.min(100, (100 * s) / total))}%`;

/** the call on one line: caller turns above, agent turns below, risk words, gaps, the playhead */
export function Timeline({ player, duration, turns, hits, gaps }) {
  const bar = useRef(null);
  const total = player.duration.value || duration || 1;
  const click = (e) => {
    const r = bar.current.getBoundingClientRect();
    player.seek(((e.clientX - r.left) / r.width) * total);
  };
  return html`<div class="timeline" ref=${bar} onClick=${click} data-testid="timeline" title=${mmss(total)}>
    ${["caller", "agent"].map((side) => html`<div class=${`lane lane-${side}`} key=${side}>
      ${turns.filter((x) => x.side === side).map((x, i) => html`<span key=${i} class="turn"
        style=${{ left: pctOf(x.start, total), width: pctOf(x.end - x.start, total) }}></span>`)}</div>`)}
    ${hits.map((h, i) => html`<span key=${"h" + i} class="hit-tick" style=${{ left: pctOf(h.start, total) }}
      title=${`${mmss(h.start)} ${h.heard}`}></span>`)}
    ${gaps.map((g, i) => html`<span key=${"g" + i} class="gap-tick" data-testid="gap-tick" style=${{ left: pctOf(g.offset, total) }}
      title=${t("qa.gap", { d: mmss(g.duration), by: g.by || "–" })}></span>`)}
    <span class="playhead" style=${{ left: pctOf(player.time.value, total) }}></span>
  </div>`;
}

export function Player({ player, recording, duration, turns, hits, gaps }) {
  const state = player.state.value;
  return html`<div class="player" data-testid="player">
    <audio ref=${(el) => player.attach(el)} preload="none" data-testid="audio"></audio>
    <div class="row">
      <button class="primary" data-testid="play" disabled=${!recording || recording.status !== "ready" || state === "loading"}
        onClick=${() => player.toggle()}>${player.playing.value ? "❚❚ " + t("qa.pause") : "▶ " + t("qa.play")}</button>
      <span class="mono" data-testid="clock">${mmss(player.time.value)} / ${mmss(player.duration.value || duration)}</span>
      <label class="inline">${t("qa.listen")}
        <select data-testid="side" value=${player.side.value} onChange=${(e) => player.setSide(e.target.value)}>
          <option value="both">${t("qa.both")}</option><option value="caller">${t("qa.caller_only")}</option>
          <option value="agent">${t("qa.agent_only")}</option></select></label>
      <label class="inline">${t("qa.speed")}
        <select onChange=${(e) => { if (player.audio) player.audio.playbackRate = Number(e.target.value); }}>
          ${["0.75", "1", "1.25", "1.5", "2"].map((v) => html`<option value=${v} selected=${v === "1"}>${v}×</option>`)}</select></label>
      ${state === "loading" ? html`<span class="muted">${t("qa.loading_audio")}</span>` : null}
      <div style="flex: 1"></div>
      <span class="muted small-note">${t("qa.keys")}</span>
      ${recording ? html`<span class="muted small-note">${t("qa.logged")}</span>`
        : html`<span class="muted" data-testid="no-recording">${t("qa.no_recording")}</span>`}
      ${recording && recording.status !== "ready" ? html`<span class="form-error">${recording.status}${recording.error ? ": " + recording.error : ""}</span>` : null}
    </div>
    <${Timeline} player=${player} duration=${duration} turns=${turns} hits=${hits} gaps=${gaps} />
  </div>`;
}

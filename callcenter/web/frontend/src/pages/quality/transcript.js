// The transcript: the analysis' turns in time order, the caller on the left and the agent on the right,
// each line with its time and mood; the words of a risk-word hit are marked; the recording's gaps
// (pause / resume: the audio is cut there) sit between the lines at their place. Click a line to play
// from there; the line being played is highlighted and kept in view.
import { html, useEffect, useRef } from "../../core/html.js";
import { t } from "../../core/i18n.js";
import { mmss, moodLabel } from "./util.js";

const near = (a, b) => Math.abs(a - b) < 0.011;

/** lines (turns with their words, mood, hit flags) and gaps in time order */
export function transcriptItems(result, gaps) {
  const words = result.words || [];
  const hits = result.risk_hits || [];
  const moods = (result.mood && result.mood.turns) || [];
  const items = (result.turns || []).map((turn, i) => {
    const mine = words.filter((w) => w.side === turn.side && w.start >= turn.start - 0.011 && w.end <= turn.end + 0.011);
    const mood = moods.find((m) => m.side === turn.side && near(m.start, turn.start)) || moods[i] || null;
    const marked = mine.map((w) => hits.find((h) => h.side === w.side && w.start >= h.start - 0.011 && w.end <= h.end + 0.011) || null);
    return { kind: "turn", index: i, ...turn, words: mine, marked, mood, risky: marked.some(Boolean) };
  });
  for (const g of gaps) items.push({ kind: "gap", start: g.offset, ...g });
  return items.sort((a, b) => a.start - b.start || (a.kind === "gap" ? -1 : 1));
}

function Line({ item, current, onSeek }) {
  const el = useRef(null);
  useEffect(() => { if (current && el.current && el.current.scrollIntoView) el.current.scrollIntoView({ block: "nearest" }); }, [current]);
  const text = item.words.length ? item.words.map((w, i) => {
    const hit = item.marked[i];
    return hit ? html`<mark class="risk" key=${i} data-testid="risk-word" title=${`${hit.list} · ${hit.term} · ${hit.severity}`}>${w.text}</mark> `
      : html`<span key=${i} class=${w.conf !== undefined && w.conf < 0.5 ? "unsure" : ""}>${w.text} </span>`;
  }) : item.text;
  const m = item.mood;
  return html`<li ref=${el} class=${`line side-${item.side} ${current ? "current" : ""} ${item.risky ? "risky" : ""}`}
      data-testid="line" data-side=${item.side} data-start=${item.start} aria-current=${current ? "true" : undefined}
      onClick=${() => onSeek(item.start)} title=${`${mmss(item.start)}–${mmss(item.end)}`}>
    <div class="who"><span class="time mono">${mmss(item.start)}</span>
      ${t(item.side === "caller" ? "qa.caller" : "qa.agent_side")}
      ${m ? html`<span class=${`mood-dot mood-${m.label}`} title=${`${moodLabel(m.label)} ${m.mood}`}>${moodLabel(m.label)}</span>` : null}</div>
    <div class="text">${text}</div>
  </li>`;
}

export function Transcript({ items, time, playing, onSeek }) {
  const now = time.value;
  // the line being heard: the last turn begun by now (while silence follows it, it stays lit)
  let current = -1;
  items.forEach((it, i) => { if (it.kind === "turn" && it.start <= now + 0.05) current = i; });
  if (!playing.value && now === 0) current = -1;
  if (!items.some((x) => x.kind === "turn")) return html`<div class="empty">${t("qa.no_turns")}</div>`;
  return html`<ol class="transcript" data-testid="transcript">
    ${items.map((it, i) => (it.kind === "gap"
      ? html`<li key=${"g" + i} class="gap" data-testid="gap" onClick=${() => onSeek(it.offset)}>
          ❚❚ <span class="mono">${mmss(it.offset)}</span> ${t("qa.gap", { d: mmss(it.duration || 0), by: it.by || "–" })}</li>`
      : html`<${Line} key=${"t" + it.index} item=${it} current=${i === current} onSeek=${onSeek} />`))}
  </ol>`;
}

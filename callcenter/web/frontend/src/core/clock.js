// One shared 1 s tick for "time in state" and countdowns, and the offset between the server's clock
// and ours (the API's "now"), so times in state agree with the server's.
//
// Two ways to follow the seconds:
//   * read serverNow() in a component: it re-renders every second (fine for a few: the desk's state);
//   * for many counters (the wallboard's 200 cards, 50 tiles, the waiting calls) draw the element with
//     elapsed(since): <span ...${elapsed(since)}> gets data-since="EPOCH" and the text once, and one
//     walk of the page per tick moves every such text on, with no component re-rendering at all.
import { signal, effect } from "./html.js";
import { duration } from "./format.js";

export const tick = signal(Date.now() / 1000);
setInterval(() => { tick.value = Date.now() / 1000; }, 1000);

let offset = 0;      // server now - browser now, seconds
export function syncServerClock(serverNow) {
  if (typeof serverNow === "number") offset = serverNow - Date.now() / 1000;
}
/** the server's time now (seconds), following `tick` when read inside a component */
export const serverNow = () => tick.value + offset;

const elapsedText = (since, now) => duration(since ? now - since : null);

/** props of an element counting the seconds since `since` (server epoch seconds; none: `empty`):
 *  html`<span class="mono" ...${elapsed(a.state_since)} />` */
export function elapsed(since, empty = "–") {
  return since ? { "data-since": since, children: elapsedText(since, Date.now() / 1000 + offset) } : { children: empty };
}

// Only what is on screen is worth a text change every second (each costs text shaping, layout and
// paint; the wallboard has ~350 counters, ~30 of them in view): an IntersectionObserver keeps the set
// of counters in view, the tick moves those on, and a counter coming into view is brought up to date.
const inView = new Set();
const watched = new Set();
const show = (el, now) => {
  const text = elapsedText(Number(el.dataset.since), now), node = el.firstChild;
  if (node && node.nodeType === 3 && node.data !== text) node.data = text;     // Preact's own text node
};
const seen = typeof IntersectionObserver === "function" ? new IntersectionObserver((entries) => {
  const now = Date.now() / 1000 + offset;
  for (const e of entries) {
    if (e.isIntersecting && e.target.dataset.since) { inView.add(e.target); show(e.target, now); } else inView.delete(e.target);
  }
}) : null;

effect(() => {
  const now = tick.value + offset;
  for (const el of document.querySelectorAll("[data-since]")) {
    if (!seen) show(el, now);
    else if (!watched.has(el)) { watched.add(el); seen.observe(el); }
  }
  for (const el of watched) {
    if (!el.isConnected) { watched.delete(el); inView.delete(el); seen.unobserve(el); }
  }
  for (const el of inView) if (el.dataset.since) show(el, now);
});

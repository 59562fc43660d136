// One shared 1 s tick for "time in state" and countdowns, and the offset between the server's clock
// and ours (the API's "now"), so times in state agree with the server's.
import { signal } from "./html.js";

export const tick = signal(Date.now() / 1000);
setInterval(() => { tick.value = Date.now() / 1000; }, 1000);

let offset = 0;      // server now - browser now, seconds
export function syncServerClock(serverNow) {
  if (typeof serverNow === "number") offset = serverNow - Date.now() / 1000;
}
/** the server's time now (seconds), following `tick` when read inside a component */
export const serverNow = () => tick.value + offset;

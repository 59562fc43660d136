// The quality page (#/quality): conversation analytics and call recordings in the browser, on the API
// only (docs/analytics.md, docs/recordings.md). Three views, chosen by the route's query:
//   #/quality?q=refund&from=-7d&risk=1 ...   search the transcripts (without words: the filters alone)
//   #/quality?tab=recordings&from=today      the stored recordings, analysed or not
//   #/quality?call=CALL_ID                   one call: recording player, transcript per side, risk words,
//                                            mood, gaps, the QA scorecard and a supervisor's override
//   #/quality?tab=report&by=agent            the analytics report per agent / queue, with its CSV
// Supervisors and admins see every call; an agent sees its own calls only, because that is all the
// API gives it (another agent's call is a 404 from the server, not a hidden link).
import "./messages.js";
import "./style.js";
import { html } from "../../core/html.js";
import { navigate } from "../../core/router.js";
import { t } from "../../core/i18n.js";
import { RecordingsView, SearchView } from "./search.js";
import { CallView } from "./call.js";
import { ReportView } from "./report.js";

const TABS = ["search", "recordings", "call", "report"];

export default function Quality({ query }) {
  const tab = query.call ? "call" : (TABS.includes(query.tab) ? query.tab : "search");
  const go = (k) => {
    if (k === "report" || k === "recordings") navigate("/quality", { tab: k });
    else if (k === "search") {
      const back = query.back ? JSON.parse(query.back) : {};
      navigate("/quality", back.tab ? {} : back);
    }
  };
  return html`<div class="quality" data-testid="quality">
    <div class="tabs" role="tablist">
      ${TABS.map((k) => html`<button role="tab" key=${k} data-testid=${`tab-${k}`} class=${tab === k ? "active" : ""}
          disabled=${k === "call" && tab !== "call"} onClick=${() => go(k)}>${t("qa.tab." + k)}</button>`)}
    </div>
    ${tab === "search" ? html`<${SearchView} query=${query} />`
      : tab === "call" ? html`<${CallView} key=${query.call} callId=${query.call} back=${query.back} />`
      : tab === "recordings" ? html`<${RecordingsView} query=${query} />`
      : html`<${ReportView} query=${query} />`}
  </div>`;
}

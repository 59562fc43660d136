import{a as I,b as B}from"./chunk-URIS6MIR.js";import{a as Q}from"./chunk-WNXMOX53.js";import{b}from"./chunk-Z34AHFKW.js";import{a as x,d as W,e as E}from"./chunk-BU7XLANR.js";import{a as _,e as w}from"./chunk-3ARAPQD3.js";import{b as q,c as v,d as O,e as F,g as S,j as o,l as C,p as U,q as r,r as L,t as y,x as J}from"./chunk-FIC5Y7K7.js";U("en",{"qa.tab.search":"Search","qa.tab.call":"Call","qa.tab.report":"Analytics report","qa.words":'Words or "a phrase"',"qa.search":"Search","qa.from":"From","qa.to":"To","qa.queue":"Queue","qa.agent":"Agent","qa.risk_only":"Only calls with risk words","qa.min_score":"Score from","qa.max_score":"to","qa.any":"any","qa.clear":"Clear","qa.p.all":"any time","qa.p.today":"today","qa.p.7d":"last 7 days","qa.p.30d":"last 30 days","qa.p.custom":"date and time\u2026","qa.results":"{n} call(s) whose transcript has {q}","qa.no_results":"No analysed call has these words.","qa.recent":"Recent recordings","qa.no_recordings":"No recordings in this interval.","qa.hint":'Type words to search the transcripts (every word must be there; "quoted words" are a phrase; a word also finds longer words it begins).',"qcol.when":"When","qcol.call":"Call","qcol.duration":"Length","qcol.score":"Score","qcol.risk":"Risk words","qcol.mood":"Mood","qcol.snippet":"Where it was said","qcol.status":"Status","qcol.paused":"Paused","qa.open":"Open","qa.back":"\u2190 back to the results","qa.no_analysis":"This call has no analysis{why}.","qa.no_recording":"No recording of this call is available.","qa.analysis_status":"Analysis: {s}","qa.caller":"Caller","qa.agent_side":"Agent","side.caller":"caller","side.agent":"agent","qa.play":"Play recording","qa.pause":"Pause","qa.loading_audio":"Loading the recording\u2026","qa.logged":"Every download of the audio is logged with your name.","qa.listen":"Listen to","qa.both":"both sides","qa.caller_only":"caller only","qa.agent_only":"agent only","qa.speed":"Speed","qa.transcript":"Transcript","qa.no_turns":"Nothing was recognised in this recording.","qa.gap":"Recording paused for {d} (by {by}): the audio is cut here","qa.gaps":"Recording gaps","qa.hits":"Risk words","qa.no_hits":"No risk words.","qa.hit":"\u201C{heard}\u201D ({list}, {kind} \u201C{term}\u201D, {severity}) said by the {side}","qa.mood":"Mood","qa.upset_from":"upset from {t}","qa.trend":"trend {x}","mood.upset":"upset","mood.negative":"negative","mood.neutral":"neutral","mood.positive":"positive","qa.figures":"Talk and silence","qa.talk_listen":"Talk / listen","qa.silence":"Silence","qa.overtalk":"Overtalk","qa.hold":"Hold","qa.scorecard":"QA scorecard \u201C{name}\u201D","qa.no_scorecard":"No scorecard applies to this call.","qa.pass_mark":"pass mark {mark}","qa.pass":"pass","qa.fail":"fail","qa.rule":"Rule","qa.weight":"Weight","qa.auto":"Automatic","qa.final":"Result","qa.evidence":"Evidence","qa.override":"Override","qa.overridden":"overridden by {by}: {comment}","qa.override_title":"Override rule \u201C{rule}\u201D","qa.result":"Result","qa.comment":"Comment (why)","qa.set_pass":"pass","qa.set_fail":"fail","qa.remove":"remove the override (back to automatic)","qa.save":"Save","qa.cancel":"Cancel","qa.saved":"Override saved: score now {score}","qa.errors":"Problems: {e}","qa.by":"Lines per","qa.report_empty":"No analysed calls in this interval.","qa.csv":"Download CSV","qa.refresh":"Refresh","rcol.calls":"Calls","rcol.failed":"Failed","rcol.avg_score":"Avg score","rcol.risk_hits":"Risk hits","rcol.calls_with_risk":"Calls with risk","rcol.talk_listen_ratio":"Talk/listen","rcol.silence_pct":"Silence","rcol.overtalk_pct":"Overtalk","rcol.caller_mood":"Caller mood","rcol.agent_mood":"Agent mood","rcol.rules":"Rules failed","rcol.trend":"Caller mood by day"});U("zh",{"qa.tab.search":"\u641C\u7D22","qa.tab.call":"\u901A\u8BDD","qa.tab.report":"\u5206\u6790\u62A5\u8868","qa.words":'\u5173\u952E\u8BCD\u6216 "\u77ED\u8BED"',"qa.search":"\u641C\u7D22","qa.from":"\u4ECE","qa.to":"\u5230","qa.queue":"\u961F\u5217","qa.agent":"\u5EA7\u5E2D","qa.risk_only":"\u4EC5\u542B\u98CE\u9669\u8BCD\u7684\u901A\u8BDD","qa.min_score":"\u8BC4\u5206\u4ECE","qa.max_score":"\u5230","qa.any":"\u4E0D\u9650","qa.clear":"\u6E05\u9664","qa.p.all":"\u5168\u90E8\u65F6\u95F4","qa.p.today":"\u4ECA\u5929","qa.p.7d":"\u6700\u8FD1 7 \u5929","qa.p.30d":"\u6700\u8FD1 30 \u5929","qa.p.custom":"\u65E5\u671F\u65F6\u95F4\u2026","qa.results":"{n} \u901A\u901A\u8BDD\u7684\u8F6C\u5199\u5305\u542B {q}","qa.no_results":"\u6CA1\u6709\u5DF2\u5206\u6790\u7684\u901A\u8BDD\u5305\u542B\u8FD9\u4E9B\u8BCD\u3002","qa.recent":"\u6700\u8FD1\u7684\u5F55\u97F3","qa.no_recordings":"\u6B64\u65F6\u95F4\u6BB5\u5185\u6CA1\u6709\u5F55\u97F3\u3002","qa.hint":'\u8F93\u5165\u8BCD\u8BED\u641C\u7D22\u901A\u8BDD\u8F6C\u5199\uFF08\u6BCF\u4E2A\u8BCD\u90FD\u987B\u51FA\u73B0\uFF1B\u7528 "\u5F15\u53F7" \u8868\u793A\u77ED\u8BED\uFF1B\u8BCD\u8BED\u4E5F\u5339\u914D\u4EE5\u5B83\u5F00\u5934\u7684\u66F4\u957F\u7684\u8BCD\uFF09\u3002',"qcol.when":"\u65F6\u95F4","qcol.call":"\u901A\u8BDD","qcol.duration":"\u65F6\u957F","qcol.score":"\u8BC4\u5206","qcol.risk":"\u98CE\u9669\u8BCD","qcol.mood":"\u60C5\u7EEA","qcol.snippet":"\u51FA\u73B0\u4F4D\u7F6E","qcol.status":"\u72B6\u6001","qcol.paused":"\u6682\u505C","qa.open":"\u6253\u5F00","qa.back":"\u2190 \u8FD4\u56DE\u7ED3\u679C","qa.no_analysis":"\u6B64\u901A\u8BDD\u6CA1\u6709\u5206\u6790\u7ED3\u679C{why}\u3002","qa.no_recording":"\u6B64\u901A\u8BDD\u6CA1\u6709\u53EF\u7528\u7684\u5F55\u97F3\u3002","qa.analysis_status":"\u5206\u6790\uFF1A{s}","qa.caller":"\u6765\u7535\u8005","qa.agent_side":"\u5EA7\u5E2D","side.caller":"\u6765\u7535\u8005","side.agent":"\u5EA7\u5E2D","qa.play":"\u64AD\u653E\u5F55\u97F3","qa.pause":"\u6682\u505C","qa.loading_audio":"\u6B63\u5728\u52A0\u8F7D\u5F55\u97F3\u2026","qa.logged":"\u6BCF\u6B21\u4E0B\u8F7D\u5F55\u97F3\u90FD\u4F1A\u4EE5\u60A8\u7684\u540D\u5B57\u8BB0\u5F55\u3002","qa.listen":"\u6536\u542C","qa.both":"\u53CC\u65B9","qa.caller_only":"\u4EC5\u6765\u7535\u8005","qa.agent_only":"\u4EC5\u5EA7\u5E2D","qa.speed":"\u901F\u5EA6","qa.transcript":"\u8F6C\u5199","qa.no_turns":"\u6B64\u5F55\u97F3\u4E2D\u6CA1\u6709\u8BC6\u522B\u51FA\u5185\u5BB9\u3002","qa.gap":"\u5F55\u97F3\u5728\u6B64\u6682\u505C {d}\uFF08{by}\uFF09\uFF1A\u97F3\u9891\u5728\u6B64\u5904\u88AB\u622A\u65AD","qa.gaps":"\u5F55\u97F3\u4E2D\u65AD","qa.hits":"\u98CE\u9669\u8BCD","qa.no_hits":"\u6CA1\u6709\u98CE\u9669\u8BCD\u3002","qa.hit":"{side}\u8BF4\u4E86\u201C{heard}\u201D\uFF08{list}\uFF0C{kind}\u201C{term}\u201D\uFF0C{severity}\uFF09","qa.mood":"\u60C5\u7EEA","qa.upset_from":"\u81EA {t} \u8D77\u4E0D\u6EE1","qa.trend":"\u8D8B\u52BF {x}","mood.upset":"\u4E0D\u6EE1","mood.negative":"\u6D88\u6781","mood.neutral":"\u4E2D\u6027","mood.positive":"\u79EF\u6781","qa.figures":"\u901A\u8BDD\u4E0E\u9759\u97F3","qa.talk_listen":"\u8BF4/\u542C\u6BD4","qa.silence":"\u9759\u97F3","qa.overtalk":"\u62A2\u8BDD","qa.hold":"\u4FDD\u6301","qa.scorecard":"\u8D28\u68C0\u8BC4\u5206\u8868\u201C{name}\u201D","qa.no_scorecard":"\u6B64\u901A\u8BDD\u6CA1\u6709\u9002\u7528\u7684\u8BC4\u5206\u8868\u3002","qa.pass_mark":"\u53CA\u683C\u7EBF {mark}","qa.pass":"\u901A\u8FC7","qa.fail":"\u672A\u901A\u8FC7","qa.rule":"\u89C4\u5219","qa.weight":"\u6743\u91CD","qa.auto":"\u81EA\u52A8\u7ED3\u679C","qa.final":"\u7ED3\u679C","qa.evidence":"\u4F9D\u636E","qa.override":"\u6539\u5224","qa.overridden":"\u7531 {by} \u6539\u5224\uFF1A{comment}","qa.override_title":"\u6539\u5224\u89C4\u5219\u201C{rule}\u201D","qa.result":"\u7ED3\u679C","qa.comment":"\u5907\u6CE8\uFF08\u539F\u56E0\uFF09","qa.set_pass":"\u901A\u8FC7","qa.set_fail":"\u672A\u901A\u8FC7","qa.remove":"\u64A4\u9500\u6539\u5224\uFF08\u6062\u590D\u81EA\u52A8\u7ED3\u679C\uFF09","qa.save":"\u4FDD\u5B58","qa.cancel":"\u53D6\u6D88","qa.saved":"\u6539\u5224\u5DF2\u4FDD\u5B58\uFF1A\u8BC4\u5206\u73B0\u4E3A {score}","qa.errors":"\u95EE\u9898\uFF1A{e}","qa.by":"\u6309","qa.report_empty":"\u6B64\u65F6\u95F4\u6BB5\u5185\u6CA1\u6709\u5DF2\u5206\u6790\u7684\u901A\u8BDD\u3002","qa.csv":"\u4E0B\u8F7D CSV","qa.refresh":"\u5237\u65B0","rcol.calls":"\u901A\u8BDD","rcol.failed":"\u5931\u8D25","rcol.avg_score":"\u5E73\u5747\u5206","rcol.risk_hits":"\u98CE\u9669\u8BCD\u6B21\u6570","rcol.calls_with_risk":"\u542B\u98CE\u9669\u8BCD\u901A\u8BDD","rcol.talk_listen_ratio":"\u8BF4/\u542C\u6BD4","rcol.silence_pct":"\u9759\u97F3","rcol.overtalk_pct":"\u62A2\u8BDD","rcol.caller_mood":"\u6765\u7535\u8005\u60C5\u7EEA","rcol.agent_mood":"\u5EA7\u5E2D\u60C5\u7EEA","rcol.rules":"\u672A\u901A\u8FC7\u7684\u89C4\u5219","rcol.trend":"\u6765\u7535\u8005\u6BCF\u65E5\u60C5\u7EEA"});Q("quality",`
.quality { display: flex; flex-direction: column; gap: var(--gap); }
.quality .tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--line); }
.quality .tabs button { border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0; background: none; color: var(--muted); }
.quality .tabs button.active { color: var(--ink); background: var(--panel); border-color: var(--line); margin-bottom: -1px; }
.quality .filters label { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); }
.quality .filters label.words { flex: 1 1 260px; }
.quality .filters label.check, .quality label.inline { flex-direction: row; align-items: center; gap: 6px; font-size: 13px; color: var(--ink); }
.quality .hint { margin: 0; font-size: 12px; }
.quality tr.link { cursor: pointer; } .quality tr.link:hover td { background: #f3f6fb; }
.quality td.wrap { white-space: normal; }
.quality .snippet mark, .quality mark { background: #ffe38a; color: inherit; border-radius: 3px; padding: 0 2px; }
.quality mark.risk { background: #ffd0d0; outline: 1px solid var(--bad); font-weight: 600; }
.quality .risk-count { color: var(--bad); font-weight: 600; }
.quality .score { font-weight: 700; font-variant-numeric: tabular-nums; } .quality .score.ok { color: var(--ok); } .quality .score.bad { color: var(--bad); }
.quality .verdict.ok { color: var(--ok); font-weight: 600; } .quality .verdict.bad { color: var(--bad); font-weight: 600; }
.quality .mood { font-size: 12px; padding: 1px 6px; border-radius: 8px; background: #eef1f5; }
.quality .mood-upset { background: #fbd5d5; color: #8b1c1c; } .quality .mood-negative { background: #fde8cf; color: #7a4a00; }
.quality .mood-positive { background: #d6f2e0; color: #145c33; }
.quality .call-head h2 { margin: 0; }
.quality .player .row { margin-bottom: 8px; } .quality .small-note { font-size: 12px; }
.quality .timeline { position: relative; height: 38px; background: #f3f5f8; border: 1px solid var(--line); border-radius: 6px; cursor: pointer; }
.quality .lane { position: absolute; left: 0; right: 0; height: 12px; } .quality .lane-caller { top: 5px; } .quality .lane-agent { top: 20px; }
.quality .lane .turn { position: absolute; top: 0; bottom: 0; border-radius: 3px; min-width: 2px; }
.quality .lane-caller .turn { background: #8fb3e8; } .quality .lane-agent .turn { background: #9fd4b2; }
.quality .hit-tick { position: absolute; top: 0; bottom: 0; width: 3px; background: var(--bad); }
.quality .gap-tick { position: absolute; top: -3px; bottom: -3px; width: 6px; margin-left: -3px;
  background: repeating-linear-gradient(45deg, #5e6b7d 0 2px, transparent 2px 4px); }
.quality .playhead { position: absolute; top: -4px; bottom: -4px; width: 2px; background: var(--ink); pointer-events: none; }
.quality .call-body { display: grid; grid-template-columns: 1fr 340px; gap: var(--gap); align-items: start; }
.quality .call-side { display: flex; flex-direction: column; gap: var(--gap); }
.quality .transcript-box { max-height: 52vh; overflow: auto; }
.quality .transcript { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.quality .line { max-width: 78%; padding: 6px 10px; border-radius: 10px; cursor: pointer; border: 1px solid transparent; }
.quality .line.side-caller { align-self: flex-start; background: #eaf1fc; }
.quality .line.side-agent { align-self: flex-end; background: #eaf7ef; }
.quality .line:hover { border-color: var(--accent); }
.quality .line.current { border-color: var(--accent); box-shadow: 0 0 0 2px rgba(31,95,191,.25); }
.quality .line.risky { border-left: 3px solid var(--bad); }
.quality .line .who { font-size: 11px; color: var(--muted); display: flex; gap: 6px; align-items: center; }
.quality .line .unsure { color: var(--muted); }
.quality .mood-dot { font-size: 10px; padding: 0 5px; border-radius: 6px; background: #eef1f5; }
.quality .mood-dot.mood-upset { background: #fbd5d5; } .quality .mood-dot.mood-negative { background: #fde8cf; }
.quality .mood-dot.mood-positive { background: #d6f2e0; }
.quality .gap { align-self: center; font-size: 12px; color: var(--muted); border: 1px dashed var(--muted); border-radius: 8px; padding: 3px 10px; cursor: pointer; }
.quality .hits ul, .quality .evidence { margin: 0; padding-left: 16px; }
.quality .hits li.sev-high { color: var(--bad); }
.quality .mood-side { margin: 4px 0; }
.quality .scorecard td { vertical-align: top; } .quality .scorecard .detail { font-size: 12px; color: var(--muted); white-space: normal; }
.quality .scorecard tr.overridden td { background: #fffbea; }
.quality .score-line { margin-bottom: 8px; }
.override-form { display: flex; flex-direction: column; gap: 6px; min-width: 460px; }
.override-form .field { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
.override-form .field.has-error textarea { border-color: var(--bad); outline: 1px solid var(--bad); }
.override-form .field-error { color: var(--bad); font-size: 12px; }
.override-form label.inline { display: flex; flex-direction: row; gap: 4px; align-items: center; color: var(--ink); font-size: 13px; }
.quality .table-box { overflow: auto; }
.quality .rule-rate { display: inline-block; margin: 1px 4px 1px 0; padding: 0 6px; border-radius: 6px; background: #fde8cf; font-size: 12px; }
.quality .trend { display: inline-flex; align-items: flex-end; gap: 2px; height: 20px; }
.quality .trend i { display: inline-block; width: 5px; } .quality .trend i.pos { background: var(--ok); } .quality .trend i.neg { background: var(--bad); }
`);function P(t,a){let e=Object.fromEntries(Object.entries(a||{}).filter(([s,l])=>s!=="call"&&s!=="back"&&l));return Object.keys(e).length?{call:t,back:JSON.stringify(e)}:{call:t}}function f(t){if(t==null)return"\u2013";let a=Math.max(0,Math.floor(t));return`${String(Math.floor(a/60)).padStart(2,"0")}:${String(a%60).padStart(2,"0")}`}var T=t=>t?r("mood."+t):"\u2013";function z({value:t,label:a}){if(t==null)return o`<span class="muted">–</span>`;let e=a||(t<=-.35?"upset":t<=-.1?"negative":t>=.25?"positive":"neutral");return o`<span class=${`mood mood-${e}`} title=${String(t)}>${T(e)} ${t.toFixed(2)}</span>`}function k({value:t,mark:a}){if(t==null)return o`<span class="muted">–</span>`;let e=a==null?null:t>=a;return o`<span class=${`score ${e===null?"":e?"ok":"bad"}`}>${Math.round(t*10)/10}</span>`}function G({text:t}){let a=String(t||"").split(/(\[[^\]]*\])/);return o`<span class="snippet">${a.map((e,s)=>e.startsWith("[")&&e.endsWith("]")?o`<mark key=${s}>${e.slice(1,-1)}</mark>`:e.replace(/\n/g," / "))}</span>`}function Z(t){return t?/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(t)?new Date(t).toISOString().replace(/\.\d{3}Z$/,"Z"):t:""}function H(t){if(!t||!/^\d{4}-/.test(t))return"";let a=new Date(t);if(Number.isNaN(a.getTime()))return"";let e=s=>String(s).padStart(2,"0");return`${a.getFullYear()}-${e(a.getMonth()+1)}-${e(a.getDate())}T${e(a.getHours())}:${e(a.getMinutes())}`}var V={all:"",today:"today","7d":"-7d","30d":"-30d"};function N({from:t,to:a,onChange:e}){let s=Object.entries(V).find(([,l])=>l===(t||"")&&!a);return o`<label>${r("qa.from")}<select data-testid="period" value=${s?s[0]:"custom"}
      onChange=${l=>l.target.value==="custom"?e({from:new Date(Date.now()-864e5).toISOString().replace(/\.\d{3}Z$/,"Z"),to:""}):e({from:V[l.target.value],to:""})}>
      ${Object.keys(V).map(l=>o`<option value=${l}>${r("qa.p."+l)}</option>`)}
      <option value="custom">${r("qa.p.custom")}</option></select></label>
    ${s?null:o`
      <label>${r("qa.from")}<input type="datetime-local" data-testid="from" value=${H(t)}
        onChange=${l=>e({from:Z(l.target.value),to:a})} /></label>
      <label>${r("qa.to")}<input type="datetime-local" data-testid="to" value=${H(a)}
        onChange=${l=>e({from:t,to:Z(l.target.value)})} /></label>`}`}var A=["q","from","to","queue","agent","risk","min_score","max_score"];function ia(t){let a=new URLSearchParams;for(let e of A)t[e]&&a.set(e,e==="risk"?"true":t[e]);return a.set("limit","100"),a}function da(t){let a=new URLSearchParams({limit:"100"});for(let e of["from","to","queue","agent"])t[e]&&a.set(e,t[e]);return a}function ca({q:t,onSearch:a}){let[e,s]=q(t);v(()=>s(t),[JSON.stringify(t)]);let l=n=>i=>s({...e,[n]:i.target.type==="checkbox"?i.target.checked?"1":"":i.target.value});return o`<form class="panel row filters" onSubmit=${n=>{n.preventDefault(),a(e)}} data-testid="search-form">
    <label class="words">${r("qa.words")}<input name="q" type="search" value=${e.q||""} onInput=${l("q")}
      placeholder="refund &quot;cancel my account&quot;" autofocus /></label>
    <${N} from=${e.from} to=${e.to} onChange=${n=>a({...e,...n})} />
    <label>${r("qa.queue")}<input name="queue" size="10" value=${e.queue||""} onInput=${l("queue")} /></label>
    ${C("supervisor")?o`<label>${r("qa.agent")}<input name="agent" size="8" value=${e.agent||""}
      onInput=${l("agent")} /></label>`:null}
    <label>${r("qa.min_score")}<input name="min_score" type="number" min="0" max="100" style="width: 70px"
      value=${e.min_score||""} onInput=${l("min_score")} placeholder=${r("qa.any")} /></label>
    <label>${r("qa.max_score")}<input name="max_score" type="number" min="0" max="100" style="width: 70px"
      value=${e.max_score||""} onInput=${l("max_score")} placeholder=${r("qa.any")} /></label>
    <label class="check"><input name="risk" type="checkbox" checked=${!!e.risk} onChange=${l("risk")} />
      ${r("qa.risk_only")}</label>
    <div style="flex: 1"></div>
    <button type="button" onClick=${()=>a({})}>${r("qa.clear")}</button>
    <button class="primary" type="submit" data-testid="search">${r("qa.search")}</button>
  </form>`}function ua({q:t,found:a}){let e=s=>b("/quality",P(s,t));return a.calls.length?o`<h3>${r("qa.results",{n:a.calls.length,q:a.query})}</h3>
    <table data-testid="results"><thead><tr>
      <th>${r("qcol.when")}</th><th>${r("qa.queue")}</th><th>${r("qa.agent")}</th><th class="num">${r("qcol.duration")}</th>
      <th class="num">${r("qcol.score")}</th><th class="num">${r("qcol.risk")}</th><th>${r("qcol.mood")}</th>
      <th>${r("qcol.snippet")}</th></tr></thead>
    <tbody>${a.calls.map(s=>o`<tr key=${s.call_id} class="link" data-call=${s.call_id} onClick=${()=>e(s.call_id)}>
      <td><a href=${"#/quality?"+new URLSearchParams(P(s.call_id,t))} onClick=${l=>l.stopPropagation()}>
        ${w(s.call_at)}</a></td>
      <td>${s.queue||"\u2013"}</td><td>${s.agent||"\u2013"}</td><td class="num">${_(s.duration)}</td>
      <td class="num"><${k} value=${s.score} /></td>
      <td class="num">${s.risk_count?o`<span class="risk-count">⚑ ${s.risk_count}</span>`:"0"}</td>
      <td>${s.mood||"\u2013"}</td>
      <td class="wrap"><${G} text=${s.snippet} /></td></tr>`)}</tbody></table>`:o`<div class="empty" data-testid="no-results">${r("qa.no_results")}</div>`}function pa({q:t,list:a}){return a.length?o`<h3>${r("qa.recent")}</h3>
    <table data-testid="recordings"><thead><tr>
      <th>${r("qcol.when")}</th><th>${r("qcol.call")}</th><th>${r("qa.queue")}</th><th>${r("qa.agent")}</th>
      <th class="num">${r("qcol.duration")}</th><th class="num">${r("qcol.paused")}</th><th>${r("qcol.status")}</th></tr></thead>
    <tbody>${a.map(e=>o`<tr key=${e.id} class="link" onClick=${()=>b("/quality",P(e.call_id,t))}>
      <td>${w(e.started_at||e.created_at)}</td><td class="mono">${e.call_id}</td><td>${e.queue||"\u2013"}</td>
      <td>${e.agent||"\u2013"}</td><td class="num">${_(e.duration)}</td>
      <td class="num">${e.pauses.length?_(e.paused_s):"\u2013"}</td>
      <td>${e.status}${e.error?o` <span class="muted">${e.error}</span>`:null}</td></tr>`)}</tbody></table>`:o`<div class="empty">${r("qa.no_recordings")}</div>`}function X({query:t}){let a=Object.fromEntries(A.filter(d=>t[d]).map(d=>[d,t[d]])),[e,s]=q(null),[l,c]=q(null),n=JSON.stringify(a);return v(()=>{let d=!0;return s(null),c(null),(a.q?y(`api/analytics/search?${ia(a)}`).then(m=>({kind:"search",...m})):y(`api/recordings?${da(a)}`).then(m=>({kind:"recent",...m}))).then(m=>d&&s(m),m=>d&&c(m)),()=>{d=!1}},[n]),o`<div class="search">
    <${ca} q=${a} onSearch=${d=>b("/quality",Object.fromEntries(A.filter(p=>d[p]).map(p=>[p,d[p]])))} />
    ${a.q?null:o`<p class="muted hint">${r("qa.hint")}</p>`}
    <div class="panel">
      ${l?o`<div class="form-error" role="alert" data-testid="search-error">
          ${l.field?o`<b>${l.field}</b>: `:null}${l.message}</div>`:e?e.kind==="search"?o`<${ua} q=${a} found=${e} />`:o`<${pa} q=${a} list=${e.recordings} />`:o`<div class="empty">${r("ui.loading")}</div>`}
    </div>
  </div>`}function K(t){let a=F(()=>$a(t),[t]);return v(()=>()=>a.dispose(),[a]),a}var ma={both:[1,0,0,1],caller:[1,1,0,0],agent:[0,0,1,1]};function $a(t){let a={time:S(0),playing:S(!1),state:S("idle"),side:S("both"),duration:S(null),audio:null,url:null,graph:null,loading:null};return a.attach=e=>{!e||a.audio===e||(a.audio=e,e.addEventListener("timeupdate",()=>{a.time.value=e.currentTime}),e.addEventListener("seeked",()=>{a.time.value=e.currentTime}),e.addEventListener("play",()=>{a.playing.value=!0}),e.addEventListener("pause",()=>{a.playing.value=!1}),e.addEventListener("ended",()=>{a.playing.value=!1}),e.addEventListener("loadedmetadata",()=>{a.duration.value=e.duration}))},a.load=()=>a.loading?a.loading:t==null?Promise.reject(new Error(r("qa.no_recording"))):(a.state.value="loading",a.loading=L("GET",`api/recordings/${t}/audio`,void 0,{raw:!0}).then(e=>e.blob()).then(e=>new Promise((s,l)=>{a.url=URL.createObjectURL(e);let c=a.audio;c.addEventListener("loadedmetadata",()=>s(),{once:!0}),c.addEventListener("error",()=>l(new Error(`audio: ${c.error&&c.error.message}`)),{once:!0}),c.src=a.url})).then(()=>{a.state.value="ready"},e=>{throw a.state.value="error",a.loading=null,e}),a.loading),a.seek=async(e,s=!1)=>{try{await a.load(),a.audio.currentTime=Math.max(0,e),a.time.value=a.audio.currentTime,s&&await a.audio.play()}catch(l){x(l.message,"error")}},a.toggle=async()=>{try{await a.load(),a.audio.paused?(Y(a),await a.audio.play()):a.audio.pause()}catch(e){x(e.message,"error")}},a.setSide=e=>{a.side.value=e,Y(a)},a.dispose=()=>{a.audio&&a.audio.pause(),a.url&&URL.revokeObjectURL(a.url),a.graph&&a.graph.ctx.close()},a}function Y(t){if(!(!t.audio||!t.graph&&t.side.value==="both")){if(!t.graph){let a=new AudioContext,e=a.createMediaElementSource(t.audio),s=a.createChannelSplitter(2),l=a.createChannelMerger(2),c=[[0,0],[0,1],[1,0],[1,1]].map(([n,i])=>{let d=a.createGain();return s.connect(d,n),d.connect(l,0,i),d});e.connect(s),l.connect(a.destination),t.graph={ctx:a,gains:c}}ma[t.side.value].forEach((a,e)=>{t.graph.gains[e].gain.value=a}),t.graph.ctx.state==="suspended"&&t.graph.ctx.resume()}}var M=(t,a)=>`${Math.max(0,Math.min(100,100*t/a))}%`;function fa({player:t,duration:a,turns:e,hits:s,gaps:l}){let c=O(null),n=t.duration.value||a||1;return o`<div class="timeline" ref=${c} onClick=${d=>{let p=c.current.getBoundingClientRect();t.seek((d.clientX-p.left)/p.width*n)}} data-testid="timeline" title=${f(n)}>
    ${["caller","agent"].map(d=>o`<div class=${`lane lane-${d}`} key=${d}>
      ${e.filter(p=>p.side===d).map((p,m)=>o`<span key=${m} class="turn"
        style=${{left:M(p.start,n),width:M(p.end-p.start,n)}}></span>`)}</div>`)}
    ${s.map((d,p)=>o`<span key=${"h"+p} class="hit-tick" style=${{left:M(d.start,n)}}
      title=${`${f(d.start)} ${d.heard}`}></span>`)}
    ${l.map((d,p)=>o`<span key=${"g"+p} class="gap-tick" data-testid="gap-tick" style=${{left:M(d.offset,n)}}
      title=${r("qa.gap",{d:f(d.duration),by:d.by||"\u2013"})}></span>`)}
    <span class="playhead" style=${{left:M(t.time.value,n)}}></span>
  </div>`}function aa({player:t,recording:a,duration:e,turns:s,hits:l,gaps:c}){let n=t.state.value;return o`<div class="player" data-testid="player">
    <audio ref=${i=>t.attach(i)} preload="none" data-testid="audio"></audio>
    <div class="row">
      <button class="primary" data-testid="play" disabled=${!a||a.status!=="ready"||n==="loading"}
        onClick=${()=>t.toggle()}>${t.playing.value?"\u275A\u275A "+r("qa.pause"):"\u25B6 "+r("qa.play")}</button>
      <span class="mono" data-testid="clock">${f(t.time.value)} / ${f(t.duration.value||e)}</span>
      <label class="inline">${r("qa.listen")}
        <select data-testid="side" value=${t.side.value} onChange=${i=>t.setSide(i.target.value)}>
          <option value="both">${r("qa.both")}</option><option value="caller">${r("qa.caller_only")}</option>
          <option value="agent">${r("qa.agent_only")}</option></select></label>
      <label class="inline">${r("qa.speed")}
        <select onChange=${i=>{t.audio&&(t.audio.playbackRate=Number(i.target.value))}}>
          ${["0.75","1","1.25","1.5","2"].map(i=>o`<option value=${i} selected=${i==="1"}>${i}×</option>`)}</select></label>
      ${n==="loading"?o`<span class="muted">${r("qa.loading_audio")}</span>`:null}
      <div style="flex: 1"></div>
      ${a?o`<span class="muted small-note">${r("qa.logged")}</span>`:o`<span class="muted" data-testid="no-recording">${r("qa.no_recording")}</span>`}
      ${a&&a.status!=="ready"?o`<span class="form-error">${a.status}${a.error?": "+a.error:""}</span>`:null}
    </div>
    <${fa} player=${t} duration=${e} turns=${s} hits=${l} gaps=${c} />
  </div>`}var qa=(t,a)=>Math.abs(t-a)<.011;function ea(t,a){let e=t.words||[],s=t.risk_hits||[],l=t.mood&&t.mood.turns||[],c=(t.turns||[]).map((n,i)=>{let d=e.filter(u=>u.side===n.side&&u.start>=n.start-.011&&u.end<=n.end+.011),p=l.find(u=>u.side===n.side&&qa(u.start,n.start))||l[i]||null,m=d.map(u=>s.find(g=>g.side===u.side&&u.start>=g.start-.011&&u.end<=g.end+.011)||null);return{kind:"turn",index:i,...n,words:d,marked:m,mood:p,risky:m.some(Boolean)}});for(let n of a)c.push({kind:"gap",start:n.offset,...n});return c.sort((n,i)=>n.start-i.start||(n.kind==="gap"?-1:1))}function ga({item:t,current:a,onSeek:e}){let s=O(null);v(()=>{a&&s.current&&s.current.scrollIntoView&&s.current.scrollIntoView({block:"nearest"})},[a]);let l=t.words.length?t.words.map((n,i)=>{let d=t.marked[i];return d?o`<mark class="risk" key=${i} data-testid="risk-word" title=${`${d.list} \xB7 ${d.term} \xB7 ${d.severity}`}>${n.text}</mark> `:o`<span key=${i} class=${n.conf!==void 0&&n.conf<.5?"unsure":""}>${n.text} </span>`}):t.text,c=t.mood;return o`<li ref=${s} class=${`line side-${t.side} ${a?"current":""} ${t.risky?"risky":""}`}
      data-testid="line" data-side=${t.side} data-start=${t.start} aria-current=${a?"true":void 0}
      onClick=${()=>e(t.start)} title=${`${f(t.start)}\u2013${f(t.end)}`}>
    <div class="who"><span class="time mono">${f(t.start)}</span>
      ${r(t.side==="caller"?"qa.caller":"qa.agent_side")}
      ${c?o`<span class=${`mood-dot mood-${c.label}`} title=${`${T(c.label)} ${c.mood}`}>${T(c.label)}</span>`:null}</div>
    <div class="text">${l}</div>
  </li>`}function ta({items:t,time:a,playing:e,onSeek:s}){let l=a.value,c=-1;return t.forEach((n,i)=>{n.kind==="turn"&&n.start<=l+.05&&(c=i)}),!e.value&&l===0&&(c=-1),t.some(n=>n.kind==="turn")?o`<ol class="transcript" data-testid="transcript">
    ${t.map((n,i)=>n.kind==="gap"?o`<li key=${"g"+i} class="gap" data-testid="gap" onClick=${()=>s(n.offset)}>
          ❚❚ <span class="mono">${f(n.offset)}</span> ${r("qa.gap",{d:f(n.duration||0),by:n.by||"\u2013"})}</li>`:o`<${ga} key=${"t"+n.index} item=${n} current=${i===c} onSeek=${s} />`)}
  </ol>`:o`<div class="empty">${r("qa.no_turns")}</div>`}var j=({passed:t})=>o`<span class=${`verdict ${t?"ok":"bad"}`}>${t?"\u2713 "+r("qa.pass"):"\u2717 "+r("qa.fail")}</span>`;function ha({items:t,onSeek:a}){return!t||!t.length?null:o`<ul class="evidence">${t.map((e,s)=>o`<li key=${s}>
    ${e.start!==void 0?o`<a href="#" class="mono" onClick=${l=>{l.preventDefault(),a(e.start)}}>${f(e.start)}</a> `:null}
    ${e.heard!==void 0?o`${e.side?r(e.side==="caller"?"qa.caller":"qa.agent_side")+": ":""}“${e.heard}”
      ${e.term&&e.term!==e.heard?o`<span class="muted">(${e.term}${e.score<100?`, ${Math.round(e.score)}%`:""})</span>`:null}`:e.field!==void 0?o`${e.field} = ${e.value}`:e.seconds!==void 0?o`${Math.round(e.seconds)} s`:null}
  </li>`)}</ul>`}function va({callId:t,rule:a,onClose:e,onSaved:s}){let l=a.override,[c,n]=q(String(l?l.passed:!a.auto.passed)),[i,d]=q(l?l.comment:""),[p,m]=q(null),[u,g]=q(!1),R=async $=>{$.preventDefault(),g(!0);try{let h={passed:c==="clear"?null:c==="true",comment:i},D=await L("POST",`api/analytics/calls/${encodeURIComponent(t)}/overrides/${encodeURIComponent(a.id)}`,h);x(r("qa.saved",{score:D.score}),"ok"),s(D)}catch(h){m({field:h.field,message:h.message})}finally{g(!1)}};return o`<${W} title=${r("qa.override_title",{rule:a.id})} onClose=${e}>
    <form class="override-form" data-testid="override-form" onSubmit=${R} noValidate>
      <div class="muted">${r("qa.auto")}: <${j} passed=${a.auto.passed} /> ${a.auto.detail}</div>
      <${I} label=${r("qa.result")} name="passed" error=${p}>
        <div class="row">
          ${[["true",r("qa.set_pass")],["false",r("qa.set_fail")],...l?[["clear",r("qa.remove")]]:[]].map(([$,h])=>o`
            <label class="inline" key=${$}><input type="radio" name="passed" value=${$} checked=${c===$}
              onChange=${()=>n($)} /> ${h}</label>`)}
        </div>
      <//>
      <${I} label=${r("qa.comment")} name="comment" error=${p}>
        <textarea name="comment" rows="3" value=${i} onInput=${$=>d($.target.value)}></textarea>
      <//>
      <${B} error=${p} fields=${["passed","comment"]} />
      <div class="actions">
        <button type="button" onClick=${e}>${r("qa.cancel")}</button>
        <button class="primary" type="submit" data-testid="save-override" disabled=${u}>${r("qa.save")}</button>
      </div>
    </form>
  <//>`}function ra({analysis:t,onChange:a,onSeek:e}){let s=t.result&&t.result.qa,[l,c]=q(null);if(!s)return o`<div class="panel"><div class="muted">${r("qa.no_scorecard")}</div></div>`;let n=C("supervisor");return o`<div class="panel scorecard" data-testid="scorecard">
    <h2>${r("qa.scorecard",{name:s.scorecard})}</h2>
    <div class="score-line" data-testid="score">
      <${k} value=${s.score} mark=${s.pass_mark} /> / 100 · ${r("qa.pass_mark",{mark:s.pass_mark})} · <${j} passed=${s.passed} />
    </div>
    <table><thead><tr><th>${r("qa.rule")}</th><th class="num">${r("qa.weight")}</th><th>${r("qa.auto")}</th>
      <th>${r("qa.evidence")}</th><th>${r("qa.final")}</th>${n?o`<th></th>`:null}</tr></thead>
    <tbody>${s.rules.map(i=>o`<tr key=${i.id} data-rule=${i.id} class=${i.override?"overridden":""}>
      <td><b>${i.id}</b><div class="muted">${i.type}${i.description?" \xB7 "+i.description:""}</div></td>
      <td class="num">${i.weight}</td>
      <td data-testid="auto"><${j} passed=${i.auto.passed} /><div class="detail">${i.auto.detail}</div></td>
      <td class="wrap"><${ha} items=${i.auto.evidence} onSeek=${e} /></td>
      <td data-testid="final"><${j} passed=${i.passed} />
        ${i.override?o`<div class="detail" data-testid="override-note">${r("qa.overridden",{by:i.override.by,comment:i.override.comment||"\u2013"})}
          <span class="muted"> ${w(i.override.at)}</span></div>`:null}</td>
      ${n?o`<td><button class="small" data-testid="override" onClick=${()=>c(i)}>${r("qa.override")}</button></td>`:null}
    </tr>`)}</tbody></table>
    ${l?o`<${va} callId=${t.call_id} rule=${l} onClose=${()=>c(null)}
        onSaved=${i=>{c(null),a(i)}} />`:null}
  </div>`}function ba({hits:t,onSeek:a}){return o`<div class="panel hits" data-testid="hits"><h3>${r("qa.hits")}</h3>
    ${t.length?o`<ul>${t.map((e,s)=>o`
      <li key=${s} class=${`sev-${e.severity}`} data-testid="hit">
        <a href="#" class="mono" onClick=${l=>{l.preventDefault(),a(e.start)}}>${f(e.start)}</a>
        ${" "}${r("qa.hit",{heard:e.heard,list:e.list,kind:e.kind,term:e.term,severity:e.severity,side:r("side."+e.side)})}</li>`)}</ul>`:o`<div class="muted">${r("qa.no_hits")}</div>`}
  </div>`}function ya({mood:t,metrics:a}){let e=t&&t.sides||{},s=a||{};return o`<div class="panel mood-panel" data-testid="mood"><h3>${r("qa.mood")}</h3>
    ${["caller","agent"].map(l=>{let c=e[l]||{};return o`<div class="row mood-side" key=${l} data-side=${l}>
        <b>${r(l==="caller"?"qa.caller":"qa.agent_side")}</b> <${z} value=${c.mood} label=${c.label} />
        ${c.upset_from!==null&&c.upset_from!==void 0?o`<span class="mood mood-upset">${r("qa.upset_from",{t:f(c.upset_from)})}</span>`:null}
        ${c.trend?o`<span class="muted">${r("qa.trend",{x:(c.trend>0?"+":"")+c.trend.toFixed(2)})}</span>`:null}
      </div>`})}
    <h3 style="margin-top: 10px">${r("qa.figures")}</h3>
    <div class="row stats">
      <${E} label=${r("qa.talk_listen")} value=${s.talk_listen_ratio??"\u2013"} />
      <${E} label=${r("qa.silence")} value=${s.silence_pct===void 0?"\u2013":`${Math.round(s.silence_pct)}%`} />
      <${E} label=${r("qa.overtalk")} value=${s.overtalk_pct===void 0?"\u2013":`${Math.round(s.overtalk_pct)}%`} />
      <${E} label=${r("qa.hold")} value=${_(s.hold_s)} />
    </div>
  </div>`}function oa({callId:t,back:a}){let[e,s]=q(null),[l,c]=q(void 0);v(()=>{let $=!0;return y(`api/analytics/calls/${encodeURIComponent(t)}`).then(h=>$&&s(h),h=>$&&s({error:h.message,status:h.status})),y(`api/recordings?call_id=${encodeURIComponent(t)}&limit=1`).then(h=>$&&c(h.recordings[0]||null),()=>$&&c(null)),()=>{$=!1}},[t]);let n=K(l?l.id:null),i=o`<a href="#" data-testid="back" onClick=${$=>{$.preventDefault(),b("/quality",a?JSON.parse(a):{})}}>${r("qa.back")}</a>`;if(!e||l===void 0)return o`<div class="empty">${r("ui.loading")}</div>`;if(e.error&&!l)return o`<div class="panel">${i}<div class="empty error" role="alert" data-testid="call-error">${e.error}</div></div>`;let d=!e.error&&e.result||{},p=l&&l.pauses&&l.pauses.length?l.pauses:d.gaps||[],m=d.risk_hits||[],u=ea(d,p),g=e.duration||l&&l.duration||0,R=$=>n.seek($,!0);return o`<div class="call-view" data-testid="call-view" data-call=${t}>
    <div class="panel call-head">
      <div class="row">${i}<h2 class="mono">${t}</h2>
        <span>${w(e.call_at||l&&l.started_at)}</span>
        <span>${r("qa.queue")}: <b>${e.queue||l&&l.queue||"\u2013"}</b></span>
        <span>${r("qa.agent")}: <b>${e.agent||l&&l.agent||"\u2013"}</b></span>
        <span>${_(g)}</span>
        ${e.language?o`<span class="muted">${e.language} · ${e.engine||""}</span>`:null}
        <div style="flex: 1"></div>
        ${e.score!==void 0?o`<span>${r("qcol.score")} <${k} value=${e.score}
            mark=${d.qa&&d.qa.pass_mark} /></span>`:null}
        ${e.mood?o`<span class="muted" data-testid="mood-summary">${e.mood}</span>`:null}
      </div>
      ${e.error?o`<div class="form-error" role="alert" data-testid="call-error">${e.error}</div>`:null}
      ${e.status&&e.status!=="done"?o`<div class="muted">${r("qa.analysis_status",{s:e.status})}</div>`:null}
      ${d.errors&&d.errors.length?o`<div class="form-error">${r("qa.errors",{e:d.errors.join("; ")})}</div>`:null}
    </div>
    <${aa} player=${n} recording=${l} duration=${g} turns=${d.turns||[]} hits=${m} gaps=${p} />
    <div class="call-body">
      <div class="panel transcript-box"><h3>${r("qa.transcript")}</h3>
        <${ta} items=${u} time=${n.time} playing=${n.playing} onSeek=${R} /></div>
      <div class="call-side">
        <${ba} hits=${m} onSeek=${R} />
        <${ya} mood=${d.mood} metrics=${d.metrics} />
      </div>
    </div>
    ${e.error?null:o`<${ra} analysis=${e} onChange=${s} onSeek=${R} />`}
  </div>`}var sa=["calls","failed","avg_score","risk_hits","calls_with_risk","talk_listen_ratio","silence_pct","overtalk_pct","caller_mood","agent_mood"];function ka(t){let a=new URLSearchParams({by:t.by});for(let e of["from","to","queue","agent"])t[e]&&a.set(e,t[e]);return a}function xa(t,a){return a==null?"\u2013":t==="avg_score"?o`<${k} value=${a} />`:t==="silence_pct"||t==="overtalk_pct"?`${a}%`:t==="caller_mood"||t==="agent_mood"?o`<${z} value=${a} />`:String(a)}function _a({days:t}){return!t||!t.length?"\u2013":o`<span class="trend" title=${t.map(a=>`${a.day}: ${a.caller_mood} (${a.calls})`).join(`
`)}>
    ${t.slice(-14).map(a=>o`<i key=${a.day} class=${a.caller_mood<0?"neg":"pos"}
      style=${{height:`${4+Math.round(Math.abs(a.caller_mood)*14)}px`}}></i>`)}</span>`}function wa({rates:t}){let a=Object.entries(t||{}).filter(([,e])=>e>0).sort((e,s)=>s[1]-e[1]);return a.length?o`<span class="rules">${a.map(([e,s])=>o`<span key=${e} class="rule-rate" data-rule=${e}>
    ${e} ${Math.round(s*100)}%</span>`)}</span>`:"\u2013"}function la({query:t}){let a={by:t.by==="queue"?"queue":"agent",from:t.from||"",to:t.to||"",queue:t.queue||"",agent:t.agent||""},[e,s]=q(null),[l,c]=q(null),n=ka(a).toString(),i=()=>{c(null),y(`api/analytics/report?${n}`).then(s,u=>c(u.message))};v(i,[n]);let d=u=>b("/quality",Object.fromEntries(Object.entries({tab:"report",...a,...u}).filter(([,g])=>g))),p=()=>J(`api/analytics/report?${n}&format=csv`,`analytics-${a.by}-${a.from||"all"}.csv`).catch(u=>x(u.message,"error")),m=e&&e.by===a.by?e.lines:null;return o`<div class="analytics-report">
    <div class="panel row filters">
      <label>${r("qa.by")}<select data-testid="by" value=${a.by} onChange=${u=>d({by:u.target.value})}>
        <option value="agent">${r("qa.agent")}</option><option value="queue">${r("qa.queue")}</option></select></label>
      <${N} from=${a.from} to=${a.to} onChange=${u=>d(u)} />
      <label>${r("qa.queue")}<input size="10" value=${a.queue} onChange=${u=>d({queue:u.target.value})} /></label>
      ${C("supervisor")?o`<label>${r("qa.agent")}<input size="8" value=${a.agent}
        onChange=${u=>d({agent:u.target.value})} /></label>`:null}
      <div style="flex: 1"></div>
      <button onClick=${i}>${r("qa.refresh")}</button>
      <button class="primary" data-testid="csv" onClick=${p}>${r("qa.csv")}</button>
    </div>
    <div class="panel table-box">
      ${l?o`<div class="form-error" role="alert">${l}</div>`:m?m.length?o`
      <table data-testid="analytics-table"><thead><tr><th>${r(a.by==="agent"?"qa.agent":"qa.queue")}</th>
        ${sa.map(u=>o`<th class="num">${r("rcol."+u)}</th>`)}<th>${r("rcol.rules")}</th><th>${r("rcol.trend")}</th></tr></thead>
      <tbody>${m.map(u=>o`<tr key=${u[a.by]} data-name=${u[a.by]}>
        <td>${u[a.by]==="-"?"\u2013":o`<a href=${"#/quality?"+new URLSearchParams({[a.by]:u[a.by],...a.from?{from:a.from}:{}})}>${u[a.by]}</a>`}</td>
        ${sa.map(g=>o`<td class="num" data-col=${g}>${xa(g,u[g])}</td>`)}
        <td class="wrap"><${wa} rates=${u.rule_failure_rates} /></td><td><${_a} days=${u.mood_trend} /></td></tr>`)}</tbody>
      </table>`:o`<div class="empty">${r("qa.report_empty")}</div>`:o`<div class="empty">${r("ui.loading")}</div>`}
    </div>
  </div>`}var na=["search","call","report"];function Sa({query:t}){let a=t.call?"call":na.includes(t.tab)?t.tab:"search",e=s=>{s==="report"?b("/quality",{tab:"report"}):s==="search"&&b("/quality",t.back?JSON.parse(t.back):{})};return o`<div class="quality" data-testid="quality">
    <div class="tabs" role="tablist">
      ${na.map(s=>o`<button role="tab" key=${s} data-testid=${`tab-${s}`} class=${a===s?"active":""}
          disabled=${s==="call"&&a!=="call"} onClick=${()=>e(s)}>${r("qa.tab."+s)}</button>`)}
    </div>
    ${a==="search"?o`<${X} query=${t} />`:a==="call"?o`<${oa} key=${t.call} callId=${t.call} back=${t.back} />`:o`<${la} query=${t} />`}
  </div>`}export{Sa as default};

import{a as F,b as G}from"./chunk-URIS6MIR.js";import{a as Z}from"./chunk-J5CW4CGO.js";import{a as H}from"./chunk-WNXMOX53.js";import{b as y}from"./chunk-Z34AHFKW.js";import{a as v,d as Q,e as O}from"./chunk-BU7XLANR.js";import{a as x,e as _}from"./chunk-3ARAPQD3.js";import{b as $,c as h,d as z,e as J,g as L,j as o,l as S,p as U,q as r,r as M,t as k,x as B}from"./chunk-FIC5Y7K7.js";U("en",{"qa.tab.search":"Search","qa.tab.call":"Call","qa.tab.report":"Analytics report","qa.words":'Words or "a phrase"',"qa.search":"Search","qa.from":"From","qa.to":"To","qa.queue":"Queue","qa.agent":"Agent","qa.risk_only":"Only calls with risk words","qa.min_score":"Score from","qa.max_score":"to","qa.any":"any","qa.clear":"Clear","qa.p.all":"any time","qa.p.today":"today","qa.p.7d":"last 7 days","qa.p.30d":"last 30 days","qa.p.custom":"date and time\u2026","qa.results":"{n} call(s) whose transcript has {q}","qa.no_results":"No analysed call has these words.","qa.recent":"Recent recordings","qa.no_recordings":"No recordings in this interval.","qa.hint":'Type words to search the transcripts (every word must be there; "quoted words" are a phrase; a word also finds longer words it begins).',"qcol.when":"When","qcol.call":"Call","qcol.duration":"Length","qcol.score":"Score","qcol.risk":"Risk words","qcol.mood":"Mood","qcol.snippet":"Where it was said","qcol.status":"Status","qcol.paused":"Paused","qa.open":"Open","qa.back":"\u2190 back to the results","qa.no_analysis":"This call has no analysis{why}.","qa.no_recording":"No recording of this call is available.","qa.analysis_status":"Analysis: {s}","qa.caller":"Caller","qa.agent_side":"Agent","side.caller":"caller","side.agent":"agent","qa.play":"Play recording","qa.pause":"Pause","qa.loading_audio":"Loading the recording\u2026","qa.logged":"Every download of the audio is logged with your name.","qa.listen":"Listen to","qa.both":"both sides","qa.caller_only":"caller only","qa.agent_only":"agent only","qa.speed":"Speed","qa.transcript":"Transcript","qa.no_turns":"Nothing was recognised in this recording.","qa.gap":"Recording paused for {d} (by {by}): the audio is cut here","qa.gaps":"Recording gaps","qa.hits":"Risk words","qa.no_hits":"No risk words.","qa.hit":"\u201C{heard}\u201D ({list}, {kind} \u201C{term}\u201D, {severity}) said by the {side}","qa.mood":"Mood","qa.upset_from":"upset from {t}","qa.trend":"trend {x}","mood.upset":"upset","mood.negative":"negative","mood.neutral":"neutral","mood.positive":"positive","qa.figures":"Talk and silence","qa.talk_listen":"Talk / listen","qa.silence":"Silence","qa.overtalk":"Overtalk","qa.hold":"Hold","qa.scorecard":"QA scorecard \u201C{name}\u201D","qa.no_scorecard":"No scorecard applies to this call.","qa.pass_mark":"pass mark {mark}","qa.pass":"pass","qa.fail":"fail","qa.rule":"Rule","qa.weight":"Weight","qa.auto":"Automatic","qa.final":"Result","qa.evidence":"Evidence","qa.override":"Override","qa.overridden":"overridden by {by}: {comment}","qa.override_title":"Override rule \u201C{rule}\u201D","qa.result":"Result","qa.comment":"Comment (why)","qa.set_pass":"pass","qa.set_fail":"fail","qa.remove":"remove the override (back to automatic)","qa.save":"Save","qa.cancel":"Cancel","qa.saved":"Override saved: score now {score}","qa.errors":"Problems: {e}","qa.by":"Lines per","qa.report_empty":"No analysed calls in this interval.","qa.csv":"Download CSV","qa.refresh":"Refresh","qa.recording":"Recording","qa.policy":"Policy","qa.kept_until":"Kept until","qa.save_wav":"Save WAV","qa.paused_for":"+{d} paused","qa.delete":"Delete\u2026","qa.delete_reason":"Delete this recording and its transcript now. Why? (kept in the recording's log)","qa.deleted":"Recording deleted","qa.access_log":"Access log","rcol.calls":"Calls","rcol.failed":"Failed","rcol.avg_score":"Avg score","rcol.risk_hits":"Risk hits","rcol.calls_with_risk":"Calls with risk","rcol.talk_listen_ratio":"Talk/listen","rcol.silence_pct":"Silence","rcol.overtalk_pct":"Overtalk","rcol.caller_mood":"Caller mood","rcol.agent_mood":"Agent mood","rcol.rules":"Rules failed","rcol.trend":"Caller mood by day"});U("zh",{"qa.tab.search":"\u641C\u7D22","qa.tab.call":"\u901A\u8BDD","qa.tab.report":"\u5206\u6790\u62A5\u8868","qa.words":'\u5173\u952E\u8BCD\u6216 "\u77ED\u8BED"',"qa.search":"\u641C\u7D22","qa.from":"\u4ECE","qa.to":"\u5230","qa.queue":"\u961F\u5217","qa.agent":"\u5EA7\u5E2D","qa.risk_only":"\u4EC5\u542B\u98CE\u9669\u8BCD\u7684\u901A\u8BDD","qa.min_score":"\u8BC4\u5206\u4ECE","qa.max_score":"\u5230","qa.any":"\u4E0D\u9650","qa.clear":"\u6E05\u9664","qa.p.all":"\u5168\u90E8\u65F6\u95F4","qa.p.today":"\u4ECA\u5929","qa.p.7d":"\u6700\u8FD1 7 \u5929","qa.p.30d":"\u6700\u8FD1 30 \u5929","qa.p.custom":"\u65E5\u671F\u65F6\u95F4\u2026","qa.results":"{n} \u901A\u901A\u8BDD\u7684\u8F6C\u5199\u5305\u542B {q}","qa.no_results":"\u6CA1\u6709\u5DF2\u5206\u6790\u7684\u901A\u8BDD\u5305\u542B\u8FD9\u4E9B\u8BCD\u3002","qa.recent":"\u6700\u8FD1\u7684\u5F55\u97F3","qa.no_recordings":"\u6B64\u65F6\u95F4\u6BB5\u5185\u6CA1\u6709\u5F55\u97F3\u3002","qa.hint":'\u8F93\u5165\u8BCD\u8BED\u641C\u7D22\u901A\u8BDD\u8F6C\u5199\uFF08\u6BCF\u4E2A\u8BCD\u90FD\u987B\u51FA\u73B0\uFF1B\u7528 "\u5F15\u53F7" \u8868\u793A\u77ED\u8BED\uFF1B\u8BCD\u8BED\u4E5F\u5339\u914D\u4EE5\u5B83\u5F00\u5934\u7684\u66F4\u957F\u7684\u8BCD\uFF09\u3002',"qcol.when":"\u65F6\u95F4","qcol.call":"\u901A\u8BDD","qcol.duration":"\u65F6\u957F","qcol.score":"\u8BC4\u5206","qcol.risk":"\u98CE\u9669\u8BCD","qcol.mood":"\u60C5\u7EEA","qcol.snippet":"\u51FA\u73B0\u4F4D\u7F6E","qcol.status":"\u72B6\u6001","qcol.paused":"\u6682\u505C","qa.open":"\u6253\u5F00","qa.back":"\u2190 \u8FD4\u56DE\u7ED3\u679C","qa.no_analysis":"\u6B64\u901A\u8BDD\u6CA1\u6709\u5206\u6790\u7ED3\u679C{why}\u3002","qa.no_recording":"\u6B64\u901A\u8BDD\u6CA1\u6709\u53EF\u7528\u7684\u5F55\u97F3\u3002","qa.analysis_status":"\u5206\u6790\uFF1A{s}","qa.caller":"\u6765\u7535\u8005","qa.agent_side":"\u5EA7\u5E2D","side.caller":"\u6765\u7535\u8005","side.agent":"\u5EA7\u5E2D","qa.play":"\u64AD\u653E\u5F55\u97F3","qa.pause":"\u6682\u505C","qa.loading_audio":"\u6B63\u5728\u52A0\u8F7D\u5F55\u97F3\u2026","qa.logged":"\u6BCF\u6B21\u4E0B\u8F7D\u5F55\u97F3\u90FD\u4F1A\u4EE5\u60A8\u7684\u540D\u5B57\u8BB0\u5F55\u3002","qa.listen":"\u6536\u542C","qa.both":"\u53CC\u65B9","qa.caller_only":"\u4EC5\u6765\u7535\u8005","qa.agent_only":"\u4EC5\u5EA7\u5E2D","qa.speed":"\u901F\u5EA6","qa.transcript":"\u8F6C\u5199","qa.no_turns":"\u6B64\u5F55\u97F3\u4E2D\u6CA1\u6709\u8BC6\u522B\u51FA\u5185\u5BB9\u3002","qa.gap":"\u5F55\u97F3\u5728\u6B64\u6682\u505C {d}\uFF08{by}\uFF09\uFF1A\u97F3\u9891\u5728\u6B64\u5904\u88AB\u622A\u65AD","qa.gaps":"\u5F55\u97F3\u4E2D\u65AD","qa.hits":"\u98CE\u9669\u8BCD","qa.no_hits":"\u6CA1\u6709\u98CE\u9669\u8BCD\u3002","qa.hit":"{side}\u8BF4\u4E86\u201C{heard}\u201D\uFF08{list}\uFF0C{kind}\u201C{term}\u201D\uFF0C{severity}\uFF09","qa.mood":"\u60C5\u7EEA","qa.upset_from":"\u81EA {t} \u8D77\u4E0D\u6EE1","qa.trend":"\u8D8B\u52BF {x}","mood.upset":"\u4E0D\u6EE1","mood.negative":"\u6D88\u6781","mood.neutral":"\u4E2D\u6027","mood.positive":"\u79EF\u6781","qa.figures":"\u901A\u8BDD\u4E0E\u9759\u97F3","qa.talk_listen":"\u8BF4/\u542C\u6BD4","qa.silence":"\u9759\u97F3","qa.overtalk":"\u62A2\u8BDD","qa.hold":"\u4FDD\u6301","qa.scorecard":"\u8D28\u68C0\u8BC4\u5206\u8868\u201C{name}\u201D","qa.no_scorecard":"\u6B64\u901A\u8BDD\u6CA1\u6709\u9002\u7528\u7684\u8BC4\u5206\u8868\u3002","qa.pass_mark":"\u53CA\u683C\u7EBF {mark}","qa.pass":"\u901A\u8FC7","qa.fail":"\u672A\u901A\u8FC7","qa.rule":"\u89C4\u5219","qa.weight":"\u6743\u91CD","qa.auto":"\u81EA\u52A8\u7ED3\u679C","qa.final":"\u7ED3\u679C","qa.evidence":"\u4F9D\u636E","qa.override":"\u6539\u5224","qa.overridden":"\u7531 {by} \u6539\u5224\uFF1A{comment}","qa.override_title":"\u6539\u5224\u89C4\u5219\u201C{rule}\u201D","qa.result":"\u7ED3\u679C","qa.comment":"\u5907\u6CE8\uFF08\u539F\u56E0\uFF09","qa.set_pass":"\u901A\u8FC7","qa.set_fail":"\u672A\u901A\u8FC7","qa.remove":"\u64A4\u9500\u6539\u5224\uFF08\u6062\u590D\u81EA\u52A8\u7ED3\u679C\uFF09","qa.save":"\u4FDD\u5B58","qa.cancel":"\u53D6\u6D88","qa.saved":"\u6539\u5224\u5DF2\u4FDD\u5B58\uFF1A\u8BC4\u5206\u73B0\u4E3A {score}","qa.errors":"\u95EE\u9898\uFF1A{e}","qa.by":"\u6309","qa.report_empty":"\u6B64\u65F6\u95F4\u6BB5\u5185\u6CA1\u6709\u5DF2\u5206\u6790\u7684\u901A\u8BDD\u3002","qa.csv":"\u4E0B\u8F7D CSV","qa.refresh":"\u5237\u65B0","qa.recording":"\u5F55\u97F3","qa.policy":"\u5F55\u97F3\u7B56\u7565","qa.kept_until":"\u4FDD\u7559\u81F3","qa.save_wav":"\u4FDD\u5B58 WAV","qa.paused_for":"\u53E6\u6682\u505C {d}","qa.delete":"\u5220\u9664\u2026","qa.delete_reason":"\u7ACB\u5373\u5220\u9664\u6B64\u5F55\u97F3\u53CA\u5176\u8F6C\u5199\u3002\u539F\u56E0\uFF1F\uFF08\u8BB0\u5165\u5F55\u97F3\u65E5\u5FD7\uFF09","qa.deleted":"\u5F55\u97F3\u5DF2\u5220\u9664","qa.access_log":"\u8BBF\u95EE\u8BB0\u5F55","rcol.calls":"\u901A\u8BDD","rcol.failed":"\u5931\u8D25","rcol.avg_score":"\u5E73\u5747\u5206","rcol.risk_hits":"\u98CE\u9669\u8BCD\u6B21\u6570","rcol.calls_with_risk":"\u542B\u98CE\u9669\u8BCD\u901A\u8BDD","rcol.talk_listen_ratio":"\u8BF4/\u542C\u6BD4","rcol.silence_pct":"\u9759\u97F3","rcol.overtalk_pct":"\u62A2\u8BDD","rcol.caller_mood":"\u6765\u7535\u8005\u60C5\u7EEA","rcol.agent_mood":"\u5EA7\u5E2D\u60C5\u7EEA","rcol.rules":"\u672A\u901A\u8FC7\u7684\u89C4\u5219","rcol.trend":"\u6765\u7535\u8005\u6BCF\u65E5\u60C5\u7EEA"});H("quality",`
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
.quality .call-main { display: flex; flex-direction: column; gap: var(--gap); min-width: 0; }
.quality .call-side { display: flex; flex-direction: column; gap: var(--gap); }
.quality .transcript-box { max-height: 46vh; overflow: auto; }
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
.quality table.kv th { width: 40%; } .quality .recording-panel .row { margin-top: 8px; }
.quality ul.log { margin: 0; padding-left: 16px; font-size: 12px; }
.quality .rule-rate { display: inline-block; margin: 1px 4px 1px 0; padding: 0 6px; border-radius: 6px; background: #fde8cf; font-size: 12px; }
.quality .trend { display: inline-flex; align-items: flex-end; gap: 2px; height: 20px; }
.quality .trend i { display: inline-block; width: 5px; } .quality .trend i.pos { background: var(--ok); } .quality .trend i.neg { background: var(--bad); }
`);function N(a,e){let t=Object.fromEntries(Object.entries(e||{}).filter(([s,l])=>s!=="call"&&s!=="back"&&l));return Object.keys(t).length?{call:a,back:JSON.stringify(t)}:{call:a}}function q(a){if(a==null)return"\u2013";let e=Math.max(0,Math.floor(a));return`${String(Math.floor(e/60)).padStart(2,"0")}:${String(e%60).padStart(2,"0")}`}var j=a=>a?r("mood."+a):"\u2013";function A({value:a,label:e}){if(a==null)return o`<span class="muted">–</span>`;let t=e||(a<=-.35?"upset":a<=-.1?"negative":a>=.25?"positive":"neutral");return o`<span class=${`mood mood-${t}`} title=${String(a)}>${j(t)} ${a.toFixed(2)}</span>`}function C({value:a,mark:e}){if(a==null)return o`<span class="muted">–</span>`;let t=e==null?null:a>=e;return o`<span class=${`score ${t===null?"":t?"ok":"bad"}`}>${Math.round(a*10)/10}</span>`}function Y({text:a}){let e=String(a||"").split(/(\[[^\]]*\])/);return o`<span class="snippet">${e.map((t,s)=>t.startsWith("[")&&t.endsWith("]")?o`<mark key=${s}>${t.slice(1,-1)}</mark>`:t.replace(/\n/g," / "))}</span>`}function K(a){return a?/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(a)?new Date(a).toISOString().replace(/\.\d{3}Z$/,"Z"):a:""}function X(a){if(!a||!/^\d{4}-/.test(a))return"";let e=new Date(a);if(Number.isNaN(e.getTime()))return"";let t=s=>String(s).padStart(2,"0");return`${e.getFullYear()}-${t(e.getMonth()+1)}-${t(e.getDate())}T${t(e.getHours())}:${t(e.getMinutes())}`}var I={all:"",today:"today","7d":"-7d","30d":"-30d"};function D({from:a,to:e,onChange:t}){let s=Object.entries(I).find(([,l])=>l===(a||"")&&!e);return o`<label>${r("qa.from")}<select data-testid="period" value=${s?s[0]:"custom"}
      onChange=${l=>l.target.value==="custom"?t({from:new Date(Date.now()-864e5).toISOString().replace(/\.\d{3}Z$/,"Z"),to:""}):t({from:I[l.target.value],to:""})}>
      ${Object.keys(I).map(l=>o`<option value=${l}>${r("qa.p."+l)}</option>`)}
      <option value="custom">${r("qa.p.custom")}</option></select></label>
    ${s?null:o`
      <label>${r("qa.from")}<input type="datetime-local" data-testid="from" value=${X(a)}
        onChange=${l=>t({from:K(l.target.value),to:e})} /></label>
      <label>${r("qa.to")}<input type="datetime-local" data-testid="to" value=${X(e)}
        onChange=${l=>t({from:a,to:K(l.target.value)})} /></label>`}`}var W=["q","from","to","queue","agent","risk","min_score","max_score"];function pe(a){let e=new URLSearchParams;for(let t of W)a[t]&&e.set(t,t==="risk"?"true":a[t]);return e.set("limit","100"),e}function me(a){let e=new URLSearchParams({limit:"100"});for(let t of["from","to","queue","agent"])a[t]&&e.set(t,a[t]);return e}function $e({q:a,onSearch:e}){let[t,s]=$(a);h(()=>s(a),[JSON.stringify(a)]);let l=n=>i=>s({...t,[n]:i.target.type==="checkbox"?i.target.checked?"1":"":i.target.value});return o`<form class="panel row filters" onSubmit=${n=>{n.preventDefault(),e(t)}} data-testid="search-form">
    <label class="words">${r("qa.words")}<input name="q" type="search" value=${t.q||""} onInput=${l("q")}
      placeholder="refund &quot;cancel my account&quot;" autofocus /></label>
    <${D} from=${t.from} to=${t.to} onChange=${n=>e({...t,...n})} />
    <label>${r("qa.queue")}<input name="queue" size="10" value=${t.queue||""} onInput=${l("queue")} /></label>
    ${S("supervisor")?o`<label>${r("qa.agent")}<input name="agent" size="8" value=${t.agent||""}
      onInput=${l("agent")} /></label>`:null}
    <label>${r("qa.min_score")}<input name="min_score" type="number" min="0" max="100" style="width: 70px"
      value=${t.min_score||""} onInput=${l("min_score")} placeholder=${r("qa.any")} /></label>
    <label>${r("qa.max_score")}<input name="max_score" type="number" min="0" max="100" style="width: 70px"
      value=${t.max_score||""} onInput=${l("max_score")} placeholder=${r("qa.any")} /></label>
    <label class="check"><input name="risk" type="checkbox" checked=${!!t.risk} onChange=${l("risk")} />
      ${r("qa.risk_only")}</label>
    <div style="flex: 1"></div>
    <button type="button" onClick=${()=>e({})}>${r("qa.clear")}</button>
    <button class="primary" type="submit" data-testid="search">${r("qa.search")}</button>
  </form>`}function qe({q:a,found:e}){let t=s=>y("/quality",N(s,a));return e.calls.length?o`<h3>${r("qa.results",{n:e.calls.length,q:e.query})}</h3>
    <table data-testid="results"><thead><tr>
      <th>${r("qcol.when")}</th><th>${r("qa.queue")}</th><th>${r("qa.agent")}</th><th class="num">${r("qcol.duration")}</th>
      <th class="num">${r("qcol.score")}</th><th class="num">${r("qcol.risk")}</th><th>${r("qcol.mood")}</th>
      <th>${r("qcol.snippet")}</th></tr></thead>
    <tbody>${e.calls.map(s=>o`<tr key=${s.call_id} class="link" data-call=${s.call_id} onClick=${()=>t(s.call_id)}>
      <td><a href=${"#/quality?"+new URLSearchParams(N(s.call_id,a))} onClick=${l=>l.stopPropagation()}>
        ${_(s.call_at)}</a></td>
      <td>${s.queue||"\u2013"}</td><td>${s.agent||"\u2013"}</td><td class="num">${x(s.duration)}</td>
      <td class="num"><${C} value=${s.score} /></td>
      <td class="num">${s.risk_count?o`<span class="risk-count">⚑ ${s.risk_count}</span>`:"0"}</td>
      <td>${s.mood||"\u2013"}</td>
      <td class="wrap"><${Y} text=${s.snippet} /></td></tr>`)}</tbody></table>`:o`<div class="empty" data-testid="no-results">${r("qa.no_results")}</div>`}function fe({q:a,list:e}){return e.length?o`<h3>${r("qa.recent")}</h3>
    <table data-testid="recordings"><thead><tr>
      <th>${r("qcol.when")}</th><th>${r("qcol.call")}</th><th>${r("qa.queue")}</th><th>${r("qa.agent")}</th>
      <th class="num">${r("qcol.duration")}</th><th class="num">${r("qcol.paused")}</th><th>${r("qcol.status")}</th></tr></thead>
    <tbody>${e.map(t=>o`<tr key=${t.id} class="link" onClick=${()=>y("/quality",N(t.call_id,a))}>
      <td>${_(t.started_at||t.created_at)}</td><td class="mono">${t.call_id}</td><td>${t.queue||"\u2013"}</td>
      <td>${t.agent||"\u2013"}</td><td class="num">${x(t.duration)}</td>
      <td class="num">${t.pauses.length?x(t.paused_s):"\u2013"}</td>
      <td>${t.status}${t.error?o` <span class="muted">${t.error}</span>`:null}</td></tr>`)}</tbody></table>`:o`<div class="empty">${r("qa.no_recordings")}</div>`}function ee({query:a}){let e=Object.fromEntries(W.filter(d=>a[d]).map(d=>[d,a[d]])),[t,s]=$(null),[l,c]=$(null),n=JSON.stringify(e);return h(()=>{let d=!0;return s(null),c(null),(e.q?k(`api/analytics/search?${pe(e)}`).then(m=>({kind:"search",...m})):k(`api/recordings?${me(e)}`).then(m=>({kind:"recent",...m}))).then(m=>d&&s(m),m=>d&&c(m)),()=>{d=!1}},[n]),o`<div class="search">
    <${$e} q=${e} onSearch=${d=>y("/quality",Object.fromEntries(W.filter(p=>d[p]).map(p=>[p,d[p]])))} />
    ${e.q?null:o`<p class="muted hint">${r("qa.hint")}</p>`}
    <div class="panel">
      ${l?o`<div class="form-error" role="alert" data-testid="search-error">
          ${l.field?o`<b>${l.field}</b>: `:null}${l.message}</div>`:t?t.kind==="search"?o`<${qe} q=${e} found=${t} />`:o`<${fe} q=${e} list=${t.recordings} />`:o`<div class="empty">${r("ui.loading")}</div>`}
    </div>
  </div>`}function te(a){let e=J(()=>he(a),[a]);return h(()=>()=>e.dispose(),[e]),e}var ge={both:[1,0,0,1],caller:[1,1,0,0],agent:[0,0,1,1]};function he(a){let e={time:L(0),playing:L(!1),state:L("idle"),side:L("both"),duration:L(null),audio:null,url:null,graph:null,loading:null};return e.attach=t=>{!t||e.audio===t||(e.audio=t,t.addEventListener("timeupdate",()=>{e.time.value=t.currentTime}),t.addEventListener("seeked",()=>{e.time.value=t.currentTime}),t.addEventListener("play",()=>{e.playing.value=!0}),t.addEventListener("pause",()=>{e.playing.value=!1}),t.addEventListener("ended",()=>{e.playing.value=!1}),t.addEventListener("loadedmetadata",()=>{e.duration.value=t.duration}))},e.load=()=>e.loading?e.loading:a==null?Promise.reject(new Error(r("qa.no_recording"))):(e.state.value="loading",e.loading=M("GET",`api/recordings/${a}/audio`,void 0,{raw:!0}).then(t=>t.blob()).then(t=>new Promise((s,l)=>{e.url=URL.createObjectURL(t);let c=e.audio;c.addEventListener("loadedmetadata",()=>s(),{once:!0}),c.addEventListener("error",()=>l(new Error(`audio: ${c.error&&c.error.message}`)),{once:!0}),c.src=e.url})).then(()=>{e.state.value="ready"},t=>{throw e.state.value="error",e.loading=null,t}),e.loading),e.seek=async(t,s=!1)=>{try{await e.load(),e.audio.currentTime=Math.max(0,t),e.time.value=e.audio.currentTime,s&&await e.audio.play()}catch(l){v(l.message,"error")}},e.toggle=async()=>{try{await e.load(),e.audio.paused?(ae(e),await e.audio.play()):e.audio.pause()}catch(t){v(t.message,"error")}},e.setSide=t=>{e.side.value=t,ae(e)},e.dispose=()=>{e.audio&&e.audio.pause(),e.url&&URL.revokeObjectURL(e.url),e.graph&&e.graph.ctx.close()},e}function ae(a){if(!(!a.audio||!a.graph&&a.side.value==="both")){if(!a.graph){let e=new AudioContext,t=e.createMediaElementSource(a.audio),s=e.createChannelSplitter(2),l=e.createChannelMerger(2),c=[[0,0],[0,1],[1,0],[1,1]].map(([n,i])=>{let d=e.createGain();return s.connect(d,n),d.connect(l,0,i),d});t.connect(s),l.connect(e.destination),a.graph={ctx:e,gains:c}}ge[a.side.value].forEach((e,t)=>{a.graph.gains[t].gain.value=e}),a.graph.ctx.state==="suspended"&&a.graph.ctx.resume()}}var P=(a,e)=>`${Math.max(0,Math.min(100,100*a/e))}%`;function ve({player:a,duration:e,turns:t,hits:s,gaps:l}){let c=z(null),n=a.duration.value||e||1;return o`<div class="timeline" ref=${c} onClick=${d=>{let p=c.current.getBoundingClientRect();a.seek((d.clientX-p.left)/p.width*n)}} data-testid="timeline" title=${q(n)}>
    ${["caller","agent"].map(d=>o`<div class=${`lane lane-${d}`} key=${d}>
      ${t.filter(p=>p.side===d).map((p,m)=>o`<span key=${m} class="turn"
        style=${{left:P(p.start,n),width:P(p.end-p.start,n)}}></span>`)}</div>`)}
    ${s.map((d,p)=>o`<span key=${"h"+p} class="hit-tick" style=${{left:P(d.start,n)}}
      title=${`${q(d.start)} ${d.heard}`}></span>`)}
    ${l.map((d,p)=>o`<span key=${"g"+p} class="gap-tick" data-testid="gap-tick" style=${{left:P(d.offset,n)}}
      title=${r("qa.gap",{d:q(d.duration),by:d.by||"\u2013"})}></span>`)}
    <span class="playhead" style=${{left:P(a.time.value,n)}}></span>
  </div>`}function re({player:a,recording:e,duration:t,turns:s,hits:l,gaps:c}){let n=a.state.value;return o`<div class="player" data-testid="player">
    <audio ref=${i=>a.attach(i)} preload="none" data-testid="audio"></audio>
    <div class="row">
      <button class="primary" data-testid="play" disabled=${!e||e.status!=="ready"||n==="loading"}
        onClick=${()=>a.toggle()}>${a.playing.value?"\u275A\u275A "+r("qa.pause"):"\u25B6 "+r("qa.play")}</button>
      <span class="mono" data-testid="clock">${q(a.time.value)} / ${q(a.duration.value||t)}</span>
      <label class="inline">${r("qa.listen")}
        <select data-testid="side" value=${a.side.value} onChange=${i=>a.setSide(i.target.value)}>
          <option value="both">${r("qa.both")}</option><option value="caller">${r("qa.caller_only")}</option>
          <option value="agent">${r("qa.agent_only")}</option></select></label>
      <label class="inline">${r("qa.speed")}
        <select onChange=${i=>{a.audio&&(a.audio.playbackRate=Number(i.target.value))}}>
          ${["0.75","1","1.25","1.5","2"].map(i=>o`<option value=${i} selected=${i==="1"}>${i}×</option>`)}</select></label>
      ${n==="loading"?o`<span class="muted">${r("qa.loading_audio")}</span>`:null}
      <div style="flex: 1"></div>
      ${e?o`<span class="muted small-note">${r("qa.logged")}</span>`:o`<span class="muted" data-testid="no-recording">${r("qa.no_recording")}</span>`}
      ${e&&e.status!=="ready"?o`<span class="form-error">${e.status}${e.error?": "+e.error:""}</span>`:null}
    </div>
    <${ve} player=${a} duration=${t} turns=${s} hits=${l} gaps=${c} />
  </div>`}var ye=(a,e)=>Math.abs(a-e)<.011;function oe(a,e){let t=a.words||[],s=a.risk_hits||[],l=a.mood&&a.mood.turns||[],c=(a.turns||[]).map((n,i)=>{let d=t.filter(u=>u.side===n.side&&u.start>=n.start-.011&&u.end<=n.end+.011),p=l.find(u=>u.side===n.side&&ye(u.start,n.start))||l[i]||null,m=d.map(u=>s.find(f=>f.side===u.side&&u.start>=f.start-.011&&u.end<=f.end+.011)||null);return{kind:"turn",index:i,...n,words:d,marked:m,mood:p,risky:m.some(Boolean)}});for(let n of e)c.push({kind:"gap",start:n.offset,...n});return c.sort((n,i)=>n.start-i.start||(n.kind==="gap"?-1:1))}function be({item:a,current:e,onSeek:t}){let s=z(null);h(()=>{e&&s.current&&s.current.scrollIntoView&&s.current.scrollIntoView({block:"nearest"})},[e]);let l=a.words.length?a.words.map((n,i)=>{let d=a.marked[i];return d?o`<mark class="risk" key=${i} data-testid="risk-word" title=${`${d.list} \xB7 ${d.term} \xB7 ${d.severity}`}>${n.text}</mark> `:o`<span key=${i} class=${n.conf!==void 0&&n.conf<.5?"unsure":""}>${n.text} </span>`}):a.text,c=a.mood;return o`<li ref=${s} class=${`line side-${a.side} ${e?"current":""} ${a.risky?"risky":""}`}
      data-testid="line" data-side=${a.side} data-start=${a.start} aria-current=${e?"true":void 0}
      onClick=${()=>t(a.start)} title=${`${q(a.start)}\u2013${q(a.end)}`}>
    <div class="who"><span class="time mono">${q(a.start)}</span>
      ${r(a.side==="caller"?"qa.caller":"qa.agent_side")}
      ${c?o`<span class=${`mood-dot mood-${c.label}`} title=${`${j(c.label)} ${c.mood}`}>${j(c.label)}</span>`:null}</div>
    <div class="text">${l}</div>
  </li>`}function se({items:a,time:e,playing:t,onSeek:s}){let l=e.value,c=-1;return a.forEach((n,i)=>{n.kind==="turn"&&n.start<=l+.05&&(c=i)}),!t.value&&l===0&&(c=-1),a.some(n=>n.kind==="turn")?o`<ol class="transcript" data-testid="transcript">
    ${a.map((n,i)=>n.kind==="gap"?o`<li key=${"g"+i} class="gap" data-testid="gap" onClick=${()=>s(n.offset)}>
          ❚❚ <span class="mono">${q(n.offset)}</span> ${r("qa.gap",{d:q(n.duration||0),by:n.by||"\u2013"})}</li>`:o`<${be} key=${"t"+n.index} item=${n} current=${i===c} onSeek=${s} />`)}
  </ol>`:o`<div class="empty">${r("qa.no_turns")}</div>`}var V=({passed:a})=>o`<span class=${`verdict ${a?"ok":"bad"}`}>${a?"\u2713 "+r("qa.pass"):"\u2717 "+r("qa.fail")}</span>`;function ke({items:a,onSeek:e}){return!a||!a.length?null:o`<ul class="evidence">${a.map((t,s)=>o`<li key=${s}>
    ${t.start!==void 0?o`<a href="#" class="mono" onClick=${l=>{l.preventDefault(),e(t.start)}}>${q(t.start)}</a> `:null}
    ${t.heard!==void 0?o`${t.side?r(t.side==="caller"?"qa.caller":"qa.agent_side")+": ":""}“${t.heard}”
      ${t.term&&t.term!==t.heard?o`<span class="muted">(${t.term}${t.score<100?`, ${Math.round(t.score)}%`:""})</span>`:null}`:t.field!==void 0?o`${t.field} = ${t.value}`:t.seconds!==void 0?o`${Math.round(t.seconds)} s`:null}
  </li>`)}</ul>`}function xe({callId:a,rule:e,onClose:t,onSaved:s}){let l=e.override,[c,n]=$(String(l?l.passed:!e.auto.passed)),[i,d]=$(l?l.comment:""),[p,m]=$(null),[u,f]=$(!1),T=async b=>{b.preventDefault(),f(!0);try{let w={passed:c==="clear"?null:c==="true",comment:i},R=await M("POST",`api/analytics/calls/${encodeURIComponent(a)}/overrides/${encodeURIComponent(e.id)}`,w);v(r("qa.saved",{score:R.score}),"ok"),s(R)}catch(w){m({field:w.field,message:w.message})}finally{f(!1)}};return o`<${Q} title=${r("qa.override_title",{rule:e.id})} onClose=${t}>
    <form class="override-form" data-testid="override-form" onSubmit=${T} noValidate>
      <div class="muted">${r("qa.auto")}: <${V} passed=${e.auto.passed} /> ${e.auto.detail}</div>
      <${F} label=${r("qa.result")} name="passed" error=${p}>
        <div class="row">
          ${[["true",r("qa.set_pass")],["false",r("qa.set_fail")],...l?[["clear",r("qa.remove")]]:[]].map(([b,w])=>o`
            <label class="inline" key=${b}><input type="radio" name="passed" value=${b} checked=${c===b}
              onChange=${()=>n(b)} /> ${w}</label>`)}
        </div>
      <//>
      <${F} label=${r("qa.comment")} name="comment" error=${p}>
        <textarea name="comment" rows="3" value=${i} onInput=${b=>d(b.target.value)}></textarea>
      <//>
      <${G} error=${p} fields=${["passed","comment"]} />
      <div class="actions">
        <button type="button" onClick=${t}>${r("qa.cancel")}</button>
        <button class="primary" type="submit" data-testid="save-override" disabled=${u}>${r("qa.save")}</button>
      </div>
    </form>
  <//>`}function le({analysis:a,onChange:e,onSeek:t}){let s=a.result&&a.result.qa,[l,c]=$(null);if(!s)return o`<div class="panel"><div class="muted">${r("qa.no_scorecard")}</div></div>`;let n=S("supervisor");return o`<div class="panel scorecard" data-testid="scorecard">
    <h2>${r("qa.scorecard",{name:s.scorecard})}</h2>
    <div class="score-line" data-testid="score">
      <${C} value=${s.score} mark=${s.pass_mark} /> / 100 · ${r("qa.pass_mark",{mark:s.pass_mark})} · <${V} passed=${s.passed} />
    </div>
    <table><thead><tr><th>${r("qa.rule")}</th><th class="num">${r("qa.weight")}</th><th>${r("qa.auto")}</th>
      <th>${r("qa.evidence")}</th><th>${r("qa.final")}</th>${n?o`<th></th>`:null}</tr></thead>
    <tbody>${s.rules.map(i=>o`<tr key=${i.id} data-rule=${i.id} class=${i.override?"overridden":""}>
      <td><b>${i.id}</b><div class="muted">${i.type}${i.description?" \xB7 "+i.description:""}</div></td>
      <td class="num">${i.weight}</td>
      <td data-testid="auto"><${V} passed=${i.auto.passed} /><div class="detail">${i.auto.detail}</div></td>
      <td class="wrap"><${ke} items=${i.auto.evidence} onSeek=${t} /></td>
      <td data-testid="final"><${V} passed=${i.passed} />
        ${i.override?o`<div class="detail" data-testid="override-note">${r("qa.overridden",{by:i.override.by,comment:i.override.comment||"\u2013"})}
          <span class="muted"> ${_(i.override.at)}</span></div>`:null}</td>
      ${n?o`<td><button class="small" data-testid="override" onClick=${()=>c(i)}>${r("qa.override")}</button></td>`:null}
    </tr>`)}</tbody></table>
    ${l?o`<${xe} callId=${a.call_id} rule=${l} onClose=${()=>c(null)}
        onSaved=${i=>{c(null),e(i)}} />`:null}
  </div>`}function ne({recording:a,player:e,onDeleted:t}){let[s,l]=$(null),c=e.state.value;h(()=>{S("supervisor")&&k(`api/recordings/${a.id}`).then(l,()=>l(null))},[a.id,a.status,c]);let n=async()=>{try{await e.load();let p=document.createElement("a");p.href=e.url,p.download=`${a.call_id}.wav`.replace(/[^\w.-]+/g,"_"),document.body.appendChild(p),p.click(),p.remove()}catch(p){v(p.message,"error")}},i=async()=>{let p=window.prompt(r("qa.delete_reason"));if(p)try{await M("DELETE",`api/recordings/${a.id}`,{reason:p}),v(r("qa.deleted"),"ok"),t()}catch(m){v(m.message,"error")}},d=s||a;return o`<div class="panel recording-panel" data-testid="recording"><h3>${r("qa.recording")}</h3>
    <table class="kv"><tbody>
      <tr><th>${r("qcol.status")}</th><td data-testid="rec-status">${d.status}${d.error?o` <span class="form-error">${d.error}</span>`:null}</td></tr>
      <tr><th>${r("qa.policy")}</th><td>${d.policy||"\u2013"}</td></tr>
      <tr><th>${r("qcol.duration")}</th><td>${x(d.duration)}${d.paused_s?` (${r("qa.paused_for",{d:x(d.paused_s)})})`:""}</td></tr>
      <tr><th>${r("qa.kept_until")}</th><td>${d.retain_until?_(d.retain_until):"\u2013"}</td></tr>
    </tbody></table>
    <div class="row">
      <button class="small" data-testid="save-wav" disabled=${d.status!=="ready"} onClick=${n}>${r("qa.save_wav")}</button>
      ${S("admin")&&d.status!=="deleted"?o`<button class="small danger" data-testid="delete-recording" onClick=${i}>${r("qa.delete")}</button>`:null}
    </div>
    ${s&&s.log.length?o`<h3 style="margin-top: 8px">${r("qa.access_log")}</h3>
      <ul class="log" data-testid="rec-log">${s.log.slice(-8).reverse().map((p,m)=>o`<li key=${m}>
        <span class="muted">${_(p.ts)}</span> ${p.action} · ${p.actor||"\u2013"}</li>`)}</ul>`:null}
  </div>`}function _e({hits:a,onSeek:e}){return o`<div class="panel hits" data-testid="hits"><h3>${r("qa.hits")}</h3>
    ${a.length?o`<ul>${a.map((t,s)=>o`
      <li key=${s} class=${`sev-${t.severity}`} data-testid="hit">
        <a href="#" class="mono" onClick=${l=>{l.preventDefault(),e(t.start)}}>${q(t.start)}</a>
        ${" "}${r("qa.hit",{heard:t.heard,list:t.list,kind:t.kind,term:t.term,severity:t.severity,side:r("side."+t.side)})}</li>`)}</ul>`:o`<div class="muted">${r("qa.no_hits")}</div>`}
  </div>`}function we({mood:a,metrics:e}){let t=a&&a.sides||{},s=e||{};return o`<div class="panel mood-panel" data-testid="mood"><h3>${r("qa.mood")}</h3>
    ${["caller","agent"].map(l=>{let c=t[l]||{};return o`<div class="row mood-side" key=${l} data-side=${l}>
        <b>${r(l==="caller"?"qa.caller":"qa.agent_side")}</b> <${A} value=${c.mood} label=${c.label} />
        ${c.upset_from!==null&&c.upset_from!==void 0?o`<span class="mood mood-upset">${r("qa.upset_from",{t:q(c.upset_from)})}</span>`:null}
        ${c.trend?o`<span class="muted">${r("qa.trend",{x:(c.trend>0?"+":"")+c.trend.toFixed(2)})}</span>`:null}
      </div>`})}
    <h3 style="margin-top: 10px">${r("qa.figures")}</h3>
    <div class="row stats">
      <${O} label=${r("qa.talk_listen")} value=${s.talk_listen_ratio??"\u2013"} />
      <${O} label=${r("qa.silence")} value=${s.silence_pct===void 0?"\u2013":`${Math.round(s.silence_pct)}%`} />
      <${O} label=${r("qa.overtalk")} value=${s.overtalk_pct===void 0?"\u2013":`${Math.round(s.overtalk_pct)}%`} />
      <${O} label=${r("qa.hold")} value=${x(s.hold_s)} />
    </div>
  </div>`}function ie({callId:a,back:e}){let[t,s]=$(null),[l,c]=$(void 0),[n,i]=$(0),d=()=>i(g=>g+1);h(()=>{let g=!0;return k(`api/analytics/calls/${encodeURIComponent(a)}`).then(E=>g&&s(E),E=>g&&s({error:E.message,status:E.status})),k(`api/recordings?call_id=${encodeURIComponent(a)}&limit=1`).then(E=>g&&c(E.recordings[0]||null),()=>g&&c(null)),()=>{g=!1}},[a,n]),h(()=>Z.on("event",g=>{g.kind==="CallAnalyzed"&&g.call_id===a&&d()}),[a]);let p=te(l?l.id:null),m=o`<a href="#" data-testid="back" onClick=${g=>{g.preventDefault(),y("/quality",e?JSON.parse(e):{})}}>${r("qa.back")}</a>`;if(!t||l===void 0)return o`<div class="empty">${r("ui.loading")}</div>`;if(t.error&&!l)return o`<div class="panel">${m}<div class="empty error" role="alert" data-testid="call-error">${t.error}</div></div>`;let u=!t.error&&t.result||{},f=l&&l.pauses&&l.pauses.length?l.pauses:u.gaps||[],T=u.risk_hits||[],b=oe(u,f),w=t.duration||l&&l.duration||0,R=g=>p.seek(g,!0);return o`<div class="call-view" data-testid="call-view" data-call=${a}>
    <div class="panel call-head">
      <div class="row">${m}<h2 class="mono">${a}</h2>
        <span>${_(t.call_at||l&&l.started_at)}</span>
        <span>${r("qa.queue")}: <b>${t.queue||l&&l.queue||"\u2013"}</b></span>
        <span>${r("qa.agent")}: <b>${t.agent||l&&l.agent||"\u2013"}</b></span>
        <span>${x(w)}</span>
        ${t.language?o`<span class="muted">${t.language} · ${t.engine||""}</span>`:null}
        <div style="flex: 1"></div>
        ${t.score!==void 0?o`<span>${r("qcol.score")} <${C} value=${t.score}
            mark=${u.qa&&u.qa.pass_mark} /></span>`:null}
        ${t.mood?o`<span class="muted" data-testid="mood-summary">${t.mood}</span>`:null}
      </div>
      ${t.error?o`<div class="form-error" role="alert" data-testid="call-error">${t.error}</div>`:null}
      ${t.status&&t.status!=="done"?o`<div class="muted">${r("qa.analysis_status",{s:t.status})}</div>`:null}
      ${u.errors&&u.errors.length?o`<div class="form-error">${r("qa.errors",{e:u.errors.join("; ")})}</div>`:null}
    </div>
    <${re} player=${p} recording=${l} duration=${w} turns=${u.turns||[]} hits=${T} gaps=${f} />
    <div class="call-body">
      <div class="call-main">
        <div class="panel transcript-box"><h3>${r("qa.transcript")}</h3>
          <${se} items=${b} time=${p.time} playing=${p.playing} onSeek=${R} /></div>
        ${t.error?null:o`<${le} analysis=${t} onChange=${s} onSeek=${R} />`}
      </div>
      <div class="call-side">
        <${_e} hits=${T} onSeek=${R} />
        <${we} mood=${u.mood} metrics=${u.metrics} />
        ${l?o`<${ne} recording=${l} player=${p} onDeleted=${d} />`:null}
      </div>
    </div>
  </div>`}var de=["calls","failed","avg_score","risk_hits","calls_with_risk","talk_listen_ratio","silence_pct","overtalk_pct","caller_mood","agent_mood"];function Se(a){let e=new URLSearchParams({by:a.by});for(let t of["from","to","queue","agent"])a[t]&&e.set(t,a[t]);return e}function Ce(a,e){return e==null?"\u2013":a==="avg_score"?o`<${C} value=${e} />`:a==="silence_pct"||a==="overtalk_pct"?`${e}%`:a==="caller_mood"||a==="agent_mood"?o`<${A} value=${e} />`:String(e)}function Re({days:a}){return!a||!a.length?"\u2013":o`<span class="trend" title=${a.map(e=>`${e.day}: ${e.caller_mood} (${e.calls})`).join(`
`)}>
    ${a.slice(-14).map(e=>o`<i key=${e.day} class=${e.caller_mood<0?"neg":"pos"}
      style=${{height:`${4+Math.round(Math.abs(e.caller_mood)*14)}px`}}></i>`)}</span>`}function Ee({rates:a}){let e=Object.entries(a||{}).filter(([,t])=>t>0).sort((t,s)=>s[1]-t[1]);return e.length?o`<span class="rules">${e.map(([t,s])=>o`<span key=${t} class="rule-rate" data-rule=${t}>
    ${t} ${Math.round(s*100)}%</span>`)}</span>`:"\u2013"}function ce({query:a}){let e={by:a.by==="queue"?"queue":"agent",from:a.from||"",to:a.to||"",queue:a.queue||"",agent:a.agent||""},[t,s]=$(null),[l,c]=$(null),n=Se(e).toString(),i=()=>{c(null),k(`api/analytics/report?${n}`).then(s,u=>c(u.message))};h(i,[n]);let d=u=>y("/quality",Object.fromEntries(Object.entries({tab:"report",...e,...u}).filter(([,f])=>f))),p=()=>B(`api/analytics/report?${n}&format=csv`,`analytics-${e.by}-${e.from||"all"}.csv`).catch(u=>v(u.message,"error")),m=t&&t.by===e.by?t.lines:null;return o`<div class="analytics-report">
    <div class="panel row filters">
      <label>${r("qa.by")}<select data-testid="by" value=${e.by} onChange=${u=>d({by:u.target.value})}>
        <option value="agent">${r("qa.agent")}</option><option value="queue">${r("qa.queue")}</option></select></label>
      <${D} from=${e.from} to=${e.to} onChange=${u=>d(u)} />
      <label>${r("qa.queue")}<input size="10" value=${e.queue} onChange=${u=>d({queue:u.target.value})} /></label>
      ${S("supervisor")?o`<label>${r("qa.agent")}<input size="8" value=${e.agent}
        onChange=${u=>d({agent:u.target.value})} /></label>`:null}
      <div style="flex: 1"></div>
      <button onClick=${i}>${r("qa.refresh")}</button>
      <button class="primary" data-testid="csv" onClick=${p}>${r("qa.csv")}</button>
    </div>
    <div class="panel table-box">
      ${l?o`<div class="form-error" role="alert">${l}</div>`:m?m.length?o`
      <table data-testid="analytics-table"><thead><tr><th>${r(e.by==="agent"?"qa.agent":"qa.queue")}</th>
        ${de.map(u=>o`<th class="num">${r("rcol."+u)}</th>`)}<th>${r("rcol.rules")}</th><th>${r("rcol.trend")}</th></tr></thead>
      <tbody>${m.map(u=>o`<tr key=${u[e.by]} data-name=${u[e.by]}>
        <td>${u[e.by]==="-"?"\u2013":o`<a href=${"#/quality?"+new URLSearchParams({[e.by]:u[e.by],...e.from?{from:e.from}:{}})}>${u[e.by]}</a>`}</td>
        ${de.map(f=>o`<td class="num" data-col=${f}>${Ce(f,u[f])}</td>`)}
        <td class="wrap"><${Ee} rates=${u.rule_failure_rates} /></td><td><${Re} days=${u.mood_trend} /></td></tr>`)}</tbody>
      </table>`:o`<div class="empty">${r("qa.report_empty")}</div>`:o`<div class="empty">${r("ui.loading")}</div>`}
    </div>
  </div>`}var ue=["search","call","report"];function Le({query:a}){let e=a.call?"call":ue.includes(a.tab)?a.tab:"search",t=s=>{s==="report"?y("/quality",{tab:"report"}):s==="search"&&y("/quality",a.back?JSON.parse(a.back):{})};return o`<div class="quality" data-testid="quality">
    <div class="tabs" role="tablist">
      ${ue.map(s=>o`<button role="tab" key=${s} data-testid=${`tab-${s}`} class=${e===s?"active":""}
          disabled=${s==="call"&&e!=="call"} onClick=${()=>t(s)}>${r("qa.tab."+s)}</button>`)}
    </div>
    ${e==="search"?o`<${ee} query=${a} />`:e==="call"?o`<${ie} key=${a.call} callId=${a.call} back=${a.back} />`:o`<${ce} query=${a} />`}
  </div>`}export{Le as default};

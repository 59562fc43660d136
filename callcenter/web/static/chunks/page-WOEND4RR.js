import{a as I,b as X}from"./chunk-URIS6MIR.js";import{a as Z}from"./chunk-J5CW4CGO.js";import{a as H}from"./chunk-WNXMOX53.js";import{b as h}from"./chunk-Z34AHFKW.js";import{a as b,d as Q,e as M}from"./chunk-BU7XLANR.js";import{a as _,e as x}from"./chunk-3ARAPQD3.js";import{b as m,c as g,d as A,e as J,g as L,j as s,l as S,p as F,q as r,r as O,t as k,x as B}from"./chunk-FIC5Y7K7.js";F("en",{"qa.tab.search":"Search","qa.tab.recordings":"Recordings","qa.tab.call":"Call","qa.tab.report":"Analytics report","qa.words":'Words or "a phrase"',"qa.search":"Search","qa.from":"From","qa.to":"To","qa.queue":"Queue","qa.agent":"Agent","qa.risk_only":"Only calls with risk words","qa.min_score":"Score from","qa.max_score":"to","qa.any":"any","qa.clear":"Clear","qa.p.all":"any time","qa.p.today":"today","qa.p.7d":"last 7 days","qa.p.30d":"last 30 days","qa.p.custom":"date and time\u2026","qa.results":"{n} call(s) whose transcript has {q}","qa.no_results":"No analysed call matches.","qa.listed":"{n} analysed call(s), newest first","qa.caller_mood":"Caller's mood","qa.mood_upset":"upset","qa.mood_negative":"negative or upset","qa.mood_positive":"positive","qa.recent":"Recent recordings","qa.no_recordings":"No recordings in this interval.","qa.hint":'Type words to search the transcripts (every word must be there; "quoted words" are a phrase; a word also finds longer words it begins), or use the filters alone.',"qcol.when":"When","qcol.call":"Call","qcol.duration":"Length","qcol.score":"Score","qcol.risk":"Risk words","qcol.snippet":"Where it was said","qcol.status":"Status","qcol.paused":"Paused","qa.open":"Open","qa.back":"\u2190 back to the results","qa.no_analysis":"This call has no analysis{why}.","qa.no_recording":"No recording of this call is available.","qa.analysis_status":"Analysis: {s}","qa.caller":"Caller","qa.agent_side":"Agent","side.caller":"caller","side.agent":"agent","qa.play":"Play recording","qa.pause":"Pause","qa.loading_audio":"Loading the recording\u2026","qa.logged":"Every download of the audio is logged with your name.","qa.listen":"Listen to","qa.both":"both sides","qa.caller_only":"caller only","qa.agent_only":"agent only","qa.speed":"Speed","qa.keys":"Space play/pause \xB7 \u2190 \u2192 5 s \xB7 J K next/previous line.","qa.transcript":"Transcript","qa.no_turns":"Nothing was recognised in this recording.","qa.gap":"Recording paused for {d} (by {by}): the audio is cut here","qa.gaps":"Recording gaps","qa.hits":"Risk words","qa.no_hits":"No risk words.","qa.hit":"\u201C{heard}\u201D ({list}, {kind} \u201C{term}\u201D, {severity}) said by the {side}","qa.mood":"Mood","qa.upset_from":"upset from {t}","qa.trend":"trend {x}","kind.word":"word","kind.phrase":"phrase","kind.fuzzy":"like","sev.low":"low","sev.medium":"medium","sev.high":"high","mood.upset":"upset","mood.negative":"negative","mood.neutral":"neutral","mood.positive":"positive","qa.figures":"Talk and silence","qa.talk_listen":"Talk / listen","qa.silence":"Silence","qa.overtalk":"Overtalk","qa.hold":"Hold","qa.scorecard":"QA scorecard \u201C{name}\u201D","qa.no_scorecard":"No scorecard applies to this call.","qa.pass_mark":"pass mark {mark}","qa.pass":"pass","qa.fail":"fail","qa.rule":"Rule","qa.weight":"Weight","qa.auto":"Automatic","qa.final":"Result","qa.evidence":"Evidence","qa.override":"Override","qa.overridden":"overridden by {by}: {comment}","qa.override_title":"Override rule \u201C{rule}\u201D","qa.result":"Result","qa.comment":"Comment (why)","qa.set_pass":"pass","qa.set_fail":"fail","qa.remove":"remove the override (back to automatic)","qa.save":"Save","qa.cancel":"Cancel","qa.saved":"Override saved: score now {score}","qa.errors":"Problems: {e}","qa.by":"Lines per","qa.report_empty":"No analysed calls in this interval.","qa.csv":"Download CSV","qa.refresh":"Refresh","qa.recording":"Recording","qa.policy":"Policy","qa.kept_until":"Kept until","qa.save_wav":"Save WAV","qa.paused_for":"+{d} paused","qa.delete":"Delete\u2026","qa.delete_reason":"Delete this recording and its transcript now. Why? (kept in the recording's log)","qa.deleted":"Recording deleted","qa.access_log":"Access log","qa.jobs":"After the call","job.queued":"queued","job.running":"running","job.done":"done","job.failed":"failed","rcol.calls":"Calls","rcol.failed":"Failed","rcol.avg_score":"Avg score","rcol.risk_hits":"Risk hits","rcol.calls_with_risk":"Calls with risk","rcol.talk_listen_ratio":"Talk/listen","rcol.silence_pct":"Silence","rcol.overtalk_pct":"Overtalk","rcol.caller_mood":"Caller mood","rcol.agent_mood":"Agent mood","rcol.rules":"Rules failed","rcol.trend":"Caller mood by day"});F("zh",{"qa.tab.search":"\u641C\u7D22","qa.tab.recordings":"\u5F55\u97F3","qa.tab.call":"\u901A\u8BDD","qa.tab.report":"\u5206\u6790\u62A5\u8868","qa.words":'\u5173\u952E\u8BCD\u6216 "\u77ED\u8BED"',"qa.search":"\u641C\u7D22","qa.from":"\u4ECE","qa.to":"\u5230","qa.queue":"\u961F\u5217","qa.agent":"\u5EA7\u5E2D","qa.risk_only":"\u4EC5\u542B\u98CE\u9669\u8BCD\u7684\u901A\u8BDD","qa.min_score":"\u8BC4\u5206\u4ECE","qa.max_score":"\u5230","qa.any":"\u4E0D\u9650","qa.clear":"\u6E05\u9664","qa.p.all":"\u5168\u90E8\u65F6\u95F4","qa.p.today":"\u4ECA\u5929","qa.p.7d":"\u6700\u8FD1 7 \u5929","qa.p.30d":"\u6700\u8FD1 30 \u5929","qa.p.custom":"\u65E5\u671F\u65F6\u95F4\u2026","qa.results":"{n} \u901A\u901A\u8BDD\u7684\u8F6C\u5199\u5305\u542B {q}","qa.no_results":"\u6CA1\u6709\u7B26\u5408\u6761\u4EF6\u7684\u5DF2\u5206\u6790\u901A\u8BDD\u3002","qa.listed":"{n} \u901A\u5DF2\u5206\u6790\u7684\u901A\u8BDD\uFF08\u6700\u65B0\u5728\u524D\uFF09","qa.caller_mood":"\u6765\u7535\u8005\u60C5\u7EEA","qa.mood_upset":"\u4E0D\u6EE1","qa.mood_negative":"\u6D88\u6781\u6216\u4E0D\u6EE1","qa.mood_positive":"\u79EF\u6781","qa.recent":"\u6700\u8FD1\u7684\u5F55\u97F3","qa.no_recordings":"\u6B64\u65F6\u95F4\u6BB5\u5185\u6CA1\u6709\u5F55\u97F3\u3002","qa.hint":'\u8F93\u5165\u8BCD\u8BED\u641C\u7D22\u901A\u8BDD\u8F6C\u5199\uFF08\u6BCF\u4E2A\u8BCD\u90FD\u987B\u51FA\u73B0\uFF1B\u7528 "\u5F15\u53F7" \u8868\u793A\u77ED\u8BED\uFF1B\u8BCD\u8BED\u4E5F\u5339\u914D\u4EE5\u5B83\u5F00\u5934\u7684\u66F4\u957F\u7684\u8BCD\uFF09\uFF0C\u6216\u53EA\u7528\u7B5B\u9009\u6761\u4EF6\u3002',"qcol.when":"\u65F6\u95F4","qcol.call":"\u901A\u8BDD","qcol.duration":"\u65F6\u957F","qcol.score":"\u8BC4\u5206","qcol.risk":"\u98CE\u9669\u8BCD","qcol.snippet":"\u51FA\u73B0\u4F4D\u7F6E","qcol.status":"\u72B6\u6001","qcol.paused":"\u6682\u505C","qa.open":"\u6253\u5F00","qa.back":"\u2190 \u8FD4\u56DE\u7ED3\u679C","qa.no_analysis":"\u6B64\u901A\u8BDD\u6CA1\u6709\u5206\u6790\u7ED3\u679C{why}\u3002","qa.no_recording":"\u6B64\u901A\u8BDD\u6CA1\u6709\u53EF\u7528\u7684\u5F55\u97F3\u3002","qa.analysis_status":"\u5206\u6790\uFF1A{s}","qa.caller":"\u6765\u7535\u8005","qa.agent_side":"\u5EA7\u5E2D","side.caller":"\u6765\u7535\u8005","side.agent":"\u5EA7\u5E2D","qa.play":"\u64AD\u653E\u5F55\u97F3","qa.pause":"\u6682\u505C","qa.loading_audio":"\u6B63\u5728\u52A0\u8F7D\u5F55\u97F3\u2026","qa.logged":"\u6BCF\u6B21\u4E0B\u8F7D\u5F55\u97F3\u90FD\u4F1A\u4EE5\u60A8\u7684\u540D\u5B57\u8BB0\u5F55\u3002","qa.listen":"\u6536\u542C","qa.both":"\u53CC\u65B9","qa.caller_only":"\u4EC5\u6765\u7535\u8005","qa.agent_only":"\u4EC5\u5EA7\u5E2D","qa.speed":"\u901F\u5EA6","qa.keys":"\u7A7A\u683C \u64AD\u653E/\u6682\u505C \xB7 \u2190 \u2192 5 \u79D2 \xB7 J K \u4E0B\u4E00\u53E5/\u4E0A\u4E00\u53E5\u3002","qa.transcript":"\u8F6C\u5199","qa.no_turns":"\u6B64\u5F55\u97F3\u4E2D\u6CA1\u6709\u8BC6\u522B\u51FA\u5185\u5BB9\u3002","qa.gap":"\u5F55\u97F3\u5728\u6B64\u6682\u505C {d}\uFF08{by}\uFF09\uFF1A\u97F3\u9891\u5728\u6B64\u5904\u88AB\u622A\u65AD","qa.gaps":"\u5F55\u97F3\u4E2D\u65AD","qa.hits":"\u98CE\u9669\u8BCD","qa.no_hits":"\u6CA1\u6709\u98CE\u9669\u8BCD\u3002","qa.hit":"{side}\u8BF4\u4E86\u201C{heard}\u201D\uFF08{list}\uFF0C{kind}\u201C{term}\u201D\uFF0C{severity}\uFF09","qa.mood":"\u60C5\u7EEA","qa.upset_from":"\u81EA {t} \u8D77\u4E0D\u6EE1","qa.trend":"\u8D8B\u52BF {x}","kind.word":"\u8BCD","kind.phrase":"\u77ED\u8BED","kind.fuzzy":"\u8FD1\u4F3C","sev.low":"\u4F4E","sev.medium":"\u4E2D","sev.high":"\u9AD8","mood.upset":"\u4E0D\u6EE1","mood.negative":"\u6D88\u6781","mood.neutral":"\u4E2D\u6027","mood.positive":"\u79EF\u6781","qa.figures":"\u901A\u8BDD\u4E0E\u9759\u97F3","qa.talk_listen":"\u8BF4/\u542C\u6BD4","qa.silence":"\u9759\u97F3","qa.overtalk":"\u62A2\u8BDD","qa.hold":"\u4FDD\u6301","qa.scorecard":"\u8D28\u68C0\u8BC4\u5206\u8868\u201C{name}\u201D","qa.no_scorecard":"\u6B64\u901A\u8BDD\u6CA1\u6709\u9002\u7528\u7684\u8BC4\u5206\u8868\u3002","qa.pass_mark":"\u53CA\u683C\u7EBF {mark}","qa.pass":"\u901A\u8FC7","qa.fail":"\u672A\u901A\u8FC7","qa.rule":"\u89C4\u5219","qa.weight":"\u6743\u91CD","qa.auto":"\u81EA\u52A8\u7ED3\u679C","qa.final":"\u7ED3\u679C","qa.evidence":"\u4F9D\u636E","qa.override":"\u6539\u5224","qa.overridden":"\u7531 {by} \u6539\u5224\uFF1A{comment}","qa.override_title":"\u6539\u5224\u89C4\u5219\u201C{rule}\u201D","qa.result":"\u7ED3\u679C","qa.comment":"\u5907\u6CE8\uFF08\u539F\u56E0\uFF09","qa.set_pass":"\u901A\u8FC7","qa.set_fail":"\u672A\u901A\u8FC7","qa.remove":"\u64A4\u9500\u6539\u5224\uFF08\u6062\u590D\u81EA\u52A8\u7ED3\u679C\uFF09","qa.save":"\u4FDD\u5B58","qa.cancel":"\u53D6\u6D88","qa.saved":"\u6539\u5224\u5DF2\u4FDD\u5B58\uFF1A\u8BC4\u5206\u73B0\u4E3A {score}","qa.errors":"\u95EE\u9898\uFF1A{e}","qa.by":"\u6309","qa.report_empty":"\u6B64\u65F6\u95F4\u6BB5\u5185\u6CA1\u6709\u5DF2\u5206\u6790\u7684\u901A\u8BDD\u3002","qa.csv":"\u4E0B\u8F7D CSV","qa.refresh":"\u5237\u65B0","qa.recording":"\u5F55\u97F3","qa.policy":"\u5F55\u97F3\u7B56\u7565","qa.kept_until":"\u4FDD\u7559\u81F3","qa.save_wav":"\u4FDD\u5B58 WAV","qa.paused_for":"\u53E6\u6682\u505C {d}","qa.delete":"\u5220\u9664\u2026","qa.delete_reason":"\u7ACB\u5373\u5220\u9664\u6B64\u5F55\u97F3\u53CA\u5176\u8F6C\u5199\u3002\u539F\u56E0\uFF1F\uFF08\u8BB0\u5165\u5F55\u97F3\u65E5\u5FD7\uFF09","qa.deleted":"\u5F55\u97F3\u5DF2\u5220\u9664","qa.access_log":"\u8BBF\u95EE\u8BB0\u5F55","qa.jobs":"\u901A\u8BDD\u540E\u5904\u7406","job.queued":"\u6392\u961F\u4E2D","job.running":"\u8FDB\u884C\u4E2D","job.done":"\u5B8C\u6210","job.failed":"\u5931\u8D25","rcol.calls":"\u901A\u8BDD","rcol.failed":"\u5931\u8D25","rcol.avg_score":"\u5E73\u5747\u5206","rcol.risk_hits":"\u98CE\u9669\u8BCD\u6B21\u6570","rcol.calls_with_risk":"\u542B\u98CE\u9669\u8BCD\u901A\u8BDD","rcol.talk_listen_ratio":"\u8BF4/\u542C\u6BD4","rcol.silence_pct":"\u9759\u97F3","rcol.overtalk_pct":"\u62A2\u8BDD","rcol.caller_mood":"\u6765\u7535\u8005\u60C5\u7EEA","rcol.agent_mood":"\u5EA7\u5E2D\u60C5\u7EEA","rcol.rules":"\u672A\u901A\u8FC7\u7684\u89C4\u5219","rcol.trend":"\u6765\u7535\u8005\u6BCF\u65E5\u60C5\u7EEA"});H("quality",`
.quality { display: flex; flex-direction: column; gap: var(--gap); }
.quality .tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--line); }
.quality .tabs button { border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0; background: none; color: var(--muted); }
.quality .tabs button.active { color: var(--ink); background: var(--panel); border-color: var(--line); margin-bottom: -1px; }
.quality .filters label { display: flex; flex-direction: column; gap: 2px; font-size: 12px; color: var(--muted); }
.quality .filters label.words { flex: 1 1 160px; } .quality .filters select { max-width: 140px; }
.quality .filters input[name=queue], .quality .filters input[name=agent] { width: 90px; }
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
`);function N(a,e){let t=Object.fromEntries(Object.entries(e||{}).filter(([o,l])=>o!=="call"&&o!=="back"&&l));return Object.keys(t).length?{call:a,back:JSON.stringify(t)}:{call:a}}function $(a){if(a==null)return"\u2013";let e=Math.max(0,Math.floor(a));return`${String(Math.floor(e/60)).padStart(2,"0")}:${String(e%60).padStart(2,"0")}`}var T=a=>a?r("mood."+a):"\u2013";function P({value:a,label:e}){if(a==null)return s`<span class="muted">–</span>`;let t=e||(a<=-.35?"upset":a<=-.1?"negative":a>=.25?"positive":"neutral");return s`<span class=${`mood mood-${t}`} title=${String(a)}>${T(t)} ${a.toFixed(2)}</span>`}function C({value:a,mark:e}){if(a==null)return s`<span class="muted">–</span>`;let t=e==null?null:a>=e;return s`<span class=${`score ${t===null?"":t?"ok":"bad"}`}>${Math.round(a*10)/10}</span>`}function ee({text:a}){let e=String(a||"").split(/(\[[^\]]*\])/);return s`<span class="snippet">${e.map((t,o)=>t.startsWith("[")&&t.endsWith("]")?s`<mark key=${o}>${t.slice(1,-1)}</mark>`:t.replace(/\n/g," / "))}</span>`}function Y(a){return a?/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(a)?new Date(a).toISOString().replace(/\.\d{3}Z$/,"Z"):a:""}function G(a){if(!a||!/^\d{4}-/.test(a))return"";let e=new Date(a);if(Number.isNaN(e.getTime()))return"";let t=o=>String(o).padStart(2,"0");return`${e.getFullYear()}-${t(e.getMonth()+1)}-${t(e.getDate())}T${t(e.getHours())}:${t(e.getMinutes())}`}var K={all:"",today:"today","7d":"-7d","30d":"-30d"};function D({from:a,to:e,onChange:t}){let o=Object.entries(K).find(([,l])=>l===(a||"")&&!e);return s`<label>${r("qa.from")}<select data-testid="period" value=${o?o[0]:"custom"}
      onChange=${l=>l.target.value==="custom"?t({from:new Date(Date.now()-864e5).toISOString().replace(/\.\d{3}Z$/,"Z"),to:""}):t({from:K[l.target.value],to:""})}>
      ${Object.keys(K).map(l=>s`<option value=${l}>${r("qa.p."+l)}</option>`)}
      <option value="custom">${r("qa.p.custom")}</option></select></label>
    ${o?null:s`
      <label>${r("qa.from")}<input type="datetime-local" data-testid="from" value=${G(a)}
        onChange=${l=>t({from:Y(l.target.value),to:e})} /></label>
      <label>${r("qa.to")}<input type="datetime-local" data-testid="to" value=${G(e)}
        onChange=${l=>t({from:a,to:Y(l.target.value)})} /></label>`}`}var W=["q","from","to","queue","agent","risk","min_score","max_score","mood"],ae=["from","to","queue","agent"],te={upset:{max_caller_mood:"-0.35"},negative:{max_caller_mood:"-0.1"},positive:{min_caller_mood:"0.25"}};function ye(a){let e=new URLSearchParams;for(let t of W)a[t]&&t!=="mood"&&e.set(t,t==="risk"?"true":a[t]);for(let[t,o]of Object.entries(te[a.mood]||{}))e.set(t,o);return e.set("limit","100"),e}function be(a){let e=new URLSearchParams({limit:"100"});for(let t of["from","to","queue","agent"])a[t]&&e.set(t,a[t]);return e}function re({q:a,onSearch:e,all:t=!0}){let[o,l]=m(a);g(()=>l(a),[JSON.stringify(a)]);let d=n=>u=>l({...o,[n]:u.target.type==="checkbox"?u.target.checked?"1":"":u.target.value});return s`<form class="panel row filters" onSubmit=${n=>{n.preventDefault(),e(o)}} data-testid="search-form">
    ${t?s`<label class="words">${r("qa.words")}<input name="q" type="search" value=${o.q||""} onInput=${d("q")}
      placeholder="refund &quot;cancel my account&quot;" autofocus /></label>`:null}
    <${D} from=${o.from} to=${o.to} onChange=${n=>e({...o,...n})} />
    <label>${r("qa.queue")}<input name="queue" size="10" value=${o.queue||""} onInput=${d("queue")} /></label>
    ${S("supervisor")?s`<label>${r("qa.agent")}<input name="agent" size="8" value=${o.agent||""}
      onInput=${d("agent")} /></label>`:null}
    ${t?s`<label>${r("qa.min_score")}<input name="min_score" type="number" min="0" max="100" style="width: 70px"
      value=${o.min_score||""} onInput=${d("min_score")} placeholder=${r("qa.any")} /></label>
    <label>${r("qa.max_score")}<input name="max_score" type="number" min="0" max="100" style="width: 70px"
      value=${o.max_score||""} onInput=${d("max_score")} placeholder=${r("qa.any")} /></label>
    <label>${r("qa.caller_mood")}<select name="mood" value=${o.mood||""} onChange=${d("mood")}>
      <option value="">${r("qa.any")}</option>
      ${Object.keys(te).map(n=>s`<option value=${n}>${r("qa.mood_"+n)}</option>`)}</select></label>
    <label class="check"><input name="risk" type="checkbox" checked=${!!o.risk} onChange=${d("risk")} />
      ${r("qa.risk_only")}</label>`:null}
    <div style="flex: 1"></div>
    <button type="button" onClick=${()=>e({})}>${r("qa.clear")}</button>
    <button class="primary" type="submit" data-testid="search">${r("qa.search")}</button>
  </form>`}function ke({q:a,found:e}){let t=o=>h("/quality",N(o,a));return e.calls.length?s`<h3>${e.query?r("qa.results",{n:e.calls.length,q:e.query}):r("qa.listed",{n:e.calls.length})}</h3>
    <table data-testid="results"><thead><tr>
      <th>${r("qcol.when")}</th><th>${r("qa.queue")}</th><th>${r("qa.agent")}</th><th class="num">${r("qcol.duration")}</th>
      <th class="num">${r("qcol.score")}</th><th class="num">${r("qcol.risk")}</th><th>${r("qa.caller_mood")}</th>
      <th>${r("qcol.snippet")}</th></tr></thead>
    <tbody>${e.calls.map(o=>s`<tr key=${o.call_id} class="link" data-call=${o.call_id} onClick=${()=>t(o.call_id)}>
      <td><a href=${"#/quality?"+new URLSearchParams(N(o.call_id,a))} onClick=${l=>l.stopPropagation()}>
        ${x(o.call_at)}</a></td>
      <td>${o.queue||"\u2013"}</td><td>${o.agent||"\u2013"}</td><td class="num">${_(o.duration)}</td>
      <td class="num"><${C} value=${o.score} /></td>
      <td class="num">${o.risk_count?s`<span class="risk-count">⚑ ${o.risk_count}</span>`:"0"}</td>
      <td title=${o.mood||""}><${P} value=${o.caller_mood} /></td>
      <td class="wrap">${o.snippet?s`<${ee} text=${o.snippet} />`:s`<span class="muted">${o.error||""}</span>`}</td></tr>`)}</tbody></table>`:s`<div class="empty" data-testid="no-results">${r("qa.no_results")}</div>`}function _e({q:a,list:e}){return e.length?s`<h3>${r("qa.recent")}</h3>
    <table data-testid="recordings"><thead><tr>
      <th>${r("qcol.when")}</th><th>${r("qcol.call")}</th><th>${r("qa.queue")}</th><th>${r("qa.agent")}</th>
      <th class="num">${r("qcol.duration")}</th><th class="num">${r("qcol.paused")}</th><th>${r("qcol.status")}</th></tr></thead>
    <tbody>${e.map(t=>s`<tr key=${t.id} class="link" onClick=${()=>h("/quality",N(t.call_id,a))}>
      <td>${x(t.started_at||t.created_at)}</td><td class="mono">${t.call_id}</td><td>${t.queue||"\u2013"}</td>
      <td>${t.agent||"\u2013"}</td><td class="num">${_(t.duration)}</td>
      <td class="num">${t.pauses.length?_(t.paused_s):"\u2013"}</td>
      <td>${t.status}${t.error?s` <span class="muted">${t.error}</span>`:null}</td></tr>`)}</tbody></table>`:s`<div class="empty">${r("qa.no_recordings")}</div>`}function oe(a,e){let[t,o]=m(null),[l,d]=m(null);return g(()=>{let i=!0;return o(null),d(null),a().then(n=>i&&o(n),n=>i&&d(n)),()=>{i=!1}},[e]),[t,l]}var se=({error:a})=>s`<div class="form-error" role="alert" data-testid="search-error">
  ${a.field?s`<b>${a.field}</b>: `:null}${a.message}</div>`,V=(a,e)=>Object.fromEntries(e.filter(t=>a[t]).map(t=>[t,a[t]]));function le({query:a}){let e=V(a,W),[t,o]=oe(()=>k(`api/analytics/search?${ye(e)}`),JSON.stringify(e));return s`<div class="search">
    <${re} q=${e} onSearch=${l=>h("/quality",V(l,W))} />
    ${e.q?null:s`<p class="muted hint">${r("qa.hint")}</p>`}
    <div class="panel">
      ${o?s`<${se} error=${o} />`:t?s`<${ke} q=${e} found=${t} />`:s`<div class="empty">${r("ui.loading")}</div>`}
    </div>
  </div>`}function ne({query:a}){let e=V(a,ae),[t,o]=oe(()=>k(`api/recordings?${be(e)}`),JSON.stringify(e));return s`<div class="search">
    <${re} q=${e} all=${!1} onSearch=${l=>h("/quality",{tab:"recordings",...V(l,ae)})} />
    <div class="panel">
      ${o?s`<${se} error=${o} />`:t?s`<${_e} q=${{tab:"recordings",...e}} list=${t.recordings} />`:s`<div class="empty">${r("ui.loading")}</div>`}
    </div>
  </div>`}function ce(a){let e=J(()=>we(a),[a]);return g(()=>()=>e.dispose(),[e]),e}var ie=a=>{a&&a.name!=="AbortError"&&b(a.message,"error")},xe={both:[1,0,0,1],caller:[1,1,0,0],agent:[0,0,1,1]};function we(a){let e={time:L(0),playing:L(!1),state:L("idle"),side:L("both"),duration:L(null),audio:null,url:null,graph:null,loading:null};return e.attach=t=>{!t||e.audio===t||(e.audio=t,t.addEventListener("timeupdate",()=>{e.time.value=t.currentTime}),t.addEventListener("seeked",()=>{e.time.value=t.currentTime}),t.addEventListener("play",()=>{e.playing.value=!0}),t.addEventListener("pause",()=>{e.playing.value=!1}),t.addEventListener("ended",()=>{e.playing.value=!1}),t.addEventListener("loadedmetadata",()=>{e.duration.value=t.duration}))},e.load=()=>e.loading?e.loading:a==null?Promise.reject(new Error(r("qa.no_recording"))):(e.state.value="loading",e.loading=O("GET",`api/recordings/${a}/audio`,void 0,{raw:!0}).then(t=>t.blob()).then(t=>new Promise((o,l)=>{e.url=URL.createObjectURL(t);let d=e.audio;d.addEventListener("loadedmetadata",()=>o(),{once:!0}),d.addEventListener("error",()=>l(new Error(`audio: ${d.error&&d.error.message}`)),{once:!0}),d.src=e.url})).then(()=>{e.state.value="ready"},t=>{throw e.state.value="error",e.loading=null,t}),e.loading),e.seek=async(t,o=!1)=>{try{await e.load(),e.audio.currentTime=Math.max(0,t),e.time.value=e.audio.currentTime,o&&await e.audio.play()}catch(l){ie(l)}},e.toggle=async()=>{try{await e.load(),e.audio.paused?(de(e),await e.audio.play()):e.audio.pause()}catch(t){ie(t)}},e.setSide=t=>{e.side.value=t,de(e)},e.dispose=()=>{e.audio&&e.audio.pause(),e.url&&URL.revokeObjectURL(e.url),e.graph&&e.graph.ctx.close()},e}function de(a){if(!(!a.audio||!a.graph&&a.side.value==="both")){if(!a.graph){let e=new AudioContext,t=e.createMediaElementSource(a.audio),o=e.createChannelSplitter(2),l=e.createChannelMerger(2),d=[[0,0],[0,1],[1,0],[1,1]].map(([i,n])=>{let u=e.createGain();return o.connect(u,i),u.connect(l,0,n),u});t.connect(o),l.connect(e.destination),a.graph={ctx:e,gains:d}}xe[a.side.value].forEach((e,t)=>{a.graph.gains[t].gain.value=e}),a.graph.ctx.state==="suspended"&&a.graph.ctx.resume()}}var z=(a,e)=>`${Math.max(0,Math.min(100,100*a/e))}%`;function Se({player:a,duration:e,turns:t,hits:o,gaps:l}){let d=A(null),i=a.duration.value||e||1;return s`<div class="timeline" ref=${d} onClick=${u=>{let c=d.current.getBoundingClientRect();a.seek((u.clientX-c.left)/c.width*i)}} data-testid="timeline" title=${$(i)}>
    ${["caller","agent"].map(u=>s`<div class=${`lane lane-${u}`} key=${u}>
      ${t.filter(c=>c.side===u).map((c,f)=>s`<span key=${f} class="turn"
        style=${{left:z(c.start,i),width:z(c.end-c.start,i)}}></span>`)}</div>`)}
    ${o.map((u,c)=>s`<span key=${"h"+c} class="hit-tick" style=${{left:z(u.start,i)}}
      title=${`${$(u.start)} ${u.heard}`}></span>`)}
    ${l.map((u,c)=>s`<span key=${"g"+c} class="gap-tick" data-testid="gap-tick" style=${{left:z(u.offset,i)}}
      title=${r("qa.gap",{d:$(u.duration),by:u.by||"\u2013"})}></span>`)}
    <span class="playhead" style=${{left:z(a.time.value,i)}}></span>
  </div>`}function ue({player:a,recording:e,duration:t,turns:o,hits:l,gaps:d}){let i=a.state.value;return s`<div class="player" data-testid="player">
    <audio ref=${n=>a.attach(n)} preload="none" data-testid="audio"></audio>
    <div class="row">
      <button class="primary" data-testid="play" disabled=${!e||e.status!=="ready"||i==="loading"}
        onClick=${()=>a.toggle()}>${a.playing.value?"\u275A\u275A "+r("qa.pause"):"\u25B6 "+r("qa.play")}</button>
      <span class="mono" data-testid="clock">${$(a.time.value)} / ${$(a.duration.value||t)}</span>
      <label class="inline">${r("qa.listen")}
        <select data-testid="side" value=${a.side.value} onChange=${n=>a.setSide(n.target.value)}>
          <option value="both">${r("qa.both")}</option><option value="caller">${r("qa.caller_only")}</option>
          <option value="agent">${r("qa.agent_only")}</option></select></label>
      <label class="inline">${r("qa.speed")}
        <select onChange=${n=>{a.audio&&(a.audio.playbackRate=Number(n.target.value))}}>
          ${["0.75","1","1.25","1.5","2"].map(n=>s`<option value=${n} selected=${n==="1"}>${n}×</option>`)}</select></label>
      ${i==="loading"?s`<span class="muted">${r("qa.loading_audio")}</span>`:null}
      <div style="flex: 1"></div>
      <span class="muted small-note">${r("qa.keys")}</span>
      ${e?s`<span class="muted small-note">${r("qa.logged")}</span>`:s`<span class="muted" data-testid="no-recording">${r("qa.no_recording")}</span>`}
      ${e&&e.status!=="ready"?s`<span class="form-error">${e.status}${e.error?": "+e.error:""}</span>`:null}
    </div>
    <${Se} player=${a} duration=${t} turns=${o} hits=${l} gaps=${d} />
  </div>`}var Ce=(a,e)=>Math.abs(a-e)<.011;function pe(a,e){let t=a.words||[],o=a.risk_hits||[],l=a.mood&&a.mood.turns||[],d=(a.turns||[]).map((i,n)=>{let u=t.filter(p=>p.side===i.side&&p.start>=i.start-.011&&p.end<=i.end+.011),c=l.find(p=>p.side===i.side&&Ce(p.start,i.start))||l[n]||null,f=u.map(p=>o.find(q=>q.side===p.side&&p.start>=q.start-.011&&p.end<=q.end+.011)||null);return{kind:"turn",index:n,...i,words:u,marked:f,mood:c,risky:f.some(Boolean)}});for(let i of e)d.push({kind:"gap",start:i.offset,...i});return d.sort((i,n)=>i.start-n.start||(i.kind==="gap"?-1:1))}function Ee({item:a,current:e,onSeek:t}){let o=A(null);g(()=>{e&&o.current&&o.current.scrollIntoView&&o.current.scrollIntoView({block:"nearest"})},[e]);let l=a.words.length?a.words.map((i,n)=>{let u=a.marked[n];return u?s`<mark class="risk" key=${n} data-testid="risk-word" title=${`${u.list} \xB7 ${u.term} \xB7 ${u.severity}`}>${i.text}</mark> `:s`<span key=${n} class=${i.conf!==void 0&&i.conf<.5?"unsure":""}>${i.text} </span>`}):a.text,d=a.mood;return s`<li ref=${o} class=${`line side-${a.side} ${e?"current":""} ${a.risky?"risky":""}`}
      data-testid="line" data-side=${a.side} data-start=${a.start} aria-current=${e?"true":void 0}
      onClick=${()=>t(a.start)} title=${`${$(a.start)}\u2013${$(a.end)}`}>
    <div class="who"><span class="time mono">${$(a.start)}</span>
      ${r(a.side==="caller"?"qa.caller":"qa.agent_side")}
      ${d?s`<span class=${`mood-dot mood-${d.label}`} title=${`${T(d.label)} ${d.mood}`}>${T(d.label)}</span>`:null}</div>
    <div class="text">${l}</div>
  </li>`}function me({items:a,time:e,playing:t,onSeek:o}){let l=e.value,d=-1;return a.forEach((i,n)=>{i.kind==="turn"&&i.start<=l+.05&&(d=n)}),!t.value&&l===0&&(d=-1),a.some(i=>i.kind==="turn")?s`<ol class="transcript" data-testid="transcript">
    ${a.map((i,n)=>i.kind==="gap"?s`<li key=${"g"+n} class="gap" data-testid="gap" onClick=${()=>o(i.offset)}>
          ❚❚ <span class="mono">${$(i.offset)}</span> ${r("qa.gap",{d:$(i.duration||0),by:i.by||"\u2013"})}</li>`:s`<${Ee} key=${"t"+i.index} item=${i} current=${n===d} onSeek=${o} />`)}
  </ol>`:s`<div class="empty">${r("qa.no_turns")}</div>`}var U=({passed:a})=>s`<span class=${`verdict ${a?"ok":"bad"}`}>${a?"\u2713 "+r("qa.pass"):"\u2717 "+r("qa.fail")}</span>`;function Re({items:a,onSeek:e}){return!a||!a.length?null:s`<ul class="evidence">${a.map((t,o)=>s`<li key=${o}>
    ${t.start!==void 0?s`<a href="#" class="mono" onClick=${l=>{l.preventDefault(),e(t.start)}}>${$(t.start)}</a> `:null}
    ${t.heard!==void 0?s`${t.side?r(t.side==="caller"?"qa.caller":"qa.agent_side")+": ":""}“${t.heard}”
      ${t.term&&t.term!==t.heard?s`<span class="muted">(${t.term}${t.score<100?`, ${Math.round(t.score)}%`:""})</span>`:null}`:t.field!==void 0?s`${t.field} = ${t.value}`:t.seconds!==void 0?s`${Math.round(t.seconds)} s`:null}
  </li>`)}</ul>`}function Le({callId:a,rule:e,onClose:t,onSaved:o}){let l=e.override,[d,i]=m(String(l?l.passed:!e.auto.passed)),[n,u]=m(l?l.comment:""),[c,f]=m(null),[p,q]=m(!1),j=async y=>{y.preventDefault(),q(!0);try{let w={passed:d==="clear"?null:d==="true",comment:n},E=await O("POST",`api/analytics/calls/${encodeURIComponent(a)}/overrides/${encodeURIComponent(e.id)}`,w);b(r("qa.saved",{score:E.score}),"ok"),o(E)}catch(w){f({field:w.field,message:w.message})}finally{q(!1)}};return s`<${Q} title=${r("qa.override_title",{rule:e.id})} onClose=${t}>
    <form class="override-form" data-testid="override-form" onSubmit=${j} noValidate>
      <div class="muted">${r("qa.auto")}: <${U} passed=${e.auto.passed} /> ${e.auto.detail}</div>
      <${I} label=${r("qa.result")} name="passed" error=${c}>
        <div class="row">
          ${[["true",r("qa.set_pass")],["false",r("qa.set_fail")],...l?[["clear",r("qa.remove")]]:[]].map(([y,w])=>s`
            <label class="inline" key=${y}><input type="radio" name="passed" value=${y} checked=${d===y}
              onChange=${()=>i(y)} /> ${w}</label>`)}
        </div>
      <//>
      <${I} label=${r("qa.comment")} name="comment" error=${c}>
        <textarea name="comment" rows="3" value=${n} onInput=${y=>u(y.target.value)}></textarea>
      <//>
      <${X} error=${c} fields=${["passed","comment"]} />
      <div class="actions">
        <button type="button" onClick=${t}>${r("qa.cancel")}</button>
        <button class="primary" type="submit" data-testid="save-override" disabled=${p}>${r("qa.save")}</button>
      </div>
    </form>
  <//>`}function $e({analysis:a,onChange:e,onSeek:t}){let o=a.result&&a.result.qa,[l,d]=m(null);if(!o)return s`<div class="panel"><div class="muted">${r("qa.no_scorecard")}</div></div>`;let i=S("supervisor");return s`<div class="panel scorecard" data-testid="scorecard">
    <h2>${r("qa.scorecard",{name:o.scorecard})}</h2>
    <div class="score-line" data-testid="score">
      <${C} value=${o.score} mark=${o.pass_mark} /> / 100 · ${r("qa.pass_mark",{mark:o.pass_mark})} · <${U} passed=${o.passed} />
    </div>
    <table><thead><tr><th>${r("qa.rule")}</th><th class="num">${r("qa.weight")}</th><th>${r("qa.auto")}</th>
      <th>${r("qa.evidence")}</th><th>${r("qa.final")}</th>${i?s`<th></th>`:null}</tr></thead>
    <tbody>${o.rules.map(n=>s`<tr key=${n.id} data-rule=${n.id} class=${n.override?"overridden":""}>
      <td><b>${n.id}</b><div class="muted">${n.type}${n.description?" \xB7 "+n.description:""}</div></td>
      <td class="num">${n.weight}</td>
      <td data-testid="auto"><${U} passed=${n.auto.passed} /><div class="detail">${n.auto.detail}</div></td>
      <td class="wrap"><${Re} items=${n.auto.evidence} onSeek=${t} /></td>
      <td data-testid="final"><${U} passed=${n.passed} />
        ${n.override?s`<div class="detail" data-testid="override-note">${r("qa.overridden",{by:n.override.by,comment:n.override.comment||"\u2013"})}
          <span class="muted"> ${x(n.override.at)}</span></div>`:null}</td>
      ${i?s`<td><button class="small" data-testid="override" onClick=${()=>d(n)}>${r("qa.override")}</button></td>`:null}
    </tr>`)}</tbody></table>
    ${l?s`<${Le} callId=${a.call_id} rule=${l} onClose=${()=>d(null)}
        onSaved=${n=>{d(null),e(n)}} />`:null}
  </div>`}function fe({recording:a,player:e,onDeleted:t}){let[o,l]=m(null),d=e.state.value;g(()=>{S("supervisor")&&k(`api/recordings/${a.id}`).then(l,()=>l(null))},[a.id,a.status,d]);let i=async()=>{try{await e.load();let c=document.createElement("a");c.href=e.url,c.download=`${a.call_id}.wav`.replace(/[^\w.-]+/g,"_"),document.body.appendChild(c),c.click(),c.remove()}catch(c){b(c.message,"error")}},n=async()=>{let c=window.prompt(r("qa.delete_reason"));if(c)try{await O("DELETE",`api/recordings/${a.id}`,{reason:c}),b(r("qa.deleted"),"ok"),t()}catch(f){b(f.message,"error")}},u=o||a;return s`<div class="panel recording-panel" data-testid="recording"><h3>${r("qa.recording")}</h3>
    <table class="kv"><tbody>
      <tr><th>${r("qcol.status")}</th><td data-testid="rec-status">${u.status}${u.error?s` <span class="form-error">${u.error}</span>`:null}</td></tr>
      <tr><th>${r("qa.policy")}</th><td>${u.policy||"\u2013"}</td></tr>
      <tr><th>${r("qcol.duration")}</th><td>${_(u.duration)}${u.paused_s?` (${r("qa.paused_for",{d:_(u.paused_s)})})`:""}</td></tr>
      <tr><th>${r("qa.kept_until")}</th><td>${u.retain_until?x(u.retain_until):"\u2013"}</td></tr>
    </tbody></table>
    <div class="row">
      <button class="small" data-testid="save-wav" disabled=${u.status!=="ready"} onClick=${i}>${r("qa.save_wav")}</button>
      ${S("admin")&&u.status!=="deleted"?s`<button class="small danger" data-testid="delete-recording" onClick=${n}>${r("qa.delete")}</button>`:null}
    </div>
    ${o&&o.jobs.length?s`<h3 style="margin-top: 8px">${r("qa.jobs")}</h3>
      <ul class="log" data-testid="rec-jobs">${o.jobs.slice().reverse().map(c=>s`<li key=${c.id} data-kind=${c.kind} data-status=${c.status}>
        ${c.kind}: <b class=${c.status==="failed"?"form-error":""}>${r("job."+c.status)}</b>
        ${c.attempts>1||c.status==="failed"?` (${c.attempts}/${c.max_attempts})`:""}
        ${c.error?s` <span class="form-error">${c.error}</span>`:null}</li>`)}</ul>`:null}
    ${o&&o.log.length?s`<h3 style="margin-top: 8px">${r("qa.access_log")}</h3>
      <ul class="log" data-testid="rec-log">${o.log.slice(-8).reverse().map((c,f)=>s`<li key=${f}>
        <span class="muted">${x(c.ts)}</span> ${c.action} · ${c.actor||"\u2013"}</li>`)}</ul>`:null}
  </div>`}function Oe(a){return["caller","agent"].map(e=>{let t=(a.sides||{})[e]||{},o=t.upset_from!==null&&t.upset_from!==void 0?r("qa.upset_from",{t:$(t.upset_from)}):T(t.label);return`${r("side."+e)} ${o}`}).join("; ")}function Te({hits:a,onSeek:e}){return s`<div class="panel hits" data-testid="hits"><h3>${r("qa.hits")}</h3>
    ${a.length?s`<ul>${a.map((t,o)=>s`
      <li key=${o} class=${`sev-${t.severity}`} data-testid="hit">
        <a href="#" class="mono" onClick=${l=>{l.preventDefault(),e(t.start)}}>${$(t.start)}</a>
        ${" "}${r("qa.hit",{heard:t.heard,list:t.list,kind:r("kind."+t.kind),term:t.term,severity:r("sev."+t.severity),side:r("side."+t.side)})}</li>`)}</ul>`:s`<div class="muted">${r("qa.no_hits")}</div>`}
  </div>`}function Pe({mood:a,metrics:e}){let t=a&&a.sides||{},o=e||{};return s`<div class="panel mood-panel" data-testid="mood"><h3>${r("qa.mood")}</h3>
    ${["caller","agent"].map(l=>{let d=t[l]||{};return s`<div class="row mood-side" key=${l} data-side=${l}>
        <b>${r(l==="caller"?"qa.caller":"qa.agent_side")}</b> <${P} value=${d.mood} label=${d.label} />
        ${d.upset_from!==null&&d.upset_from!==void 0?s`<span class="mood mood-upset">${r("qa.upset_from",{t:$(d.upset_from)})}</span>`:null}
        ${d.trend?s`<span class="muted">${r("qa.trend",{x:(d.trend>0?"+":"")+d.trend.toFixed(2)})}</span>`:null}
      </div>`})}
    <h3 style="margin-top: 10px">${r("qa.figures")}</h3>
    <div class="row stats">
      <${M} label=${r("qa.talk_listen")} value=${o.talk_listen_ratio??"\u2013"} />
      <${M} label=${r("qa.silence")} value=${o.silence_pct===void 0?"\u2013":`${Math.round(o.silence_pct)}%`} />
      <${M} label=${r("qa.overtalk")} value=${o.overtalk_pct===void 0?"\u2013":`${Math.round(o.overtalk_pct)}%`} />
      <${M} label=${r("qa.hold")} value=${_(o.hold_s)} />
    </div>
  </div>`}function Me(a,e){g(()=>{let t=o=>{if(o.altKey||o.ctrlKey||o.metaKey||/^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(o.target.tagName))return;let l=a.time.value,d=e.map(n=>n.start),i=null;if(o.key===" "){o.preventDefault(),a.toggle();return}o.key==="ArrowLeft"?i=l-5:o.key==="ArrowRight"?i=l+5:o.key==="j"?i=d.find(n=>n>l+.1):o.key==="k"&&(i=[...d].reverse().find(n=>n<l-.5)??0),i!=null&&(o.preventDefault(),a.seek(i,!a.audio||!a.audio.paused))};return window.addEventListener("keydown",t),()=>window.removeEventListener("keydown",t)},[a,e])}function qe({callId:a,back:e}){let[t,o]=m(null),[l,d]=m(void 0),[i,n]=m(0),u=()=>n(v=>v+1);g(()=>{let v=!0;return k(`api/analytics/calls/${encodeURIComponent(a)}`).then(R=>v&&o(R),R=>v&&o({error:R.message,status:R.status})),k(`api/recordings?call_id=${encodeURIComponent(a)}&limit=1`).then(R=>v&&d(R.recordings[0]||null),()=>v&&d(null)),()=>{v=!1}},[a,i]),g(()=>Z.on("event",v=>{v.kind==="CallAnalyzed"&&v.call_id===a&&u()}),[a]);let c=ce(l?l.id:null);Me(c,t&&t.result?t.result.turns||[]:[]);let f=s`<a href="#" data-testid="back" onClick=${v=>{v.preventDefault(),h("/quality",e?JSON.parse(e):{})}}>${r("qa.back")}</a>`;if(!t||l===void 0)return s`<div class="empty">${r("ui.loading")}</div>`;if(t.error&&!l)return s`<div class="panel">${f}<div class="empty error" role="alert" data-testid="call-error">${t.error}</div></div>`;let p=!t.error&&t.result||{},q=l&&l.pauses&&l.pauses.length?l.pauses:p.gaps||[],j=p.risk_hits||[],y=pe(p,q),w=t.duration||l&&l.duration||0,E=v=>c.seek(v,!0);return s`<div class="call-view" data-testid="call-view" data-call=${a}>
    <div class="panel call-head">
      <div class="row">${f}<h2 class="mono">${a}</h2>
        <span>${x(t.call_at||l&&l.started_at)}</span>
        <span>${r("qa.queue")}: <b>${t.queue||l&&l.queue||"\u2013"}</b></span>
        <span>${r("qa.agent")}: <b>${t.agent||l&&l.agent||"\u2013"}</b></span>
        <span>${_(w)}</span>
        ${t.language?s`<span class="muted">${t.language} · ${t.engine||""}</span>`:null}
        <div style="flex: 1"></div>
        ${t.score!==void 0?s`<span>${r("qcol.score")} <${C} value=${t.score}
            mark=${p.qa&&p.qa.pass_mark} /></span>`:null}
        ${p.mood?s`<span class="muted" data-testid="mood-summary">${Oe(p.mood)}</span>`:null}
      </div>
      ${t.error?s`<div class="form-error" role="alert" data-testid="call-error">${t.error}</div>`:null}
      ${t.status&&t.status!=="done"?s`<div class="muted">${r("qa.analysis_status",{s:t.status})}</div>`:null}
      ${p.errors&&p.errors.length?s`<div class="form-error">${r("qa.errors",{e:p.errors.join("; ")})}</div>`:null}
    </div>
    <${ue} player=${c} recording=${l} duration=${w} turns=${p.turns||[]} hits=${j} gaps=${q} />
    <div class="call-body">
      <div class="call-main">
        <div class="panel transcript-box"><h3>${r("qa.transcript")}</h3>
          <${me} items=${y} time=${c.time} playing=${c.playing} onSeek=${E} /></div>
        ${t.error?null:s`<${$e} analysis=${t} onChange=${o} onSeek=${E} />`}
      </div>
      <div class="call-side">
        <${Te} hits=${j} onSeek=${E} />
        <${Pe} mood=${p.mood} metrics=${p.metrics} />
        ${l?s`<${fe} recording=${l} player=${c} onDeleted=${u} />`:null}
      </div>
    </div>
  </div>`}var ge=["calls","failed","avg_score","risk_hits","calls_with_risk","talk_listen_ratio","silence_pct","overtalk_pct","caller_mood","agent_mood"];function ze(a){let e=new URLSearchParams({by:a.by});for(let t of["from","to","queue","agent"])a[t]&&e.set(t,a[t]);return e}function je(a,e){return e==null?"\u2013":a==="avg_score"?s`<${C} value=${e} />`:a==="silence_pct"||a==="overtalk_pct"?`${e}%`:a==="caller_mood"||a==="agent_mood"?s`<${P} value=${e} />`:String(e)}function Ae({days:a}){return!a||!a.length?"\u2013":s`<span class="trend" title=${a.map(e=>`${e.day}: ${e.caller_mood} (${e.calls})`).join(`
`)}>
    ${a.slice(-14).map(e=>s`<i key=${e.day} class=${e.caller_mood<0?"neg":"pos"}
      style=${{height:`${4+Math.round(Math.abs(e.caller_mood)*14)}px`}}></i>`)}</span>`}function Ne({rates:a}){let e=Object.entries(a||{}).filter(([,t])=>t>0).sort((t,o)=>o[1]-t[1]);return e.length?s`<span class="rules">${e.map(([t,o])=>s`<span key=${t} class="rule-rate" data-rule=${t}>
    ${t} ${Math.round(o*100)}%</span>`)}</span>`:"\u2013"}function ve({query:a}){let e={by:a.by==="queue"?"queue":"agent",from:a.from||"",to:a.to||"",queue:a.queue||"",agent:a.agent||""},[t,o]=m(null),[l,d]=m(null),i=ze(e).toString(),n=()=>{d(null),k(`api/analytics/report?${i}`).then(o,p=>d(p.message))};g(n,[i]);let u=p=>h("/quality",Object.fromEntries(Object.entries({tab:"report",...e,...p}).filter(([,q])=>q))),c=()=>B(`api/analytics/report?${i}&format=csv`,`analytics-${e.by}-${e.from||"all"}.csv`).catch(p=>b(p.message,"error")),f=t&&t.by===e.by?t.lines:null;return s`<div class="analytics-report">
    <div class="panel row filters">
      <label>${r("qa.by")}<select data-testid="by" value=${e.by} onChange=${p=>u({by:p.target.value})}>
        <option value="agent">${r("qa.agent")}</option><option value="queue">${r("qa.queue")}</option></select></label>
      <${D} from=${e.from} to=${e.to} onChange=${p=>u(p)} />
      <label>${r("qa.queue")}<input size="10" value=${e.queue} onChange=${p=>u({queue:p.target.value})} /></label>
      ${S("supervisor")?s`<label>${r("qa.agent")}<input size="8" value=${e.agent}
        onChange=${p=>u({agent:p.target.value})} /></label>`:null}
      <div style="flex: 1"></div>
      <button onClick=${n}>${r("qa.refresh")}</button>
      <button class="primary" data-testid="csv" onClick=${c}>${r("qa.csv")}</button>
    </div>
    <div class="panel table-box">
      ${l?s`<div class="form-error" role="alert">${l}</div>`:f?f.length?s`
      <table data-testid="analytics-table"><thead><tr><th>${r(e.by==="agent"?"qa.agent":"qa.queue")}</th>
        ${ge.map(p=>s`<th class="num">${r("rcol."+p)}</th>`)}<th>${r("rcol.rules")}</th><th>${r("rcol.trend")}</th></tr></thead>
      <tbody>${f.map(p=>s`<tr key=${p[e.by]} data-name=${p[e.by]}>
        <td>${p[e.by]==="-"?"\u2013":s`<a href=${"#/quality?"+new URLSearchParams({[e.by]:p[e.by],...e.from?{from:e.from}:{}})}>${p[e.by]}</a>`}</td>
        ${ge.map(q=>s`<td class="num" data-col=${q}>${je(q,p[q])}</td>`)}
        <td class="wrap"><${Ne} rates=${p.rule_failure_rates} /></td><td><${Ae} days=${p.mood_trend} /></td></tr>`)}</tbody>
      </table>`:s`<div class="empty">${r("qa.report_empty")}</div>`:s`<div class="empty">${r("ui.loading")}</div>`}
    </div>
  </div>`}var he=["search","recordings","call","report"];function De({query:a}){let e=a.call?"call":he.includes(a.tab)?a.tab:"search",t=o=>{if(o==="report"||o==="recordings")h("/quality",{tab:o});else if(o==="search"){let l=a.back?JSON.parse(a.back):{};h("/quality",l.tab?{}:l)}};return s`<div class="quality" data-testid="quality">
    <div class="tabs" role="tablist">
      ${he.map(o=>s`<button role="tab" key=${o} data-testid=${`tab-${o}`} class=${e===o?"active":""}
          disabled=${o==="call"&&e!=="call"} onClick=${()=>t(o)}>${r("qa.tab."+o)}</button>`)}
    </div>
    ${e==="search"?s`<${le} query=${a} />`:e==="call"?s`<${qe} key=${a.call} callId=${a.call} back=${a.back} />`:e==="recordings"?s`<${ne} query=${a} />`:s`<${ve} query=${a} />`}
  </div>`}export{De as default};

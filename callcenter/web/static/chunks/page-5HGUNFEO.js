import{a as le,b as W}from"./chunk-MSWPEEKU.js";import{a as ee}from"./chunk-J5CW4CGO.js";import{b as m,d as A,e as C,f as E}from"./chunk-BU7XLANR.js";import{a as $,b as se,e as ne}from"./chunk-3ARAPQD3.js";import{b as h,c as _,d as ae,f as U,g as f,j as l,k as D,p as Z,q as a,t as b,u as v}from"./chunk-FIC5Y7K7.js";Z("en",{"desk.state":"My state","desk.in_state":"for {t}","desk.ready":"Ready","desk.pause":"Pause","desk.pause_reason":"Pause: why?","desk.end_wrapup":"End wrap-up","desk.wrapup_left":"wrap-up ends in {t}","desk.login":"Log in","desk.logout":"Log out of queues","desk.phone":"Phone","desk.no_call":"No call. Calls offered to you appear here.","desk.incoming":"Incoming call","desk.talking":"On call","desk.ended":"Call ended","desk.caller":"Caller","desk.did":"Dialled","desk.queue":"Queue","desk.waited":"Waited","desk.language":"Language","desk.intent":"Intent","desk.ivr_path":"IVR path","desk.heard":"Heard","desk.digits":"Digits","desk.variables":"What the IVR learned","desk.callback":"Callback to","desk.talk_time":"Talk time","desk.hangup":"Hang up","desk.hold":"Hold","desk.unhold":"Resume","desk.transfer":"Transfer","desk.transfer_to":"Transfer to an agent, an extension or a number (0 + number outside)","desk.transfer_queue":"Back into a queue (the caller waits there again)","desk.on_hold":"On hold","desk.rec_pause":"Pause recording","desk.rec_start":"Record","desk.rec_resume":"Resume recording","desk.recording":"Recording","desk.rec_paused":"Recording paused","desk.unavailable":"Not available on this server","desk.wrapup":"Wrap-up","desk.code":"Code","desk.notes":"Notes","desk.save":"Save","desk.save_end":"Save and end wrap-up","desk.saved":"Wrap-up saved with the call","desk.done":"Done","desk.history":"Previous calls of this caller","desk.no_history":"No earlier call from this number.","desk.today":"My day","desk.answered":"Answered","desk.missed":"Missed","desk.aht":"AHT","desk.talk":"Talk","desk.occupancy":"Occupancy","desk.paused_time":"Paused","desk.softphone":"Phone","desk.sip_phone":"Your SIP phone {phone} rings for each call.","desk.shortcuts":"Keyboard shortcuts","desk.not_agent":"This desk is for agents: your user is not linked to an agent."});Z("zh",{"desk.state":"\u6211\u7684\u72B6\u6001","desk.in_state":"\u5DF2 {t}","desk.ready":"\u5C31\u7EEA","desk.pause":"\u5C0F\u4F11","desk.pause_reason":"\u5C0F\u4F11\u539F\u56E0","desk.end_wrapup":"\u7ED3\u675F\u8BDD\u540E\u6574\u7406","desk.wrapup_left":"\u8BDD\u540E\u6574\u7406\u5269\u4F59 {t}","desk.login":"\u7B7E\u5165","desk.logout":"\u7B7E\u51FA\u961F\u5217","desk.phone":"\u8BDD\u673A","desk.no_call":"\u6682\u65E0\u6765\u7535\u3002\u5206\u914D\u7ED9\u60A8\u7684\u6765\u7535\u4F1A\u663E\u793A\u5728\u8FD9\u91CC\u3002","desk.incoming":"\u6765\u7535\u632F\u94C3","desk.talking":"\u901A\u8BDD\u4E2D","desk.ended":"\u901A\u8BDD\u5DF2\u7ED3\u675F","desk.caller":"\u4E3B\u53EB","desk.did":"\u88AB\u53EB\u53F7\u7801","desk.queue":"\u961F\u5217","desk.waited":"\u7B49\u5F85","desk.language":"\u8BED\u8A00","desk.intent":"\u610F\u56FE","desk.ivr_path":"IVR \u8DEF\u5F84","desk.heard":"\u8BC6\u522B\u5230","desk.digits":"\u6309\u952E","desk.variables":"IVR \u6536\u96C6\u7684\u4FE1\u606F","desk.callback":"\u56DE\u547C\u53F7\u7801","desk.talk_time":"\u901A\u8BDD\u65F6\u957F","desk.hangup":"\u6302\u65AD","desk.hold":"\u4FDD\u6301","desk.unhold":"\u6062\u590D","desk.transfer":"\u8F6C\u63A5","desk.transfer_to":"\u8F6C\u63A5\u5230\u5EA7\u5E2D\u3001\u5206\u673A\u6216\u53F7\u7801\uFF08\u5916\u7EBF\u8BF7\u52A0 0\uFF09","desk.transfer_queue":"\u8F6C\u56DE\u961F\u5217\uFF08\u6765\u7535\u8005\u91CD\u65B0\u6392\u961F\u7B49\u5F85\uFF09","desk.on_hold":"\u4FDD\u6301\u4E2D","desk.rec_pause":"\u6682\u505C\u5F55\u97F3","desk.rec_start":"\u5F00\u59CB\u5F55\u97F3","desk.rec_resume":"\u6062\u590D\u5F55\u97F3","desk.recording":"\u5F55\u97F3\u4E2D","desk.rec_paused":"\u5F55\u97F3\u5DF2\u6682\u505C","desk.unavailable":"\u6B64\u670D\u52A1\u5668\u4E0D\u652F\u6301","desk.wrapup":"\u8BDD\u540E\u6574\u7406","desk.code":"\u5C0F\u7ED3\u4EE3\u7801","desk.notes":"\u5907\u6CE8","desk.save":"\u4FDD\u5B58","desk.save_end":"\u4FDD\u5B58\u5E76\u7ED3\u675F\u6574\u7406","desk.saved":"\u5C0F\u7ED3\u5DF2\u968F\u901A\u8BDD\u4FDD\u5B58","desk.done":"\u5B8C\u6210","desk.history":"\u8BE5\u6765\u7535\u8005\u7684\u5386\u53F2\u901A\u8BDD","desk.no_history":"\u6B64\u53F7\u7801\u6CA1\u6709\u66F4\u65E9\u7684\u6765\u7535\u3002","desk.today":"\u6211\u7684\u4ECA\u65E5","desk.answered":"\u63A5\u542C","desk.missed":"\u672A\u63A5","desk.aht":"\u5E73\u5747\u5904\u7406\u65F6\u957F","desk.talk":"\u901A\u8BDD","desk.occupancy":"\u5360\u7528\u7387","desk.paused_time":"\u5C0F\u4F11","desk.softphone":"\u8BDD\u673A","desk.sip_phone":"\u6BCF\u901A\u6765\u7535\u5C06\u632F\u94C3\u60A8\u7684 SIP \u8BDD\u673A {phone}\u3002","desk.shortcuts":"\u952E\u76D8\u5FEB\u6377\u952E","desk.not_agent":"\u5EA7\u5E2D\u5DE5\u4F5C\u53F0\u4EC5\u4F9B\u5EA7\u5E2D\u4F7F\u7528\uFF1A\u60A8\u7684\u7528\u6237\u672A\u5173\u8054\u5EA7\u5E2D\u3002"});var k=f(null),r=f(null),g=f({pause_reasons:[],wrapup_codes:[],queues:[]}),K=f(null),R=f(null),w=f({}),x=f(null),M=f(null),L=null,N=null;async function I(){try{let t=await b(`api/agents/${encodeURIComponent(L)}`);le(t.now),k.value=t,M.value=null,t.call_id&&(!r.value||r.value.call_id!==t.call_id)&&await de(t.call_id),!t.call_id&&r.value&&r.value.phase==="ringing"&&(r.value=null)}catch(t){M.value=t.message}}async function de(t,e={}){let d={call_id:t,...e};try{let n=await b(`api/calls/${encodeURIComponent(t)}`);for(let[o,s]of Object.entries(n))(s!==null||!(o in d))&&(d[o]=s);d.phase=d.state==="talking"?"talking":e.phase||"ringing"}catch{d.phase=e.phase||"ended"}r.value=d,oe(t),j()}async function oe(t){if(N!==t){N=t;try{R.value=await b(`api/calls/${encodeURIComponent(t)}/history`)}catch{R.value=null}}}async function j(){let t=r.value;if(!w.value.recording||!t||t.phase!=="talking"){x.value=null;return}try{x.value=(await b(`api/calls/${encodeURIComponent(t.call_id)}/recording`)).recording||null}catch{x.value=null}}async function O(){try{K.value=(await b(`api/agents/${encodeURIComponent(L)}/today`)).figures}catch{}}function be(t){if(t.agent_id&&t.agent_id!==L)return;let e=r.value;switch(t.kind){case"AgentOffered":U(()=>{r.value={call_id:t.call_id,queue:t.queue,phase:"ringing",offered_at:t.ts,...t.data},R.value=null}),oe(t.call_id);break;case"CallAnswered":e&&e.call_id===t.call_id&&(r.value={...e,phase:"talking",answered_at:t.ts},de(t.call_id,{...r.value}));break;case"CallCompleted":case"CallEnded":e&&e.call_id===t.call_id&&e.phase!=="ringing"&&(r.value={...e,phase:"ended",ended_at:t.ts},x.value=null,O());break;case"CallHeld":e&&e.call_id===t.call_id&&(r.value={...e,on_hold:!0,on_hold_since:t.ts,holds:t.data.holds});break;case"CallResumed":e&&e.call_id===t.call_id&&(r.value={...e,on_hold:!1,on_hold_since:null,held_s:t.data.total_held_s});break;case"RecordingStarted":case"RecordingPaused":case"RecordingResumed":case"RecordingStopped":case"RecordingFailed":e&&e.call_id===t.call_id&&j();break;case"CallWrappedUp":e&&e.call_id===t.call_id&&(r.value={...e,wrapup:t.data});break;default:break}I()}function re(t){L=t,N=null,U(()=>{k.value=null,r.value=null,R.value=null,K.value=null}),b("api/desk/settings").then(o=>{g.value=o},()=>{}),b("api/openapi.json").then(o=>{let s=Object.keys(o.paths||{});w.value={hold:s.includes("/api/calls/{call_id}/hold"),transfer:s.includes("/api/calls/{call_id}/transfer"),recording:s.includes("/api/calls/{call_id}/recording/{action}")}},()=>{}),I(),O();let e=[ee.on("event",be),ee.on("open",()=>{I(),O()})],d=setInterval(()=>{I()},15e3),n=setInterval(O,6e4);return()=>{e.forEach(o=>o()),clearInterval(d),clearInterval(n)}}function F(){U(()=>{r.value=null,R.value=null,x.value=null}),N=null}var T=(t,e)=>`api/agents/${encodeURIComponent(t)}/${e}`,V=(t,e)=>`api/calls/${encodeURIComponent(t)}/${e}`,q=async t=>{let e=await t;return await I(),e},J=t=>m(()=>q(v(T(t,"ready")))),Q=(t,e)=>m(()=>q(v(T(t,"pause"),e?{reason:e}:{}))),H=t=>m(()=>q(v(T(t,"end-wrapup")))).then(e=>(e&&F(),e)),ie=(t,e)=>m(()=>q(v(T(t,"login"),e?{phone:e}:{}))),ue=t=>m(()=>q(v(T(t,"logout"),{reason:"desk"}))),X=t=>m(()=>q(v(T(t,"hangup"))));function z(t){let e=r.value;if(!(!e||!w.value.hold))return m(()=>v(V(e.call_id,t?"hold":"unhold"))).then(d=>(d&&r.value&&r.value.call_id===d.call_id&&(r.value={...r.value,on_hold:d.on_hold,on_hold_since:d.on_hold_since,holds:d.holds,held_s:d.held_s}),d))}function te(t){let e=r.value;if(!(!e||!w.value.transfer||!t))return m(()=>v(V(e.call_id,"transfer"),{to:t}),a("desk.transfer"))}function ce(t){let e=r.value;if(!(!e||!w.value.recording))return m(()=>v(`${V(e.call_id,"recording")}/${t}`)).then(d=>(j(),d))}function pe(t,e){let d=r.value;if(d)return m(()=>v(V(d.call_id,"wrapup"),{code:t||void 0,notes:e}),a("desk.saved")).then(n=>(n&&r.value&&(r.value={...r.value,wrapup:n.wrapup}),n))}var y=f(!1);function we({agentId:t,onClose:e}){let d=g.value.pause_reasons||[];return l`<div class="menu" role="menu" data-testid="pause-menu">
    <div class="menu-title">${a("desk.pause_reason")}</div>
    ${d.map((n,o)=>l`<button role="menuitem" key=${n}
        onClick=${()=>{e(),Q(t,n)}}>${o<9?l`<kbd>${o+1}</kbd> `:""}${n}</button>`)}
  </div>`}function ke({agentId:t}){let e=y.value,d=G=>{y.value=G},[n,o]=h(""),s=k.value;if(!s)return l`<div class="panel">${a("ui.loading")}</div>`;let i=W(),p=s.state_since?i-s.state_since:null,c=s.state==="logged_out",S=s.state==="wrap_up"&&s.wrapup_until?Math.max(0,s.wrapup_until-i):null;return l`<div class="panel desk-state">
    <h2>${a("desk.state")} · ${s.name||s.agent_id}</h2>
    <div class="row">
      <span class=${`state big state-${s.state}`} data-testid="agent-state">${a("state."+s.state)}</span>
      ${s.state==="paused"&&s.reason&&l`<span class="muted" data-testid="pause-reason">${s.reason}</span>`}
    </div>
    <div class="muted time-in-state" data-testid="time-in-state">${a("desk.in_state",{t:$(p)})}</div>
    ${S!==null&&l`<div class="countdown" data-testid="wrapup-countdown">${a("desk.wrapup_left",{t:$(S)})}</div>`}
    ${c?l`<div class="col">
        <label class="muted">${a("desk.phone")}
          <input placeholder=${s.interface||"PJSIP/\u2026"} value=${n} onInput=${G=>o(G.target.value)} /></label>
        <button class="primary" onClick=${()=>ie(t,n.trim())}>${a("desk.login")}</button>
      </div>`:l`<div class="col">
        <button class="primary" data-testid="btn-ready" disabled=${s.state==="ready"||s.state==="on_call"||s.state==="offered"}
                onClick=${()=>J(t)}>${a("desk.ready")} <kbd>Alt+R</kbd></button>
        <div class="menu-host">
          <button data-testid="btn-pause" disabled=${s.state==="on_call"||s.state==="offered"}
                  onClick=${()=>d(!e)}>${a("desk.pause")} ▾ <kbd>Alt+P</kbd></button>
          ${e&&l`<${we} agentId=${t} onClose=${()=>d(!1)} />`}
        </div>
        ${s.state==="wrap_up"&&l`<button data-testid="btn-end-wrapup" onClick=${()=>H(t)}>
            ${a("desk.end_wrapup")} <kbd>Alt+E</kbd></button>`}
        <button class="ghost" disabled=${s.state==="on_call"||s.state==="offered"}
                onClick=${()=>ue(t)}>${a("desk.logout")}</button>
      </div>`}
    <div class="muted small">${a("desk.phone")}: ${s.phone||s.interface||"\u2013"}</div>
  </div>`}var Y={set:null};function u({label:t,children:e,testid:d}){return l`<div class="field"><div class="field-label">${t}</div><div class="field-value" data-testid=${d}>${e}</div></div>`}function ye({c:t}){let e=t.ivr_summary||{},d=Object.entries(t.ivr||{}).filter(([n])=>!n.startsWith("_"));return l`<div class="ivr-learned">
    ${(e.path||[]).length>0&&l`<${u} label=${a("desk.ivr_path")} testid="ivr-path">
      <span class="path">${e.path.map((n,o)=>l`${o?l`<span class="arrow">›</span>`:""}<span class="node">${n}</span>`)}</span></${u}>`}
    ${t.intent&&l`<${u} label=${a("desk.intent")} testid="ivr-intent"><b>${t.intent}</b></${u}>`}
    ${(e.heard||[]).length>0&&l`<${u} label=${a("desk.heard")} testid="ivr-heard">
      ${e.heard.map(n=>l`<div>“${n.text}”${n.matched?l` → <b>${n.matched}</b>`:""}${n.confidence!=null?l` <span class="muted">${Math.round(n.confidence*100)}%</span>`:""}</div>`)}</${u}>`}
    ${(e.digits||[]).length>0&&l`<${u} label=${a("desk.digits")} testid="ivr-digits">
      ${e.digits.map(n=>l`<span class="digits">${n.digits}</span> <span class="muted">(${n.node})</span> `)}</${u}>`}
    ${d.length>0&&l`<${u} label=${a("desk.variables")} testid="ivr-vars">
      <table class="vars"><tbody>${d.map(([n,o])=>l`<tr key=${n}><th>${n}</th><td>${typeof o=="object"?JSON.stringify(o):String(o)}</td></tr>`)}</tbody></table></${u}>`}
  </div>`}function Ce({onClose:t}){let[e,d]=h(""),n=g.value.queues||[],o=s=>{te(`queue:${s}`),t()};return l`<${A} title=${a("desk.transfer")} onClose=${t}>
    ${n.length>0&&l`<div class="transfer-queues" data-testid="transfer-queues">
      <div class="field-label">${a("desk.transfer_queue")}</div>
      <div class="row wrap">${n.map(s=>l`<button type="button" key=${s} data-testid=${`transfer-queue-${s}`}
        onClick=${()=>o(s)}>${s}</button>`)}</div></div>`}
    <form onSubmit=${s=>{s.preventDefault(),te(e.trim()),t()}}>
      <label>${a("desk.transfer_to")}<input autofocus value=${e} onInput=${s=>d(s.target.value)} placeholder="a03 · 3005 · 05551234" /></label>
      <div class="actions"><button type="button" onClick=${t}>${a("ui.cancel")}</button>
        <button class="primary" type="submit" disabled=${!e.trim()}>${a("desk.transfer")}</button></div>
    </form>
  </${A}>`}function xe({agentId:t,c:e}){let[d,n]=h(!1);Y.set=n;let o=w.value,s=e.phase==="talking",i=x.value,p=a("desk.unavailable");return l`<div class="controls row">
    <button class="danger" data-testid="btn-hangup" disabled=${!s} onClick=${()=>X(t)}>
      ${a("desk.hangup")} <kbd>Alt+H</kbd></button>
    <button data-testid="btn-hold" class=${e.on_hold?"on-hold":""} disabled=${!s||!o.hold} title=${o.hold?"":p}
            onClick=${()=>z(!e.on_hold)}>
      ${e.on_hold?a("desk.unhold"):a("desk.hold")}
      ${e.on_hold&&e.on_hold_since&&l` <b class="mono" data-testid="hold-timer">${$(W()-e.on_hold_since)}</b>`}
      <kbd>Alt+K</kbd></button>
    <button data-testid="btn-transfer" disabled=${!s||!o.transfer} title=${o.transfer?"":p} onClick=${()=>n(!0)}>
      ${a("desk.transfer")} <kbd>Alt+T</kbd></button>
    <button data-testid="btn-recording" disabled=${!s||!o.recording} title=${o.recording?"":p}
            onClick=${()=>ce(i?i.paused?"resume":"pause":"start")}>
      ${i?i.paused?a("desk.rec_resume"):a("desk.rec_pause"):a("desk.rec_start")}</button>
    ${i&&l`<span class=${`rec-dot ${i.paused?"paused":""}`} data-testid="rec-state">${i.paused?a("desk.rec_paused"):a("desk.recording")}</span>`}
    ${d&&l`<${Ce} onClose=${()=>n(!1)} />`}
  </div>`}function $e({agentId:t}){let e=r.value;if(!e)return l`<div class="panel call-panel idle"><${E}>${a("desk.no_call")}</${E}></div>`;let d=W(),n={ringing:a("desk.incoming"),talking:a("desk.talking"),ended:a("desk.ended")}[e.phase],o=e.answered_at?(e.ended_at||d)-e.answered_at:null;return l`<div class=${`panel call-panel phase-${e.phase}`} data-testid="screen-pop">
    <header class="row"><h2>${n}</h2><div class="spacer"></div>
      ${e.on_hold&&e.phase==="talking"&&l`<span class="badge on-hold" data-testid="on-hold">${a("desk.on_hold")}</span>`}
      ${o!==null&&l`<span class="muted">${a("desk.talk_time")} <b class="mono">${$(o)}</b></span>`}</header>
    <div class="caller-line">
      <span class="caller-num" data-testid="pop-caller">${e.caller||"\u2013"}</span>
      ${e.caller_name&&l`<span class="caller-name">${e.caller_name}</span>`}
    </div>
    <div class="fields">
      <${u} label=${a("desk.queue")} testid="pop-queue">${e.queue||"\u2013"}</${u}>
      <${u} label=${a("desk.did")}>${e.did||"\u2013"}</${u}>
      <${u} label=${a("desk.language")}>${e.language||"\u2013"}</${u}>
      ${e.wait!=null&&l`<${u} label=${a("desk.waited")}>${$(e.wait)}</${u}>`}
      ${e.callback_number&&l`<${u} label=${a("desk.callback")}>${e.callback_number}</${u}>`}
    </div>
    <${ye} c=${e} />
    <${xe} agentId=${t} c=${e} />
  </div>`}var P={save:null};function fe({agentId:t}){let e=r.value,[d,n]=h(e.wrapup&&e.wrapup.code||""),[o,s]=h(e.wrapup&&e.wrapup.notes||"");_(()=>{n(e.wrapup&&e.wrapup.code||""),s(e.wrapup&&e.wrapup.notes||"")},[e.call_id]);let i=k.value&&k.value.state==="wrap_up",p=async c=>{!(!(d||o.trim())||await pe(d,o))||!c||(i?await H(t):F())};return P.save=p,_(()=>()=>{P.save=null},[]),l`<div class="panel wrapup" data-testid="wrapup">
    <h2>${a("desk.wrapup")}</h2>
    <div class="row">
      <label class="muted">${a("desk.code")}
        <select data-testid="wrapup-code" value=${d} onChange=${c=>n(c.target.value)}>
          <option value="">–</option>
          ${(g.value.wrapup_codes||[]).map(c=>l`<option value=${c}>${c}</option>`)}
        </select></label>
    </div>
    <label class="muted notes">${a("desk.notes")}
      <textarea data-testid="wrapup-notes" rows="3" value=${o} onInput=${c=>s(c.target.value)}
        onKeyDown=${c=>{c.key==="Enter"&&(c.ctrlKey||c.metaKey)&&(c.preventDefault(),p(!0))}}></textarea></label>
    <div class="row">
      <button data-testid="wrapup-save" onClick=${()=>p(!1)}>${a("desk.save")} <kbd>Alt+S</kbd></button>
      <button class="primary" data-testid="wrapup-save-end" onClick=${()=>p(!0)}>
        ${i?a("desk.save_end"):a("desk.done")} <kbd>Ctrl+Enter</kbd></button>
      ${e.wrapup&&l`<span class="ok-text" data-testid="wrapup-saved">✓ ${a("desk.saved")}</span>`}
    </div>
  </div>`}function me(){let t=R.value;return t?l`<div class="panel history" data-testid="history">
    <h2>${a("desk.history")}</h2>
    ${t.calls.length===0?l`<div class="muted">${a("desk.no_history")}</div>`:l`<table><tbody>
      ${t.calls.map(e=>l`<tr key=${e.call_id}>
        <td><a href=${"#/quality?call="+encodeURIComponent(e.call_id)} data-testid="history-open">${ne(e.arrived_at)}</a></td><td>${e.queue||"\u2013"}</td><td>${e.agent||"\u2013"}</td>
        <td>${e.disposition}</td><td class="num">${$(e.talk_s)}</td>
        <td>${e.wrapup?l`<b>${e.wrapup.code||""}</b> ${e.wrapup.notes||""}`:""}</td></tr>`)}
    </tbody></table>`}
  </div>`:null}function ve(){let t=K.value;return l`<div class="panel today" data-testid="today">
    <h2>${a("desk.today")}</h2>
    <div class="row stats">
      <${C} label=${a("desk.answered")} value=${t?t.answered:0} />
      <${C} label=${a("desk.missed")} value=${t?t.missed:0} />
      <${C} label=${a("desk.aht")} value=${$(t&&t.aht)} />
      <${C} label=${a("desk.talk")} value=${$(t?t.talk_time:0)} />
      <${C} label=${a("desk.occupancy")} value=${se(t&&t.occupancy)} />
      <${C} label=${a("desk.paused_time")} value=${$(t?t.pause_time:0)} />
    </div>
  </div>`}function he({agentId:t}){let e=ae(null);_(()=>{let n=null,o=!0,s=new URL("phone/desk.js",document.baseURI).toString();return fetch(s,{method:"HEAD"}).then(i=>{if(!(!i.ok||!o))return import(s).then(p=>{o&&p.mount&&(n=p.mount(e.current,{token:D.value.token,agent:t,phone:k.value&&k.value.phone}))})}).catch(()=>{}),()=>{o=!1,typeof n=="function"&&n()}},[t]);let d=k.value;return l`<div class="panel phone" data-testid="phone-slot">
    <h2>${a("desk.softphone")}</h2>
    <div ref=${e} class="phone-slot"></div>
    <div class="muted small">${a("desk.sip_phone",{phone:d&&(d.phone||d.interface)||"\u2013"})}</div>
  </div>`}var Re=[["Alt+R","desk.ready"],["Alt+P","desk.pause"],["1\u20269","desk.pause_reason"],["Alt+E","desk.end_wrapup"],["Alt+H","desk.hangup"],["Alt+K","desk.hold"],["Alt+T","desk.transfer"],["Alt+S","desk.save"],["Ctrl+Enter","desk.save_end"],["?","desk.shortcuts"]];function _e(t,e){_(()=>{if(!t)return;let d=n=>{let o=/^(INPUT|TEXTAREA|SELECT)$/.test(n.target.tagName);if(y.value&&!n.altKey&&/^[1-9]$/.test(n.key)){let S=(g.value.pause_reasons||[])[Number(n.key)-1];S&&(n.preventDefault(),y.value=!1,Q(t,S));return}if(n.key==="Escape"){y.value=!1;return}if(!n.altKey){n.key==="?"&&!o&&(n.preventDefault(),e());return}let s=r.value,i=k.value,p=n.key.toLowerCase(),c={r:()=>J(t),p:()=>{y.value=!y.value},e:()=>i&&i.state==="wrap_up"&&(P.save?P.save(!0):H(t)),h:()=>s&&s.phase==="talking"&&X(t),k:()=>s&&s.phase==="talking"&&z(!s.on_hold),t:()=>s&&s.phase==="talking"&&Y.set&&Y.set(!0),s:()=>P.save&&P.save(!1)}[p];c&&(n.preventDefault(),c())};return window.addEventListener("keydown",d),()=>window.removeEventListener("keydown",d)},[t])}function ge({onClose:t}){return l`<${A} title=${a("desk.shortcuts")} onClose=${t}>
    <table class="shortcuts"><tbody>${Re.map(([e,d])=>l`<tr key=${e}><td><kbd>${e}</kbd></td><td>${a(d)}</td></tr>`)}</tbody></table>
  </${A}>`}function Pe(){let t=D.value,e=t&&t.agent,[d,n]=h(!1);if(_(()=>e?re(e):void 0,[e]),_e(e,()=>n(p=>!p)),!e)return l`<${E}>${a("desk.not_agent")}</${E}>`;let o=k.value,s=r.value,i=o&&(o.state==="wrap_up"||s&&s.phase==="ended");return l`<div class="desk" data-testid="desk">
    <div class="desk-left">
      <${ke} agentId=${e} />
      <${ve} />
      <${he} agentId=${e} />
    </div>
    <div class="desk-main">
      ${M.value&&l`<div class="panel error">${M.value}</div>`}
      <${$e} agentId=${e} />
      ${i&&s&&l`<${fe} agentId=${e} />`}
    </div>
    <div class="desk-right">
      <${me} />
      <button class="ghost small" onClick=${()=>n(!0)}>${a("desk.shortcuts")} <kbd>?</kbd></button>
    </div>
    ${d&&l`<${ge} onClose=${()=>n(!1)} />`}
  </div>`}export{Pe as default};

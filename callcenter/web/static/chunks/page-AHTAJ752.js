import{a as g,b as N,c as S,d as Q,e as P,f as E,g as A,i as f,j as M,k as I,l as U}from"./chunk-DCAU3XRI.js";import{c as m}from"./chunk-MSWPEEKU.js";import"./chunk-J5CW4CGO.js";import{b as T}from"./chunk-Z34AHFKW.js";import{b as p,d as R,e as b}from"./chunk-BU7XLANR.js";import{a as h,b as _,c as w,d as y}from"./chunk-3ARAPQD3.js";import{b as d,c as v,h as F,i as B,j as n,p as W,q as a,u as $}from"./chunk-FIC5Y7K7.js";W("en",{"wb.waiting":"Waiting","wb.longest":"Longest wait","wb.sl":"Service level","wb.asa":"ASA","wb.aht":"AHT","wb.abandon":"Abandoned","wb.offered":"Offered","wb.answered":"Answered","wb.target":"target {p}% in {s}s","wb.queues":"Queues","wb.agents":"Agents","wb.calls":"Waiting calls","wb.no_calls":"Nobody is waiting.","wb.alerts":"Alerts","wb.full":"Full screen","wb.exit_full":"Exit full screen","wb.move":"Move","wb.priority":"Priority","wb.hangup":"Hang up","wb.move_to":"Move to queue","wb.listen":"Listen","wb.whisper":"Whisper","wb.barge":"Barge","wb.force_pause":"Force pause","wb.force_logout":"Force logout","wb.my_phone":"Your phone (rings for listen / whisper / barge)","wb.spy_ringing":"Your phone {phone} is ringing","wb.confirm_hangup":"Hang up call {id}?","wb.chart_calls":"Calls today (per 15 min)","wb.chart_sl":"Service level today (%)","wb.chart_waiting":"Waiting now (since this page opened)","wb.updated":"updated {t}","wb.alert_waiting":"{q}: {n} calls waiting (alert above {x})","wb.alert_longest":"{q}: a caller has waited {t} (alert above {x})","wb.alert_abandon":"{q}: abandon rate {p}% (alert above {x}%)","wb.alert_sl":"{q}: service level {p}% below its target {x}%","wb.alert_risk":"risk words on a call of {q} (agent {a}): {s}","wb.no_alerts":"No threshold breached.","wb.pos":"#","wb.caller":"Caller","wb.queue":"Queue","wb.wait":"Wait","wb.actions":"Actions","wb.state_time":"in state"});W("zh",{"wb.waiting":"\u6392\u961F","wb.longest":"\u6700\u957F\u7B49\u5F85","wb.sl":"\u670D\u52A1\u6C34\u5E73","wb.asa":"\u5E73\u5747\u5E94\u7B54","wb.aht":"\u5E73\u5747\u5904\u7406","wb.abandon":"\u653E\u5F03","wb.offered":"\u547C\u5165","wb.answered":"\u63A5\u542C","wb.target":"\u76EE\u6807 {s} \u79D2\u5185 {p}%","wb.queues":"\u961F\u5217","wb.agents":"\u5EA7\u5E2D","wb.calls":"\u6392\u961F\u6765\u7535","wb.no_calls":"\u5F53\u524D\u65E0\u4EBA\u6392\u961F\u3002","wb.alerts":"\u544A\u8B66","wb.full":"\u5168\u5C4F","wb.exit_full":"\u9000\u51FA\u5168\u5C4F","wb.move":"\u8F6C\u79FB","wb.priority":"\u4F18\u5148\u7EA7","wb.hangup":"\u6302\u65AD","wb.move_to":"\u8F6C\u79FB\u5230\u961F\u5217","wb.listen":"\u76D1\u542C","wb.whisper":"\u8033\u8BED","wb.barge":"\u5F3A\u63D2","wb.force_pause":"\u5F3A\u5236\u5C0F\u4F11","wb.force_logout":"\u5F3A\u5236\u7B7E\u51FA","wb.my_phone":"\u60A8\u7684\u8BDD\u673A\uFF08\u76D1\u542C/\u8033\u8BED/\u5F3A\u63D2\u65F6\u632F\u94C3\uFF09","wb.spy_ringing":"\u60A8\u7684\u8BDD\u673A {phone} \u6B63\u5728\u632F\u94C3","wb.confirm_hangup":"\u6302\u65AD\u6765\u7535 {id}\uFF1F","wb.chart_calls":"\u4ECA\u65E5\u6765\u7535\uFF08\u6BCF 15 \u5206\u949F\uFF09","wb.chart_sl":"\u4ECA\u65E5\u670D\u52A1\u6C34\u5E73 (%)","wb.chart_waiting":"\u5B9E\u65F6\u6392\u961F\uFF08\u81EA\u6253\u5F00\u672C\u9875\u8D77\uFF09","wb.updated":"\u66F4\u65B0\u4E8E {t}","wb.alert_waiting":"{q}\uFF1A{n} \u901A\u6765\u7535\u6392\u961F\uFF08\u544A\u8B66\u9608\u503C {x}\uFF09","wb.alert_longest":"{q}\uFF1A\u6765\u7535\u5DF2\u7B49\u5F85 {t}\uFF08\u544A\u8B66\u9608\u503C {x}\uFF09","wb.alert_abandon":"{q}\uFF1A\u653E\u5F03\u7387 {p}%\uFF08\u544A\u8B66\u9608\u503C {x}%\uFF09","wb.alert_sl":"{q}\uFF1A\u670D\u52A1\u6C34\u5E73 {p}% \u4F4E\u4E8E\u76EE\u6807 {x}%","wb.alert_risk":"{q} \u7684\u901A\u8BDD\u51FA\u73B0\u98CE\u9669\u8BCD\uFF08\u5EA7\u5E2D {a}\uFF09\uFF1A{s}","wb.no_alerts":"\u65E0\u544A\u8B66\u3002","wb.pos":"#","wb.caller":"\u4E3B\u53EB","wb.queue":"\u961F\u5217","wb.wait":"\u7B49\u5F85","wb.actions":"\u64CD\u4F5C","wb.state_time":"\u72B6\u6001\u65F6\u957F"});var x=40,k=50,C=50,H=t=>{let e=Math.PI*(1-Math.min(100,Math.max(0,t))/100);return[k+x*Math.cos(e),C-x*Math.sin(e)]},G=t=>{let[e,l]=H(t);return`M ${k-x} ${C} A ${x} ${x} 0 0 1 ${e.toFixed(2)} ${l.toFixed(2)}`};function L({value:t,target:e,label:l}){let s=t??null,i=s===null?"none":s>=e?"good":s>=e-10?"warn":"bad",[r,c]=H(e),[u,o]=[k+(r-k)*.78,C+(c-C)*.78];return n`<svg class=${`gauge gauge-${i}`} viewBox="0 0 100 58" role="img" aria-label=${l}>
    <path d=${G(100)} class="gauge-track" />
    ${s!==null&&s>0&&n`<path d=${G(s)} class="gauge-value" />`}
    <line x1=${u} y1=${o} x2=${r+(r-k)*.12} y2=${c+(c-C)*.12} class="gauge-target" />
    <text x="50" y="50" class="gauge-text">${s===null?"\u2013":`${Math.round(s)}%`}</text>
  </svg>`}var Y=5;function at(t){let e=A.value.alerts||{},l=[];e.waiting!=null&&t.calls_waiting>e.waiting&&l.push(["waiting",a("wb.alert_waiting",{q:t.name,n:t.calls_waiting,x:e.waiting})]);let s=t.longest_since?f.value-t.longest_since:0;return e.longest_wait!=null&&s>e.longest_wait&&l.push(["longest",a("wb.alert_longest",{q:t.name,t:h(s),x:h(e.longest_wait)})]),e.abandon_rate!=null&&t.abandon_rate!==null&&t.offered>=Y&&t.abandon_rate>e.abandon_rate&&l.push(["abandon",a("wb.alert_abandon",{q:t.name,p:t.abandon_rate,x:e.abandon_rate})]),t.service_level!==null&&t.offered>=Y&&t.service_level<(t.sl_percent||80)&&l.push(["sl",a("wb.alert_sl",{q:t.name,p:t.service_level,x:t.sl_percent||80})]),l}var q=new Map,j=F(()=>{let t=f.value,e=[],l=new Set;for(let s of g.value){let i=I(s);if(i)for(let[r,c]of at(i.value)){let u=`${s}:${r}`;l.add(u),q.has(u)||q.set(u,t),e.push({key:u,text:c,since:q.get(u)})}}for(let s of[...q.keys()])l.has(s)||q.delete(s);return e}),X=F(()=>[...new Set(j.value.map(t=>t.key.split(":")[0]))].sort().join(","));function z(){let t=j.value,e=M.value,l=s=>{M.value=M.value.filter(i=>i.key!==s)};return n`<div class=${`alerts ${t.length||e.length?"on":""}`} data-testid="alerts" role="status">
    ${t.length===0&&e.length===0&&n`<span class="muted">${a("wb.no_alerts")}</span>`}
    ${t.map(s=>n`<span class="alert-item" key=${s.key}>⚠ ${s.text} <span class="muted">${y(s.since)}</span></span>`)}
    ${e.map(s=>n`<span class="alert-item risk" key=${s.key} data-testid="risk-alert">
      ⚑ <a href=${"#/quality?call="+encodeURIComponent(s.call_id)} data-testid="risk-open" style="color: inherit">${a("wb.alert_risk",{q:s.queue||"\u2013",a:s.agent||"\u2013",s:s.summary})}</a> <span class="muted">${y(s.ts)}</span>
      <button class="icon small" title=${a("ui.close")} onClick=${()=>l(s.key)}>×</button></span>`)}
  </div>`}var D=["ready","on_call","offered","wrap_up","paused","logged_out"];function O({states:t,total:e}){let l=e||Object.values(t||{}).reduce((s,i)=>s+i,0)||1;return n`<div class="state-bar" title=${D.map(s=>`${a("state."+s)}: ${(t||{})[s]||0}`).join(" \xB7 ")}>
    ${D.map(s=>(t||{})[s]?n`<span class=${`seg state-${s}`} style=${`width:${100*t[s]/l}%`}>${t[s]}</span>`:null)}
  </div>`}function st({name:t}){let e=I(t).value,l=X.value.split(",").includes(t);return n`<div class=${`qtile ${l?"alert":""}`} data-testid=${`queue-${t}`} data-queue=${t}>
    <div class="qtile-head"><b>${t}</b><span class="muted">${e.strategy}</span></div>
    <div class="qtile-body">
      <div class="qtile-nums">
        <div class=${`big-num ${e.calls_waiting?"hot":""}`} data-field="waiting">${e.calls_waiting}</div>
        <div class="muted">${a("wb.waiting")}</div>
        <div class="mono" data-field="longest" ...${m(e.longest_since,"0:00")} />
        <div class="muted">${a("wb.longest")}</div>
      </div>
      <div class="qtile-gauge">
        ${L({value:e.service_level,target:e.sl_percent||80,label:a("wb.sl")})}
        <div class="muted tiny">${a("wb.target",{p:e.sl_percent||80,s:e.sl_target})}</div>
      </div>
    </div>
    <div class="qtile-figs">
      <span>${a("wb.asa")} <b data-field="asa">${w(e.asa)}</b></span>
      <span>${a("wb.aht")} <b data-field="aht">${w(e.aht)}</b></span>
      <span>${a("wb.abandon")} <b data-field="abandon_rate">${_(e.abandon_rate)}</b></span>
      <span>${a("wb.answered")} <b data-field="answered">${e.answered}</b>/<b data-field="offered">${e.offered}</b></span>
    </div>
    ${O({states:e.agent_states})}
  </div>`}function J(){return n`<div class="qtiles">${g.value.map(t=>n`<${st} key=${t} name=${t} />`)}</div>`}function lt({id:t}){let e=P.get(t).value,[l,s]=d(!1),i=encodeURIComponent(t),r=o=>{s(!1),o&&o!==e.queue&&p(()=>$(`api/calls/${i}/move`,{queue:o}),`${e.caller} \u2192 ${o}`)},c=o=>p(()=>$(`api/calls/${i}/priority`,{priority:Math.max(0,Math.min(100,o))})),u=()=>{confirm(a("wb.confirm_hangup",{id:e.caller||t}))&&p(()=>$(`api/calls/${i}/hangup`))};return n`<tr data-testid=${`call-${t}`} data-call=${t}>
    <td class="num">${e.position}</td><td>${e.caller||"\u2013"}</td><td>${e.queue}</td>
    <td class="num mono" ...${m(e.since)} />
    <td class="num">${e.priority}
      <button class="small" title=${a("wb.priority")+" +1"} onClick=${()=>c(e.priority+1)}>+</button>
      <button class="small" title=${a("wb.priority")+" \u22121"} disabled=${e.priority<=0} onClick=${()=>c(e.priority-1)}>−</button></td>
    <td>${l?n`<select autofocus data-testid="move-select" onChange=${o=>r(o.target.value)} onBlur=${()=>s(!1)}>
          <option value="">${a("wb.move_to")}</option>
          ${g.value.filter(o=>o!==e.queue).map(o=>n`<option value=${o}>${o}</option>`)}</select>`:n`<button class="small" data-testid="btn-move" onClick=${()=>s(!0)}>${a("wb.move")}</button>`}
      <button class="small danger" title=${a("wb.hangup")} onClick=${u}>✕</button></td>
  </tr>`}var nt=25,K=200;function V(){let t=Q.value,[e,l]=d(nt),s=t.length>0;return v(()=>{s&&e<K&&l(K)},[s]),n`<div class="panel wcalls" data-testid="waiting-calls">
    <h2>${a("wb.calls")} <span class="muted">(${t.length})</span></h2>
    ${t.length===0?n`<div class="muted">${a("wb.no_calls")}</div>`:n`<div class="scroll"><table>
      <thead><tr><th class="num">${a("wb.pos")}</th><th>${a("wb.caller")}</th><th>${a("wb.queue")}</th>
        <th class="num">${a("wb.wait")}</th><th class="num">${a("wb.priority")}</th><th>${a("wb.actions")}</th></tr></thead>
      <tbody>${t.slice(0,e).map(i=>n`<${lt} key=${i} id=${i} />`)}</tbody></table></div>`}
  </div>`}var Z="callcenter.supervisor_phone";function ot({a:t,onClose:e}){let[l,s]=d(localStorage.getItem(Z)||""),i=encodeURIComponent(t.agent_id),r=o=>{l.trim()&&(localStorage.setItem(Z,l.trim()),p(()=>$(`api/agents/${i}/spy`,{mode:o,phone:l.trim()}),a("wb.spy_ringing",{phone:l.trim()})),e())},c=(o,et)=>{p(()=>$(`api/agents/${i}/${o}`,et),`${t.agent_id}: ${o}`),e()},u=t.state==="on_call";return n`<${R} title=${`${t.name||t.agent_id} \xB7 ${a("state."+t.state)}`} onClose=${e}>
    <label>${a("wb.my_phone")}<input value=${l} placeholder="PJSIP/2100" onInput=${o=>s(o.target.value)} /></label>
    <div class="actions wrap">
      <button disabled=${!u||!l.trim()} onClick=${()=>r("listen")}>${a("wb.listen")}</button>
      <button disabled=${!u||!l.trim()} onClick=${()=>r("whisper")}>${a("wb.whisper")}</button>
      <button disabled=${!u||!l.trim()} onClick=${()=>r("barge")}>${a("wb.barge")}</button>
    </div>
    <div class="actions wrap">
      ${(A.value.pause_reasons||[]).map(o=>n`<button disabled=${t.state==="logged_out"}
          onClick=${()=>c("pause",{reason:o})}>${a("wb.force_pause")}: ${o}</button>`)}
      <button class="danger" disabled=${t.state==="logged_out"} onClick=${()=>c("logout",{reason:"supervisor"})}>${a("wb.force_logout")}</button>
    </div>
  </${R}>`}function it({id:t,onOpen:e}){let l=S.get(t).value;return n`<button class=${`acard state-${l.state}`} data-testid=${`agent-${t}`} data-state=${l.state}
                      title=${`${l.agent_id} ${l.phone||l.interface||""}`} onClick=${()=>e(t)}>
    <span class="acard-name">${l.name||l.agent_id}</span>
    <span class="acard-state">${a("state."+l.state)}${l.state==="paused"&&l.reason?` \xB7 ${l.reason}`:""}</span>
    <span class="mono" ...${m(l.state_since)} />
  </button>`}function tt(){let[t,e]=d(null),l=N.value;return n`<div class="agrid" data-testid="agents">
    ${l.map(s=>n`<${it} key=${s} id=${s} onOpen=${e} />`)}
    ${t&&S.get(t)&&n`<${ot} a=${S.get(t).value} onClose=${()=>e(null)} />`}
  </div>`}function rt(){let t=E.value;return t?n`<div class="kpis panel" data-testid="totals">
    <${b} label=${a("wb.waiting")} value=${t.waiting} cls=${t.waiting?"hot":""} />
    <${b} label=${a("wb.longest")} value=${h(t.longest)} />
    <${b} label=${a("wb.sl")} value=${_(t.service_level)} />
    <${b} label=${a("wb.asa")} value=${w(t.asa)} />
    <${b} label=${a("wb.aht")} value=${w(t.aht)} />
    <${b} label=${a("wb.abandon")} value=${_(t.abandon_rate)} />
    <${b} label=${a("wb.offered")} value=${t.offered} />
    <${b} label=${a("wb.answered")} value=${t.answered} />
    <div class="kpi-states"><div class="stat-label">${a("wb.agents")}</div>${O({states:t.states})}</div>
  </div>`:n`<div class="kpis panel">${a("ui.loading")}</div>`}function ct({full:t}){let e=()=>{t?(document.fullscreenElement&&document.exitFullscreen().catch(()=>{}),T("/wallboard")):(document.documentElement.requestFullscreen?.().catch(()=>{}),T("/wallboard",{full:"1"}))};return n`<div class="wb-toolbar">
    <span class="muted" data-testid="updated">${f.value?a("wb.updated",{t:y(f.value)}):""}</span>
    <button class="ghost small" data-testid="fullscreen" onClick=${e}>${t?a("wb.exit_full"):a("wb.full")}</button>
  </div>`}function ut({query:t}){let[e,l]=d(null),[s]=d(U);v(()=>s,[]),v(()=>{let r=!1;return B(()=>{!E.value||r||(r=!0,requestAnimationFrame(()=>import("./charts-UIUZBSH6.js").then(c=>l(()=>c.DayCharts),()=>{})))})},[]);let i=t.full==="1";return n`<div class=${`wallboard ${i?"full":""}`} data-testid="wallboard">
    <div class="wb-top"><${rt} /><${ct} full=${i} /></div>
    <${z} />
    <div class="wb-main">
      <div class="wb-queues"><h2>${a("wb.queues")}</h2><${J} /></div>
      <${V} />
    </div>
    <div class="panel wb-agents"><h2>${a("wb.agents")}</h2><${tt} /></div>
    ${e&&n`<${e} />`}
  </div>`}export{ut as default};

import{a as v,b as E,c as S,d as Q,e as R,f as A,g as M,i as f,j as F,k as O}from"./chunk-RJ6FEYDU.js";import{b as m}from"./chunk-M7643Z2H.js";import"./chunk-F3BLJ27Q.js";import{b as W}from"./chunk-7DUEW4NB.js";import{a as d,b as h,c as g,d as q}from"./chunk-OVUTG5KB.js";import{b as p,d as T,e as b}from"./chunk-NZOA6AG4.js";import{b as $,c as C,h as I,j as l,p as N,q as a,u as w}from"./chunk-ZXUWONE6.js";N("en",{"wb.waiting":"Waiting","wb.longest":"Longest wait","wb.sl":"Service level","wb.asa":"ASA","wb.aht":"AHT","wb.abandon":"Abandoned","wb.offered":"Offered","wb.answered":"Answered","wb.target":"target {p}% in {s}s","wb.queues":"Queues","wb.agents":"Agents","wb.calls":"Waiting calls","wb.no_calls":"Nobody is waiting.","wb.alerts":"Alerts","wb.full":"Full screen","wb.exit_full":"Exit full screen","wb.move":"Move","wb.priority":"Priority","wb.hangup":"Hang up","wb.move_to":"Move to queue","wb.listen":"Listen","wb.whisper":"Whisper","wb.barge":"Barge","wb.force_pause":"Force pause","wb.force_logout":"Force logout","wb.my_phone":"Your phone (rings for listen / whisper / barge)","wb.spy_ringing":"Your phone {phone} is ringing","wb.confirm_hangup":"Hang up call {id}?","wb.chart_calls":"Calls today (per 15 min)","wb.chart_sl":"Service level today (%)","wb.chart_waiting":"Waiting now (since this page opened)","wb.updated":"updated {t}","wb.alert_waiting":"{q}: {n} calls waiting (alert above {x})","wb.alert_longest":"{q}: a caller has waited {t} (alert above {x})","wb.alert_abandon":"{q}: abandon rate {p}% (alert above {x}%)","wb.alert_sl":"{q}: service level {p}% below its target {x}%","wb.no_alerts":"No threshold breached.","wb.pos":"#","wb.caller":"Caller","wb.queue":"Queue","wb.wait":"Wait","wb.actions":"Actions","wb.state_time":"in state"});N("zh",{"wb.waiting":"\u6392\u961F","wb.longest":"\u6700\u957F\u7B49\u5F85","wb.sl":"\u670D\u52A1\u6C34\u5E73","wb.asa":"\u5E73\u5747\u5E94\u7B54","wb.aht":"\u5E73\u5747\u5904\u7406","wb.abandon":"\u653E\u5F03","wb.offered":"\u547C\u5165","wb.answered":"\u63A5\u542C","wb.target":"\u76EE\u6807 {s} \u79D2\u5185 {p}%","wb.queues":"\u961F\u5217","wb.agents":"\u5EA7\u5E2D","wb.calls":"\u6392\u961F\u6765\u7535","wb.no_calls":"\u5F53\u524D\u65E0\u4EBA\u6392\u961F\u3002","wb.alerts":"\u544A\u8B66","wb.full":"\u5168\u5C4F","wb.exit_full":"\u9000\u51FA\u5168\u5C4F","wb.move":"\u8F6C\u79FB","wb.priority":"\u4F18\u5148\u7EA7","wb.hangup":"\u6302\u65AD","wb.move_to":"\u8F6C\u79FB\u5230\u961F\u5217","wb.listen":"\u76D1\u542C","wb.whisper":"\u8033\u8BED","wb.barge":"\u5F3A\u63D2","wb.force_pause":"\u5F3A\u5236\u5C0F\u4F11","wb.force_logout":"\u5F3A\u5236\u7B7E\u51FA","wb.my_phone":"\u60A8\u7684\u8BDD\u673A\uFF08\u76D1\u542C/\u8033\u8BED/\u5F3A\u63D2\u65F6\u632F\u94C3\uFF09","wb.spy_ringing":"\u60A8\u7684\u8BDD\u673A {phone} \u6B63\u5728\u632F\u94C3","wb.confirm_hangup":"\u6302\u65AD\u6765\u7535 {id}\uFF1F","wb.chart_calls":"\u4ECA\u65E5\u6765\u7535\uFF08\u6BCF 15 \u5206\u949F\uFF09","wb.chart_sl":"\u4ECA\u65E5\u670D\u52A1\u6C34\u5E73 (%)","wb.chart_waiting":"\u5B9E\u65F6\u6392\u961F\uFF08\u81EA\u6253\u5F00\u672C\u9875\u8D77\uFF09","wb.updated":"\u66F4\u65B0\u4E8E {t}","wb.alert_waiting":"{q}\uFF1A{n} \u901A\u6765\u7535\u6392\u961F\uFF08\u544A\u8B66\u9608\u503C {x}\uFF09","wb.alert_longest":"{q}\uFF1A\u6765\u7535\u5DF2\u7B49\u5F85 {t}\uFF08\u544A\u8B66\u9608\u503C {x}\uFF09","wb.alert_abandon":"{q}\uFF1A\u653E\u5F03\u7387 {p}%\uFF08\u544A\u8B66\u9608\u503C {x}%\uFF09","wb.alert_sl":"{q}\uFF1A\u670D\u52A1\u6C34\u5E73 {p}% \u4F4E\u4E8E\u76EE\u6807 {x}%","wb.no_alerts":"\u65E0\u544A\u8B66\u3002","wb.pos":"#","wb.caller":"\u4E3B\u53EB","wb.queue":"\u961F\u5217","wb.wait":"\u7B49\u5F85","wb.actions":"\u64CD\u4F5C","wb.state_time":"\u72B6\u6001\u65F6\u957F"});var _=40,x=50,y=50,G=t=>{let e=Math.PI*(1-Math.min(100,Math.max(0,t))/100);return[x+_*Math.cos(e),y-_*Math.sin(e)]},P=t=>{let[e,s]=G(t);return`M ${x-_} ${y} A ${_} ${_} 0 0 1 ${e.toFixed(2)} ${s.toFixed(2)}`};function H({value:t,target:e,label:s}){let n=t??null,i=n===null?"none":n>=e?"good":n>=e-10?"warn":"bad",[c,u]=G(e),[r,o]=[x+(c-x)*.78,y+(u-y)*.78];return l`<svg class=${`gauge gauge-${i}`} viewBox="0 0 100 58" role="img" aria-label=${s}>
    <path d=${P(100)} class="gauge-track" />
    ${n!==null&&n>0&&l`<path d=${P(n)} class="gauge-value" />`}
    <line x1=${r} y1=${o} x2=${c+(c-x)*.12} y2=${u+(u-y)*.12} class="gauge-target" />
    <text x="50" y="50" class="gauge-text">${n===null?"\u2013":`${Math.round(n)}%`}</text>
  </svg>`}var U=5;function Z(t){let e=M.value.alerts||{},s=[];e.waiting!=null&&t.calls_waiting>e.waiting&&s.push(["waiting",a("wb.alert_waiting",{q:t.name,n:t.calls_waiting,x:e.waiting})]);let n=t.longest_since?f.value-t.longest_since:0;return e.longest_wait!=null&&n>e.longest_wait&&s.push(["longest",a("wb.alert_longest",{q:t.name,t:d(n),x:d(e.longest_wait)})]),e.abandon_rate!=null&&t.abandon_rate!==null&&t.offered>=U&&t.abandon_rate>e.abandon_rate&&s.push(["abandon",a("wb.alert_abandon",{q:t.name,p:t.abandon_rate,x:e.abandon_rate})]),t.service_level!==null&&t.offered>=U&&t.service_level<(t.sl_percent||80)&&s.push(["sl",a("wb.alert_sl",{q:t.name,p:t.service_level,x:t.sl_percent||80})]),s}var k=new Map,Y=I(()=>{let t=f.value,e=[],s=new Set;for(let n of v.value){let i=F(n);if(i)for(let[c,u]of Z(i.value)){let r=`${n}:${c}`;s.add(r),k.has(r)||k.set(r,t),e.push({key:r,text:u,since:k.get(r)})}}for(let n of[...k.keys()])s.has(n)||k.delete(n);return e}),j=I(()=>[...new Set(Y.value.map(t=>t.key.split(":")[0]))].sort().join(","));function L(){let t=Y.value;return l`<div class=${`alerts ${t.length?"on":""}`} data-testid="alerts" role="status">
    ${t.length===0?l`<span class="muted">${a("wb.no_alerts")}</span>`:t.map(e=>l`<span class="alert-item" key=${e.key}>⚠ ${e.text} <span class="muted">${q(e.since)}</span></span>`)}
  </div>`}var z=["ready","on_call","offered","wrap_up","paused","logged_out"];function B({states:t,total:e}){let s=e||Object.values(t||{}).reduce((n,i)=>n+i,0)||1;return l`<div class="state-bar" title=${z.map(n=>`${a("state."+n)}: ${(t||{})[n]||0}`).join(" \xB7 ")}>
    ${z.map(n=>(t||{})[n]?l`<span class=${`seg state-${n}`} style=${`width:${100*t[n]/s}%`}>${t[n]}</span>`:null)}
  </div>`}function tt({since:t,testid:e="longest"}){return l`<div class="mono" data-field=${e}>${d(t?m()-t:0)}</div>`}function et({name:t}){let e=F(t).value,s=j.value.split(",").includes(t);return l`<div class=${`qtile ${s?"alert":""}`} data-testid=${`queue-${t}`} data-queue=${t}>
    <div class="qtile-head"><b>${t}</b><span class="muted">${e.strategy}</span></div>
    <div class="qtile-body">
      <div class="qtile-nums">
        <div class=${`big-num ${e.calls_waiting?"hot":""}`} data-field="waiting">${e.calls_waiting}</div>
        <div class="muted">${a("wb.waiting")}</div>
        <${tt} since=${e.longest_since} />
        <div class="muted">${a("wb.longest")}</div>
      </div>
      <div class="qtile-gauge">
        <${H} value=${e.service_level} target=${e.sl_percent||80} label=${a("wb.sl")} />
        <div class="muted tiny">${a("wb.target",{p:e.sl_percent||80,s:e.sl_target})}</div>
      </div>
    </div>
    <div class="qtile-figs">
      <span>${a("wb.asa")} <b data-field="asa">${g(e.asa)}</b></span>
      <span>${a("wb.aht")} <b data-field="aht">${g(e.aht)}</b></span>
      <span>${a("wb.abandon")} <b data-field="abandon_rate">${h(e.abandon_rate)}</b></span>
      <span>${a("wb.answered")} <b data-field="answered">${e.answered}</b>/<b data-field="offered">${e.offered}</b></span>
    </div>
    <${B} states=${e.agent_states} />
  </div>`}function D(){return l`<div class="qtiles">${v.value.map(t=>l`<${et} key=${t} name=${t} />`)}</div>`}var at=({since:t})=>d(m()-t);function st({id:t}){let e=R.get(t).value,[s,n]=$(!1),i=encodeURIComponent(t),c=o=>{n(!1),o&&o!==e.queue&&p(()=>w(`api/calls/${i}/move`,{queue:o}),`${e.caller} \u2192 ${o}`)},u=o=>p(()=>w(`api/calls/${i}/priority`,{priority:Math.max(0,Math.min(100,o))})),r=()=>{confirm(a("wb.confirm_hangup",{id:e.caller||t}))&&p(()=>w(`api/calls/${i}/hangup`))};return l`<tr data-testid=${`call-${t}`} data-call=${t}>
    <td class="num">${e.position}</td><td>${e.caller||"\u2013"}</td><td>${e.queue}</td>
    <td class="num mono"><${at} since=${e.since} /></td>
    <td class="num">${e.priority}
      <button class="small" title=${a("wb.priority")+" +1"} onClick=${()=>u(e.priority+1)}>+</button>
      <button class="small" title=${a("wb.priority")+" \u22121"} disabled=${e.priority<=0} onClick=${()=>u(e.priority-1)}>−</button></td>
    <td>${s?l`<select autofocus data-testid="move-select" onChange=${o=>c(o.target.value)} onBlur=${()=>n(!1)}>
          <option value="">${a("wb.move_to")}</option>
          ${v.value.filter(o=>o!==e.queue).map(o=>l`<option value=${o}>${o}</option>`)}</select>`:l`<button class="small" data-testid="btn-move" onClick=${()=>n(!0)}>${a("wb.move")}</button>`}
      <button class="small danger" title=${a("wb.hangup")} onClick=${r}>✕</button></td>
  </tr>`}function J(){let t=Q.value;return l`<div class="panel wcalls" data-testid="waiting-calls">
    <h2>${a("wb.calls")} <span class="muted">(${t.length})</span></h2>
    ${t.length===0?l`<div class="muted">${a("wb.no_calls")}</div>`:l`<div class="scroll"><table>
      <thead><tr><th class="num">${a("wb.pos")}</th><th>${a("wb.caller")}</th><th>${a("wb.queue")}</th>
        <th class="num">${a("wb.wait")}</th><th class="num">${a("wb.priority")}</th><th>${a("wb.actions")}</th></tr></thead>
      <tbody>${t.slice(0,200).map(e=>l`<${st} key=${e} id=${e} />`)}</tbody></table></div>`}
  </div>`}var K="callcenter.supervisor_phone";function nt({since:t}){return l`<span class="mono">${d(t?m()-t:null)}</span>`}function lt({a:t,onClose:e}){let[s,n]=$(localStorage.getItem(K)||""),i=encodeURIComponent(t.agent_id),c=o=>{s.trim()&&(localStorage.setItem(K,s.trim()),p(()=>w(`api/agents/${i}/spy`,{mode:o,phone:s.trim()}),a("wb.spy_ringing",{phone:s.trim()})),e())},u=(o,V)=>{p(()=>w(`api/agents/${i}/${o}`,V),`${t.agent_id}: ${o}`),e()},r=t.state==="on_call";return l`<${T} title=${`${t.name||t.agent_id} \xB7 ${a("state."+t.state)}`} onClose=${e}>
    <label>${a("wb.my_phone")}<input value=${s} placeholder="PJSIP/2100" onInput=${o=>n(o.target.value)} /></label>
    <div class="actions wrap">
      <button disabled=${!r||!s.trim()} onClick=${()=>c("listen")}>${a("wb.listen")}</button>
      <button disabled=${!r||!s.trim()} onClick=${()=>c("whisper")}>${a("wb.whisper")}</button>
      <button disabled=${!r||!s.trim()} onClick=${()=>c("barge")}>${a("wb.barge")}</button>
    </div>
    <div class="actions wrap">
      ${(M.value.pause_reasons||[]).map(o=>l`<button disabled=${t.state==="logged_out"}
          onClick=${()=>u("pause",{reason:o})}>${a("wb.force_pause")}: ${o}</button>`)}
      <button class="danger" disabled=${t.state==="logged_out"} onClick=${()=>u("logout",{reason:"supervisor"})}>${a("wb.force_logout")}</button>
    </div>
  </${T}>`}function ot({id:t,onOpen:e}){let s=S.get(t).value;return l`<button class=${`acard state-${s.state}`} data-testid=${`agent-${t}`} data-state=${s.state}
                      title=${`${s.agent_id} ${s.phone||s.interface||""}`} onClick=${()=>e(t)}>
    <span class="acard-name">${s.name||s.agent_id}</span>
    <span class="acard-state">${a("state."+s.state)}${s.state==="paused"&&s.reason?` \xB7 ${s.reason}`:""}</span>
    <${nt} since=${s.state_since} />
  </button>`}function X(){let[t,e]=$(null),s=E.value;return l`<div class="agrid" data-testid="agents">
    ${s.map(n=>l`<${ot} key=${n} id=${n} onOpen=${e} />`)}
    ${t&&S.get(t)&&l`<${lt} a=${S.get(t).value} onClose=${()=>e(null)} />`}
  </div>`}function it(){let t=A.value;return t?l`<div class="kpis panel" data-testid="totals">
    <${b} label=${a("wb.waiting")} value=${t.waiting} cls=${t.waiting?"hot":""} />
    <${b} label=${a("wb.longest")} value=${d(t.longest)} />
    <${b} label=${a("wb.sl")} value=${h(t.service_level)} />
    <${b} label=${a("wb.asa")} value=${g(t.asa)} />
    <${b} label=${a("wb.aht")} value=${g(t.aht)} />
    <${b} label=${a("wb.abandon")} value=${h(t.abandon_rate)} />
    <${b} label=${a("wb.offered")} value=${t.offered} />
    <${b} label=${a("wb.answered")} value=${t.answered} />
    <div class="kpi-states"><div class="stat-label">${a("wb.agents")}</div><${B} states=${t.states} /></div>
  </div>`:l`<div class="kpis panel">${a("ui.loading")}</div>`}function rt({full:t}){let e=()=>{t?(document.fullscreenElement&&document.exitFullscreen().catch(()=>{}),W("/wallboard")):(document.documentElement.requestFullscreen?.().catch(()=>{}),W("/wallboard",{full:"1"}))};return l`<div class="wb-toolbar">
    <span class="muted" data-testid="updated">${f.value?a("wb.updated",{t:q(f.value)}):""}</span>
    <button class="ghost small" data-testid="fullscreen" onClick=${e}>${t?a("wb.exit_full"):a("wb.full")}</button>
  </div>`}function ct({query:t}){let[e,s]=$(null);C(()=>O(),[]),C(()=>{A.value&&!e&&requestAnimationFrame(()=>import("./charts-A42IDVZP.js").then(i=>s(()=>i.DayCharts),()=>{}))}),C(()=>{!window.__wallboardFirstRender&&A.value&&(window.__wallboardFirstRender=performance.now())});let n=t.full==="1";return l`<div class=${`wallboard ${n?"full":""}`} data-testid="wallboard">
    <div class="wb-top"><${it} /><${rt} full=${n} /></div>
    <${L} />
    <div class="wb-main">
      <div class="wb-queues"><h2>${a("wb.queues")}</h2><${D} /></div>
      <${J} />
    </div>
    <div class="panel wb-agents"><h2>${a("wb.agents")}</h2><${X} /></div>
    ${e&&l`<${e} />`}
  </div>`}export{ct as default};

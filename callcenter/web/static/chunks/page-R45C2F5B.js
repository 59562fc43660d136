import{a as f,b as Q,c as q,d as O,e as P,f as W,g as S,i as v,j as A,k as R}from"./chunk-RJ6FEYDU.js";import{b as m}from"./chunk-M7643Z2H.js";import"./chunk-F3BLJ27Q.js";import{b as T}from"./chunk-7DUEW4NB.js";import{a as d,b as h,c as g,d as C}from"./chunk-OVUTG5KB.js";import{b as p,d as F,e as b}from"./chunk-NZOA6AG4.js";import{b as $,c as M,h as I,i as E,j as l,p as N,q as a,u as w}from"./chunk-ZXUWONE6.js";N("en",{"wb.waiting":"Waiting","wb.longest":"Longest wait","wb.sl":"Service level","wb.asa":"ASA","wb.aht":"AHT","wb.abandon":"Abandoned","wb.offered":"Offered","wb.answered":"Answered","wb.target":"target {p}% in {s}s","wb.queues":"Queues","wb.agents":"Agents","wb.calls":"Waiting calls","wb.no_calls":"Nobody is waiting.","wb.alerts":"Alerts","wb.full":"Full screen","wb.exit_full":"Exit full screen","wb.move":"Move","wb.priority":"Priority","wb.hangup":"Hang up","wb.move_to":"Move to queue","wb.listen":"Listen","wb.whisper":"Whisper","wb.barge":"Barge","wb.force_pause":"Force pause","wb.force_logout":"Force logout","wb.my_phone":"Your phone (rings for listen / whisper / barge)","wb.spy_ringing":"Your phone {phone} is ringing","wb.confirm_hangup":"Hang up call {id}?","wb.chart_calls":"Calls today (per 15 min)","wb.chart_sl":"Service level today (%)","wb.chart_waiting":"Waiting now (since this page opened)","wb.updated":"updated {t}","wb.alert_waiting":"{q}: {n} calls waiting (alert above {x})","wb.alert_longest":"{q}: a caller has waited {t} (alert above {x})","wb.alert_abandon":"{q}: abandon rate {p}% (alert above {x}%)","wb.alert_sl":"{q}: service level {p}% below its target {x}%","wb.no_alerts":"No threshold breached.","wb.pos":"#","wb.caller":"Caller","wb.queue":"Queue","wb.wait":"Wait","wb.actions":"Actions","wb.state_time":"in state"});N("zh",{"wb.waiting":"\u6392\u961F","wb.longest":"\u6700\u957F\u7B49\u5F85","wb.sl":"\u670D\u52A1\u6C34\u5E73","wb.asa":"\u5E73\u5747\u5E94\u7B54","wb.aht":"\u5E73\u5747\u5904\u7406","wb.abandon":"\u653E\u5F03","wb.offered":"\u547C\u5165","wb.answered":"\u63A5\u542C","wb.target":"\u76EE\u6807 {s} \u79D2\u5185 {p}%","wb.queues":"\u961F\u5217","wb.agents":"\u5EA7\u5E2D","wb.calls":"\u6392\u961F\u6765\u7535","wb.no_calls":"\u5F53\u524D\u65E0\u4EBA\u6392\u961F\u3002","wb.alerts":"\u544A\u8B66","wb.full":"\u5168\u5C4F","wb.exit_full":"\u9000\u51FA\u5168\u5C4F","wb.move":"\u8F6C\u79FB","wb.priority":"\u4F18\u5148\u7EA7","wb.hangup":"\u6302\u65AD","wb.move_to":"\u8F6C\u79FB\u5230\u961F\u5217","wb.listen":"\u76D1\u542C","wb.whisper":"\u8033\u8BED","wb.barge":"\u5F3A\u63D2","wb.force_pause":"\u5F3A\u5236\u5C0F\u4F11","wb.force_logout":"\u5F3A\u5236\u7B7E\u51FA","wb.my_phone":"\u60A8\u7684\u8BDD\u673A\uFF08\u76D1\u542C/\u8033\u8BED/\u5F3A\u63D2\u65F6\u632F\u94C3\uFF09","wb.spy_ringing":"\u60A8\u7684\u8BDD\u673A {phone} \u6B63\u5728\u632F\u94C3","wb.confirm_hangup":"\u6302\u65AD\u6765\u7535 {id}\uFF1F","wb.chart_calls":"\u4ECA\u65E5\u6765\u7535\uFF08\u6BCF 15 \u5206\u949F\uFF09","wb.chart_sl":"\u4ECA\u65E5\u670D\u52A1\u6C34\u5E73 (%)","wb.chart_waiting":"\u5B9E\u65F6\u6392\u961F\uFF08\u81EA\u6253\u5F00\u672C\u9875\u8D77\uFF09","wb.updated":"\u66F4\u65B0\u4E8E {t}","wb.alert_waiting":"{q}\uFF1A{n} \u901A\u6765\u7535\u6392\u961F\uFF08\u544A\u8B66\u9608\u503C {x}\uFF09","wb.alert_longest":"{q}\uFF1A\u6765\u7535\u5DF2\u7B49\u5F85 {t}\uFF08\u544A\u8B66\u9608\u503C {x}\uFF09","wb.alert_abandon":"{q}\uFF1A\u653E\u5F03\u7387 {p}%\uFF08\u544A\u8B66\u9608\u503C {x}%\uFF09","wb.alert_sl":"{q}\uFF1A\u670D\u52A1\u6C34\u5E73 {p}% \u4F4E\u4E8E\u76EE\u6807 {x}%","wb.no_alerts":"\u65E0\u544A\u8B66\u3002","wb.pos":"#","wb.caller":"\u4E3B\u53EB","wb.queue":"\u961F\u5217","wb.wait":"\u7B49\u5F85","wb.actions":"\u64CD\u4F5C","wb.state_time":"\u72B6\u6001\u65F6\u957F"});var _=40,x=50,y=50,H=t=>{let e=Math.PI*(1-Math.min(100,Math.max(0,t))/100);return[x+_*Math.cos(e),y-_*Math.sin(e)]},G=t=>{let[e,s]=H(t);return`M ${x-_} ${y} A ${_} ${_} 0 0 1 ${e.toFixed(2)} ${s.toFixed(2)}`};function U({value:t,target:e,label:s}){let n=t??null,i=n===null?"none":n>=e?"good":n>=e-10?"warn":"bad",[r,u]=H(e),[c,o]=[x+(r-x)*.78,y+(u-y)*.78];return l`<svg class=${`gauge gauge-${i}`} viewBox="0 0 100 58" role="img" aria-label=${s}>
    <path d=${G(100)} class="gauge-track" />
    ${n!==null&&n>0&&l`<path d=${G(n)} class="gauge-value" />`}
    <line x1=${c} y1=${o} x2=${r+(r-x)*.12} y2=${u+(u-y)*.12} class="gauge-target" />
    <text x="50" y="50" class="gauge-text">${n===null?"\u2013":`${Math.round(n)}%`}</text>
  </svg>`}var Y=5;function tt(t){let e=S.value.alerts||{},s=[];e.waiting!=null&&t.calls_waiting>e.waiting&&s.push(["waiting",a("wb.alert_waiting",{q:t.name,n:t.calls_waiting,x:e.waiting})]);let n=t.longest_since?v.value-t.longest_since:0;return e.longest_wait!=null&&n>e.longest_wait&&s.push(["longest",a("wb.alert_longest",{q:t.name,t:d(n),x:d(e.longest_wait)})]),e.abandon_rate!=null&&t.abandon_rate!==null&&t.offered>=Y&&t.abandon_rate>e.abandon_rate&&s.push(["abandon",a("wb.alert_abandon",{q:t.name,p:t.abandon_rate,x:e.abandon_rate})]),t.service_level!==null&&t.offered>=Y&&t.service_level<(t.sl_percent||80)&&s.push(["sl",a("wb.alert_sl",{q:t.name,p:t.service_level,x:t.sl_percent||80})]),s}var k=new Map,j=I(()=>{let t=v.value,e=[],s=new Set;for(let n of f.value){let i=A(n);if(i)for(let[r,u]of tt(i.value)){let c=`${n}:${r}`;s.add(c),k.has(c)||k.set(c,t),e.push({key:c,text:u,since:k.get(c)})}}for(let n of[...k.keys()])s.has(n)||k.delete(n);return e}),L=I(()=>[...new Set(j.value.map(t=>t.key.split(":")[0]))].sort().join(","));function z(){let t=j.value;return l`<div class=${`alerts ${t.length?"on":""}`} data-testid="alerts" role="status">
    ${t.length===0?l`<span class="muted">${a("wb.no_alerts")}</span>`:t.map(e=>l`<span class="alert-item" key=${e.key}>⚠ ${e.text} <span class="muted">${C(e.since)}</span></span>`)}
  </div>`}var D=["ready","on_call","offered","wrap_up","paused","logged_out"];function B({states:t,total:e}){let s=e||Object.values(t||{}).reduce((n,i)=>n+i,0)||1;return l`<div class="state-bar" title=${D.map(n=>`${a("state."+n)}: ${(t||{})[n]||0}`).join(" \xB7 ")}>
    ${D.map(n=>(t||{})[n]?l`<span class=${`seg state-${n}`} style=${`width:${100*t[n]/s}%`}>${t[n]}</span>`:null)}
  </div>`}function et({since:t,testid:e="longest"}){return l`<div class="mono" data-field=${e}>${d(t?m()-t:0)}</div>`}function at({name:t}){let e=A(t).value,s=L.value.split(",").includes(t);return l`<div class=${`qtile ${s?"alert":""}`} data-testid=${`queue-${t}`} data-queue=${t}>
    <div class="qtile-head"><b>${t}</b><span class="muted">${e.strategy}</span></div>
    <div class="qtile-body">
      <div class="qtile-nums">
        <div class=${`big-num ${e.calls_waiting?"hot":""}`} data-field="waiting">${e.calls_waiting}</div>
        <div class="muted">${a("wb.waiting")}</div>
        <${et} since=${e.longest_since} />
        <div class="muted">${a("wb.longest")}</div>
      </div>
      <div class="qtile-gauge">
        <${U} value=${e.service_level} target=${e.sl_percent||80} label=${a("wb.sl")} />
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
  </div>`}function J(){return l`<div class="qtiles">${f.value.map(t=>l`<${at} key=${t} name=${t} />`)}</div>`}var st=({since:t})=>d(m()-t);function nt({id:t}){let e=P.get(t).value,[s,n]=$(!1),i=encodeURIComponent(t),r=o=>{n(!1),o&&o!==e.queue&&p(()=>w(`api/calls/${i}/move`,{queue:o}),`${e.caller} \u2192 ${o}`)},u=o=>p(()=>w(`api/calls/${i}/priority`,{priority:Math.max(0,Math.min(100,o))})),c=()=>{confirm(a("wb.confirm_hangup",{id:e.caller||t}))&&p(()=>w(`api/calls/${i}/hangup`))};return l`<tr data-testid=${`call-${t}`} data-call=${t}>
    <td class="num">${e.position}</td><td>${e.caller||"\u2013"}</td><td>${e.queue}</td>
    <td class="num mono"><${st} since=${e.since} /></td>
    <td class="num">${e.priority}
      <button class="small" title=${a("wb.priority")+" +1"} onClick=${()=>u(e.priority+1)}>+</button>
      <button class="small" title=${a("wb.priority")+" \u22121"} disabled=${e.priority<=0} onClick=${()=>u(e.priority-1)}>−</button></td>
    <td>${s?l`<select autofocus data-testid="move-select" onChange=${o=>r(o.target.value)} onBlur=${()=>n(!1)}>
          <option value="">${a("wb.move_to")}</option>
          ${f.value.filter(o=>o!==e.queue).map(o=>l`<option value=${o}>${o}</option>`)}</select>`:l`<button class="small" data-testid="btn-move" onClick=${()=>n(!0)}>${a("wb.move")}</button>`}
      <button class="small danger" title=${a("wb.hangup")} onClick=${c}>✕</button></td>
  </tr>`}function K(){let t=O.value;return l`<div class="panel wcalls" data-testid="waiting-calls">
    <h2>${a("wb.calls")} <span class="muted">(${t.length})</span></h2>
    ${t.length===0?l`<div class="muted">${a("wb.no_calls")}</div>`:l`<div class="scroll"><table>
      <thead><tr><th class="num">${a("wb.pos")}</th><th>${a("wb.caller")}</th><th>${a("wb.queue")}</th>
        <th class="num">${a("wb.wait")}</th><th class="num">${a("wb.priority")}</th><th>${a("wb.actions")}</th></tr></thead>
      <tbody>${t.slice(0,200).map(e=>l`<${nt} key=${e} id=${e} />`)}</tbody></table></div>`}
  </div>`}var X="callcenter.supervisor_phone";function lt({since:t}){return l`<span class="mono">${d(t?m()-t:null)}</span>`}function ot({a:t,onClose:e}){let[s,n]=$(localStorage.getItem(X)||""),i=encodeURIComponent(t.agent_id),r=o=>{s.trim()&&(localStorage.setItem(X,s.trim()),p(()=>w(`api/agents/${i}/spy`,{mode:o,phone:s.trim()}),a("wb.spy_ringing",{phone:s.trim()})),e())},u=(o,Z)=>{p(()=>w(`api/agents/${i}/${o}`,Z),`${t.agent_id}: ${o}`),e()},c=t.state==="on_call";return l`<${F} title=${`${t.name||t.agent_id} \xB7 ${a("state."+t.state)}`} onClose=${e}>
    <label>${a("wb.my_phone")}<input value=${s} placeholder="PJSIP/2100" onInput=${o=>n(o.target.value)} /></label>
    <div class="actions wrap">
      <button disabled=${!c||!s.trim()} onClick=${()=>r("listen")}>${a("wb.listen")}</button>
      <button disabled=${!c||!s.trim()} onClick=${()=>r("whisper")}>${a("wb.whisper")}</button>
      <button disabled=${!c||!s.trim()} onClick=${()=>r("barge")}>${a("wb.barge")}</button>
    </div>
    <div class="actions wrap">
      ${(S.value.pause_reasons||[]).map(o=>l`<button disabled=${t.state==="logged_out"}
          onClick=${()=>u("pause",{reason:o})}>${a("wb.force_pause")}: ${o}</button>`)}
      <button class="danger" disabled=${t.state==="logged_out"} onClick=${()=>u("logout",{reason:"supervisor"})}>${a("wb.force_logout")}</button>
    </div>
  </${F}>`}function it({id:t,onOpen:e}){let s=q.get(t).value;return l`<button class=${`acard state-${s.state}`} data-testid=${`agent-${t}`} data-state=${s.state}
                      title=${`${s.agent_id} ${s.phone||s.interface||""}`} onClick=${()=>e(t)}>
    <span class="acard-name">${s.name||s.agent_id}</span>
    <span class="acard-state">${a("state."+s.state)}${s.state==="paused"&&s.reason?` \xB7 ${s.reason}`:""}</span>
    <${lt} since=${s.state_since} />
  </button>`}function V(){let[t,e]=$(null),s=Q.value;return l`<div class="agrid" data-testid="agents">
    ${s.map(n=>l`<${it} key=${n} id=${n} onOpen=${e} />`)}
    ${t&&q.get(t)&&l`<${ot} a=${q.get(t).value} onClose=${()=>e(null)} />`}
  </div>`}function rt(){let t=W.value;return t?l`<div class="kpis panel" data-testid="totals">
    <${b} label=${a("wb.waiting")} value=${t.waiting} cls=${t.waiting?"hot":""} />
    <${b} label=${a("wb.longest")} value=${d(t.longest)} />
    <${b} label=${a("wb.sl")} value=${h(t.service_level)} />
    <${b} label=${a("wb.asa")} value=${g(t.asa)} />
    <${b} label=${a("wb.aht")} value=${g(t.aht)} />
    <${b} label=${a("wb.abandon")} value=${h(t.abandon_rate)} />
    <${b} label=${a("wb.offered")} value=${t.offered} />
    <${b} label=${a("wb.answered")} value=${t.answered} />
    <div class="kpi-states"><div class="stat-label">${a("wb.agents")}</div><${B} states=${t.states} /></div>
  </div>`:l`<div class="kpis panel">${a("ui.loading")}</div>`}function ct({full:t}){let e=()=>{t?(document.fullscreenElement&&document.exitFullscreen().catch(()=>{}),T("/wallboard")):(document.documentElement.requestFullscreen?.().catch(()=>{}),T("/wallboard",{full:"1"}))};return l`<div class="wb-toolbar">
    <span class="muted" data-testid="updated">${v.value?a("wb.updated",{t:C(v.value)}):""}</span>
    <button class="ghost small" data-testid="fullscreen" onClick=${e}>${t?a("wb.exit_full"):a("wb.full")}</button>
  </div>`}function ut({query:t}){let[e,s]=$(null);M(()=>R(),[]),M(()=>{let i=!1;return E(()=>{!W.value||i||(i=!0,requestAnimationFrame(()=>import("./charts-RMUQE5Y3.js").then(r=>s(()=>r.DayCharts),()=>{})))})},[]);let n=t.full==="1";return l`<div class=${`wallboard ${n?"full":""}`} data-testid="wallboard">
    <div class="wb-top"><${rt} /><${ct} full=${n} /></div>
    <${z} />
    <div class="wb-main">
      <div class="wb-queues"><h2>${a("wb.queues")}</h2><${J} /></div>
      <${K} />
    </div>
    <div class="panel wb-agents"><h2>${a("wb.agents")}</h2><${V} /></div>
    ${e&&l`<${e} />`}
  </div>`}export{ut as default};

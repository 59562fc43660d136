import{a as z,b as dt}from"./chunk-4CLXC7N2.js";import{a as x}from"./chunk-OHQH226N.js";import{a as ut}from"./chunk-2QXMLSOE.js";import{b as J}from"./chunk-BBQQM3VM.js";import{a as b,b as S,c as k,d as O}from"./chunk-3JJALNVQ.js";import{b as C,c as g,d as R,f as L,g as p,h as it,i as ct,j as r,n as W,p as Y,q as s,s as $,u as j,v as w,y,z as v}from"./chunk-XJKOXNL7.js";Y("en",{"wb.waiting":"Waiting","wb.longest":"Longest wait","wb.sl":"Service level","wb.asa":"ASA","wb.aht":"AHT","wb.abandon":"Abandoned","wb.offered":"Offered","wb.answered":"Answered","wb.target":"target {p}% in {s}s","wb.queues":"Queues","wb.agents":"Agents","wb.calls":"Waiting calls","wb.no_calls":"Nobody is waiting.","wb.alerts":"Alerts","wb.full":"Full screen","wb.exit_full":"Exit full screen","wb.move":"Move","wb.priority":"Priority","wb.hangup":"Hang up","wb.move_to":"Move to queue","wb.listen":"Listen","wb.whisper":"Whisper","wb.barge":"Barge","wb.force_pause":"Force pause","wb.force_logout":"Force logout","wb.my_phone":"Your phone (rings for listen / whisper / barge)","wb.spy_ringing":"Your phone {phone} is ringing","wb.confirm_hangup":"Hang up call {id}?","wb.chart_calls":"Calls today (per 15 min)","wb.chart_sl":"Service level today (%)","wb.chart_waiting":"Waiting now (since this page opened)","wb.updated":"updated {t}","wb.alert_waiting":"{q}: {n} calls waiting (alert above {x})","wb.alert_longest":"{q}: a caller has waited {t} (alert above {x})","wb.alert_abandon":"{q}: abandon rate {p}% (alert above {x}%)","wb.alert_sl":"{q}: service level {p}% below its target {x}%","wb.no_alerts":"No threshold breached.","wb.pos":"#","wb.caller":"Caller","wb.queue":"Queue","wb.wait":"Wait","wb.actions":"Actions","wb.state_time":"in state"});Y("zh",{"wb.waiting":"\u6392\u961F","wb.longest":"\u6700\u957F\u7B49\u5F85","wb.sl":"\u670D\u52A1\u6C34\u5E73","wb.asa":"\u5E73\u5747\u5E94\u7B54","wb.aht":"\u5E73\u5747\u5904\u7406","wb.abandon":"\u653E\u5F03","wb.offered":"\u547C\u5165","wb.answered":"\u63A5\u542C","wb.target":"\u76EE\u6807 {s} \u79D2\u5185 {p}%","wb.queues":"\u961F\u5217","wb.agents":"\u5EA7\u5E2D","wb.calls":"\u6392\u961F\u6765\u7535","wb.no_calls":"\u5F53\u524D\u65E0\u4EBA\u6392\u961F\u3002","wb.alerts":"\u544A\u8B66","wb.full":"\u5168\u5C4F","wb.exit_full":"\u9000\u51FA\u5168\u5C4F","wb.move":"\u8F6C\u79FB","wb.priority":"\u4F18\u5148\u7EA7","wb.hangup":"\u6302\u65AD","wb.move_to":"\u8F6C\u79FB\u5230\u961F\u5217","wb.listen":"\u76D1\u542C","wb.whisper":"\u8033\u8BED","wb.barge":"\u5F3A\u63D2","wb.force_pause":"\u5F3A\u5236\u5C0F\u4F11","wb.force_logout":"\u5F3A\u5236\u7B7E\u51FA","wb.my_phone":"\u60A8\u7684\u8BDD\u673A\uFF08\u76D1\u542C/\u8033\u8BED/\u5F3A\u63D2\u65F6\u632F\u94C3\uFF09","wb.spy_ringing":"\u60A8\u7684\u8BDD\u673A {phone} \u6B63\u5728\u632F\u94C3","wb.confirm_hangup":"\u6302\u65AD\u6765\u7535 {id}\uFF1F","wb.chart_calls":"\u4ECA\u65E5\u6765\u7535\uFF08\u6BCF 15 \u5206\u949F\uFF09","wb.chart_sl":"\u4ECA\u65E5\u670D\u52A1\u6C34\u5E73 (%)","wb.chart_waiting":"\u5B9E\u65F6\u6392\u961F\uFF08\u81EA\u6253\u5F00\u672C\u9875\u8D77\uFF09","wb.updated":"\u66F4\u65B0\u4E8E {t}","wb.alert_waiting":"{q}\uFF1A{n} \u901A\u6765\u7535\u6392\u961F\uFF08\u544A\u8B66\u9608\u503C {x}\uFF09","wb.alert_longest":"{q}\uFF1A\u6765\u7535\u5DF2\u7B49\u5F85 {t}\uFF08\u544A\u8B66\u9608\u503C {x}\uFF09","wb.alert_abandon":"{q}\uFF1A\u653E\u5F03\u7387 {p}%\uFF08\u544A\u8B66\u9608\u503C {x}%\uFF09","wb.alert_sl":"{q}\uFF1A\u670D\u52A1\u6C34\u5E73 {p}% \u4F4E\u4E8E\u76EE\u6807 {x}%","wb.no_alerts":"\u65E0\u544A\u8B66\u3002","wb.pos":"#","wb.caller":"\u4E3B\u53EB","wb.queue":"\u961F\u5217","wb.wait":"\u7B49\u5F85","wb.actions":"\u64CD\u4F5C","wb.state_time":"\u72B6\u6001\u65F6\u957F"});var h=p([]),wt=new Map,A=p([]),m=new Map,tt=p([]),M=new Map,B=p(null),I=p({pause_reasons:[],wrapup_codes:[],alerts:{}}),T=p([]),q=p(0),K=new Map;function X(t,e,n){let a=JSON.stringify(n);if(K.get(e)===a)return!1;K.set(e,a);let i=t.get(e);return i?i.value=n:t.set(e,p(n)),!0}function V(t,e){let n=t.value;n.length===e.length&&n.every((a,i)=>a===e[i])||(t.value=e)}function bt(t){z(t.now),L(()=>{let e=[],n=[],a={},i=0,d=0,u=0,c=0,l=0,_=0,f=0,lt=0,Q=0,ot=0,G=0;for(let o of t.queues){e.push(o.name);let{callers:H=[],members:Qt,...Mt}=o;X(wt,"q:"+o.name,Mt);for(let At of H)n.push({...At,queue:o.name});i+=o.calls_waiting,d=Math.max(d,o.longest_wait||0),u+=o.offered,c+=o.answered,l+=o.abandoned,o.service_level!==null&&(_+=o.service_level/100*(o.answered+o.abandoned),f+=o.answered+o.abandoned),o.aht!==null&&(lt+=o.aht*o.answered,Q+=o.answered),o.asa!==null&&(ot+=o.asa*o.answered,G+=o.answered)}for(let o of m.values())a[o.value.state]=(a[o.value.state]||0)+1;V(h,e),n.sort((o,H)=>H.wait-o.wait);let rt=n.map(o=>o.call_id),St=new Set(rt);for(let o of n)X(M,o.call_id,o);for(let o of[...M.keys()])St.has(o)||(M.delete(o),K.delete(o));V(tt,rt),B.value={waiting:i,longest:d,offered:u,answered:c,abandoned:l,service_level:f?100*_/f:null,abandon_rate:u?100*l/u:null,aht:Q?lt/Q:null,asa:G?ot/G:null,states:a};let U=T.value;T.value=[...U.length>3600?U.slice(-3600):U,[t.now,i,d]],q.value=t.now})}var D=t=>wt.get("q:"+t);function Z(t){X(m,t.agent_id,t)}function It(t){if(t.kind==="AgentStateChanged"&&t.agent_id){let e=m.get(t.agent_id),n=e?e.value:{agent_id:t.agent_id,name:t.agent_id},a=t.data||{};Z({...n,state:a.state||n.state,reason:a.reason??null,pause_reason:a.state==="paused"?a.reason:null,state_since:t.ts,call_id:a.state==="ready"||a.state==="logged_out"?null:t.call_id||n.call_id}),e||(A.value=[...A.value,t.agent_id].sort())}else if((t.kind==="AgentOffered"||t.kind==="CallAnswered")&&t.agent_id){let e=m.get(t.agent_id);e&&Z({...e.value,call_id:t.call_id,queue_now:t.queue})}}async function pt(){let t=await y("api/agents");z(t.now),L(()=>{for(let e of t.agents)Z(e);V(A,t.agents.map(e=>e.agent_id))})}function ft(){y("api/desk/settings").then(e=>{I.value=e},()=>{}),pt().catch(()=>{}),y("api/queues").then(bt,()=>{}),x.setParams({every:1,members:0});let t=[()=>x.setParams({}),x.on("queues",bt),x.on("event",It),x.on("open",()=>{pt().catch(()=>{})})];return()=>t.forEach(e=>e())}var E=40,P=50,N=50,gt=t=>{let e=Math.PI*(1-Math.min(100,Math.max(0,t))/100);return[P+E*Math.cos(e),N-E*Math.sin(e)]},mt=t=>{let[e,n]=gt(t);return`M ${P-E} ${N} A ${E} ${E} 0 0 1 ${e.toFixed(2)} ${n.toFixed(2)}`};function $t({value:t,target:e,label:n}){let a=t??null,i=a===null?"none":a>=e?"good":a>=e-10?"warn":"bad",[d,u]=gt(e),[c,l]=[P+(d-P)*.78,N+(u-N)*.78];return r`<svg class=${`gauge gauge-${i}`} viewBox="0 0 100 58" role="img" aria-label=${n}>
    <path d=${mt(100)} class="gauge-track" />
    ${a!==null&&a>0&&r`<path d=${mt(a)} class="gauge-value" />`}
    <line x1=${c} y1=${l} x2=${d+(d-P)*.12} y2=${u+(u-N)*.12} class="gauge-target" />
    <text x="50" y="50" class="gauge-text">${a===null?"\u2013":`${Math.round(a)}%`}</text>
  </svg>`}var vt=5;function et(t){let e=I.value.alerts||{},n=[];return e.waiting!=null&&t.calls_waiting>e.waiting&&n.push(["waiting",s("wb.alert_waiting",{q:t.name,n:t.calls_waiting,x:e.waiting})]),e.longest_wait!=null&&t.longest_wait>e.longest_wait&&n.push(["longest",s("wb.alert_longest",{q:t.name,t:b(t.longest_wait),x:b(e.longest_wait)})]),e.abandon_rate!=null&&t.abandon_rate!==null&&t.offered>=vt&&t.abandon_rate>e.abandon_rate&&n.push(["abandon",s("wb.alert_abandon",{q:t.name,p:t.abandon_rate,x:e.abandon_rate})]),t.service_level!==null&&t.offered>=vt&&t.service_level<(t.sl_percent||80)&&n.push(["sl",s("wb.alert_sl",{q:t.name,p:t.service_level,x:t.sl_percent||80})]),n}var F=new Map,Et=it(()=>{let t=q.value,e=[],n=new Set;for(let a of h.value){let i=D(a);if(i)for(let[d,u]of et(i.value)){let c=`${a}:${d}`;n.add(c),F.has(c)||F.set(c,t),e.push({key:c,text:u,since:F.get(c)})}}for(let a of[...F.keys()])n.has(a)||F.delete(a);return e});function ht(){let t=Et.value;return r`<div class=${`alerts ${t.length?"on":""}`} data-testid="alerts" role="status">
    ${t.length===0?r`<span class="muted">${s("wb.no_alerts")}</span>`:t.map(e=>r`<span class="alert-item" key=${e.key}>⚠ ${e.text} <span class="muted">${O(e.since)}</span></span>`)}
  </div>`}var _t=["ready","on_call","offered","wrap_up","paused","logged_out"];function at({states:t,total:e}){let n=e||Object.values(t||{}).reduce((a,i)=>a+i,0)||1;return r`<div class="state-bar" title=${_t.map(a=>`${s("state."+a)}: ${(t||{})[a]||0}`).join(" \xB7 ")}>
    ${_t.map(a=>(t||{})[a]?r`<span class=${`seg state-${a}`} style=${`width:${100*t[a]/n}%`}>${t[a]}</span>`:null)}
  </div>`}function Pt({name:t}){let e=D(t).value,n=et(e).length>0;return r`<div class=${`qtile ${n?"alert":""}`} data-testid=${`queue-${t}`} data-queue=${t}>
    <div class="qtile-head"><b>${t}</b><span class="muted">${e.strategy}</span></div>
    <div class="qtile-body">
      <div class="qtile-nums">
        <div class=${`big-num ${e.calls_waiting?"hot":""}`} data-field="waiting">${e.calls_waiting}</div>
        <div class="muted">${s("wb.waiting")}</div>
        <div class="mono" data-field="longest">${b(e.longest_wait)}</div>
        <div class="muted">${s("wb.longest")}</div>
      </div>
      <div class="qtile-gauge">
        <${$t} value=${e.service_level} target=${e.sl_percent||80} label=${s("wb.sl")} />
        <div class="muted tiny">${s("wb.target",{p:e.sl_percent||80,s:e.sl_target})}</div>
      </div>
    </div>
    <div class="qtile-figs">
      <span>${s("wb.asa")} <b data-field="asa">${k(e.asa)}</b></span>
      <span>${s("wb.aht")} <b data-field="aht">${k(e.aht)}</b></span>
      <span>${s("wb.abandon")} <b data-field="abandon_rate">${S(e.abandon_rate)}</b></span>
      <span>${s("wb.answered")} <b data-field="answered">${e.answered}</b>/<b data-field="offered">${e.offered}</b></span>
    </div>
    <${at} states=${e.agent_states} />
  </div>`}function yt(){return r`<div class="qtiles">${h.value.map(t=>r`<${Pt} key=${t} name=${t} />`)}</div>`}function Nt({id:t}){let e=M.get(t).value,[n,a]=C(!1),i=encodeURIComponent(t),d=l=>{a(!1),l&&l!==e.queue&&$(()=>v(`api/calls/${i}/move`,{queue:l}),`${e.caller} \u2192 ${l}`)},u=l=>$(()=>v(`api/calls/${i}/priority`,{priority:Math.max(0,Math.min(100,l))})),c=()=>{confirm(s("wb.confirm_hangup",{id:e.caller||t}))&&$(()=>v(`api/calls/${i}/hangup`))};return r`<tr data-testid=${`call-${t}`} data-call=${t}>
    <td class="num">${e.position}</td><td>${e.caller||"\u2013"}</td><td>${e.queue}</td>
    <td class="num mono">${b(e.wait)}</td>
    <td class="num">${e.priority}
      <button class="small" title=${s("wb.priority")+" +1"} onClick=${()=>u(e.priority+1)}>+</button>
      <button class="small" title=${s("wb.priority")+" \u22121"} disabled=${e.priority<=0} onClick=${()=>u(e.priority-1)}>−</button></td>
    <td>${n?r`<select autofocus data-testid="move-select" onChange=${l=>d(l.target.value)} onBlur=${()=>a(!1)}>
          <option value="">${s("wb.move_to")}</option>
          ${h.value.filter(l=>l!==e.queue).map(l=>r`<option value=${l}>${l}</option>`)}</select>`:r`<button class="small" data-testid="btn-move" onClick=${()=>a(!0)}>${s("wb.move")}</button>`}
      <button class="small danger" title=${s("wb.hangup")} onClick=${c}>✕</button></td>
  </tr>`}function xt(){let t=tt.value;return r`<div class="panel wcalls" data-testid="waiting-calls">
    <h2>${s("wb.calls")} <span class="muted">(${t.length})</span></h2>
    ${t.length===0?r`<div class="muted">${s("wb.no_calls")}</div>`:r`<div class="scroll"><table>
      <thead><tr><th class="num">${s("wb.pos")}</th><th>${s("wb.caller")}</th><th>${s("wb.queue")}</th>
        <th class="num">${s("wb.wait")}</th><th class="num">${s("wb.priority")}</th><th>${s("wb.actions")}</th></tr></thead>
      <tbody>${t.slice(0,200).map(e=>r`<${Nt} key=${e} id=${e} />`)}</tbody></table></div>`}
  </div>`}var kt="callcenter.supervisor_phone";function Ft({since:t}){return r`<span class="mono">${b(t?dt()-t:null)}</span>`}function Rt({a:t,onClose:e}){let[n,a]=C(localStorage.getItem(kt)||""),i=encodeURIComponent(t.agent_id),d=l=>{n.trim()&&(localStorage.setItem(kt,n.trim()),$(()=>v(`api/agents/${i}/spy`,{mode:l,phone:n.trim()}),s("wb.spy_ringing",{phone:n.trim()})),e())},u=(l,_)=>{$(()=>v(`api/agents/${i}/${l}`,_),`${t.agent_id}: ${l}`),e()},c=t.state==="on_call";return r`<${j} title=${`${t.name||t.agent_id} \xB7 ${s("state."+t.state)}`} onClose=${e}>
    <label>${s("wb.my_phone")}<input value=${n} placeholder="PJSIP/2100" onInput=${l=>a(l.target.value)} /></label>
    <div class="actions wrap">
      <button disabled=${!c||!n.trim()} onClick=${()=>d("listen")}>${s("wb.listen")}</button>
      <button disabled=${!c||!n.trim()} onClick=${()=>d("whisper")}>${s("wb.whisper")}</button>
      <button disabled=${!c||!n.trim()} onClick=${()=>d("barge")}>${s("wb.barge")}</button>
    </div>
    <div class="actions wrap">
      ${(I.value.pause_reasons||[]).map(l=>r`<button disabled=${t.state==="logged_out"}
          onClick=${()=>u("pause",{reason:l})}>${s("wb.force_pause")}: ${l}</button>`)}
      <button class="danger" disabled=${t.state==="logged_out"} onClick=${()=>u("logout",{reason:"supervisor"})}>${s("wb.force_logout")}</button>
    </div>
  </${j}>`}function Wt({id:t,onOpen:e}){let n=m.get(t).value;return r`<button class=${`acard state-${n.state}`} data-testid=${`agent-${t}`} data-state=${n.state}
                      title=${`${n.agent_id} ${n.phone||n.interface||""}`} onClick=${()=>e(t)}>
    <span class="acard-name">${n.name||n.agent_id}</span>
    <span class="acard-state">${s("state."+n.state)}${n.state==="paused"&&n.reason?` \xB7 ${n.reason}`:""}</span>
    <${Ft} since=${n.state_since} />
  </button>`}function qt(){let[t,e]=C(null),n=A.value;return r`<div class="agrid" data-testid="agents">
    ${n.map(a=>r`<${Wt} key=${a} id=${a} onOpen=${e} />`)}
    ${t&&m.get(t)&&r`<${Rt} a=${m.get(t).value} onClose=${()=>e(null)} />`}
  </div>`}function nt(t,e,n=[]){let a=R(null),i=R(null);return g(()=>{let d=a.current;if(!d)return;let u=()=>Math.max(200,d.clientWidth),c=new ut(t(u()),e(),d);i.current=c;let l=new ResizeObserver(()=>{i.current===c&&c.setSize({width:u(),height:150})});return l.observe(d),()=>{l.disconnect(),i.current===c&&(i.current=null),c.destroy()}},n),[a,i]}async function Ot(){let t=await y("api/reports?from=today&bucket=15m&by=queue"),e=new Map;for(let a of t.lines){let i=Date.parse(a.bucket)/1e3,d=e.get(i)||{offered:0,answered:0,abandoned:0,inSl:0,base:0};d.offered+=a.offered,d.answered+=a.answered,d.abandoned+=a.abandoned,a.service_level!==null&&(d.inSl+=a.service_level/100*(a.answered+a.abandoned),d.base+=a.answered+a.abandoned),e.set(i,d)}let n=[...e.keys()].sort((a,i)=>a-i);return[n,n.map(a=>e.get(a).offered),n.map(a=>e.get(a).answered),n.map(a=>e.get(a).abandoned),n.map(a=>e.get(a).base?100*e.get(a).inSl/e.get(a).base:null)]}var st=(t,e)=>({width:t,height:150,title:e,legend:{show:!0},cursor:{drag:{x:!1,y:!1}}});function Ct(){let t=R([[],[],[],[],[]]),[e,n]=nt(c=>({...st(c,s("wb.chart_calls")),series:[{},{label:s("wb.offered"),stroke:"#2b78c5",width:2},{label:s("wb.answered"),stroke:"#1e8e4e",width:2},{label:s("wb.abandon"),stroke:"#c62f2f",width:2}]}),()=>t.current.slice(0,4),[W.value]),[a,i]=nt(c=>({...st(c,s("wb.chart_sl")),scales:{y:{range:[0,100]}},series:[{},{label:s("wb.sl"),stroke:"#8a4fd1",width:2,spanGaps:!0}]}),()=>[t.current[0],t.current[4]],[W.value]),[d,u]=nt(c=>({...st(c,s("wb.chart_waiting")),series:[{},{label:s("wb.waiting"),stroke:"#c77c00",width:2,fill:"rgba(199,124,0,.12)"}]}),()=>[[],[]],[W.value]);return g(()=>{let c=!0,l=()=>Ot().then(f=>{c&&(t.current=f,n.current&&n.current.setData(f.slice(0,4)),i.current&&i.current.setData([f[0],f[4]]))},()=>{});l();let _=setInterval(l,6e4);return()=>{c=!1,clearInterval(_)}},[]),g(()=>ct(()=>{let c=T.value;u.current&&c.length&&u.current.setData([c.map(l=>l[0]),c.map(l=>l[1])])}),[]),r`<div class="charts">
    <div class="panel chart" ref=${e}></div>
    <div class="panel chart" ref=${a}></div>
    <div class="panel chart" ref=${d}></div>
  </div>`}function Tt(){let t=B.value;return t?r`<div class="kpis panel" data-testid="totals">
    <${w} label=${s("wb.waiting")} value=${t.waiting} cls=${t.waiting?"hot":""} />
    <${w} label=${s("wb.longest")} value=${b(t.longest)} />
    <${w} label=${s("wb.sl")} value=${S(t.service_level)} />
    <${w} label=${s("wb.asa")} value=${k(t.asa)} />
    <${w} label=${s("wb.aht")} value=${k(t.aht)} />
    <${w} label=${s("wb.abandon")} value=${S(t.abandon_rate)} />
    <${w} label=${s("wb.offered")} value=${t.offered} />
    <${w} label=${s("wb.answered")} value=${t.answered} />
    <div class="kpi-states"><div class="stat-label">${s("wb.agents")}</div><${at} states=${t.states} /></div>
  </div>`:r`<div class="kpis panel">${s("ui.loading")}</div>`}function Bt({full:t}){let e=()=>{t?(document.fullscreenElement&&document.exitFullscreen().catch(()=>{}),J("/wallboard")):(document.documentElement.requestFullscreen?.().catch(()=>{}),J("/wallboard",{full:"1"}))};return r`<div class="wb-toolbar">
    <span class="muted" data-testid="updated">${q.value?s("wb.updated",{t:O(q.value)}):""}</span>
    <button class="ghost small" data-testid="fullscreen" onClick=${e}>${t?s("wb.exit_full"):s("wb.full")}</button>
  </div>`}function Dt({query:t}){g(()=>ft(),[]),g(()=>{!window.__wallboardFirstRender&&B.value&&(window.__wallboardFirstRender=performance.now())});let e=t.full==="1";return r`<div class=${`wallboard ${e?"full":""}`} data-testid="wallboard">
    <div class="wb-top"><${Tt} /><${Bt} full=${e} /></div>
    <${ht} />
    <div class="wb-main">
      <div class="wb-queues"><h2>${s("wb.queues")}</h2><${yt} /></div>
      <${xt} />
    </div>
    <div class="panel"><h2>${s("wb.agents")}</h2><${qt} /></div>
    <${Ct} />
  </div>`}export{Dt as default};

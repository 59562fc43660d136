import{a as O}from"./chunk-WNXMOX53.js";import{e as F}from"./chunk-OVUTG5KB.js";import{a as y,d as h}from"./chunk-NZOA6AG4.js";import{b as f,c as E,j as m,k as j,p as L,q as n,r as _,t as I,u as S}from"./chunk-ZXUWONE6.js";function g({label:e,name:i,error:a,children:o,wide:r}){let t=a&&a.field===i;return m`<label class=${`field ${t?"has-error":""} ${r?"wide":""}`} data-field=${i}>
    <span>${e}</span>${o}
    ${t?m`<span class="field-error" role="alert" data-testid=${`error-${i}`}>${a.message}</span>`:null}
  </label>`}function w({error:e,fields:i}){return!e||e.field&&i.includes(e.field)?null:m`<div class="form-error" role="alert" data-testid="form-error">${e.message}</div>`}function M(e){let i=e&&e.applied;return i?i.error?` (${i.error})`:i.errors&&i.errors.length?` (${n("admin.apply_errors",{errors:i.errors.map(a=>typeof a=="string"?a:a.error||a.message||JSON.stringify(a)).join("; ")})})`:` (${n("admin.applied")})`:""}async function x(e,i,a,o){try{let r=await _("PUT",e,i);return o(null),y(n("admin.saved",{what:a})+M(r),"ok"),r}catch(r){return o({field:r.field,message:r.message,status:r.status}),null}}async function k(e,i){if(!window.confirm(n("admin.confirm_delete",{what:i})))return!1;try{let a=await _("DELETE",e);return y(n("admin.deleted",{what:i})+M(a),"ok"),!0}catch(a){return y(a.message,"error"),!1}}var P=e=>String(e||"").split(/[,\s]+/).map(i=>i.trim()).filter(Boolean);function C(e){if(e===""||e===null||e===void 0)return;let i=Number(e);return Number.isFinite(i)?i:e}var Q=["name","full_name","extension","interface","languages","skills","queues","max_concurrent","wrapup","enabled"];function V(e){return{name:e?e.name:"",full_name:e?e.full_name:"",extension:e&&e.extension||"",interface:e&&e.interface||"",languages:e?e.languages.join(", "):"en-US",skills:e?Object.entries(e.skills):[["",1]],queues:e?Object.entries(e.queues):[],max_concurrent:e?String(e.max_concurrent):"1",wrapup:e&&e.wrapup!==null?String(e.wrapup):"",enabled:e?e.enabled:!0}}function J(e){let i={full_name:e.full_name,extension:e.extension.trim()||null,languages:P(e.languages),skills:Object.fromEntries(e.skills.filter(([a])=>a.trim()).map(([a,o])=>[a.trim(),C(o)])),queues:Object.fromEntries(e.queues.filter(([a])=>a).map(([a,o])=>[a,C(o)??0])),max_concurrent:C(e.max_concurrent),wrapup:C(e.wrapup)??null,enabled:e.enabled};return e.interface.trim()&&(i.interface=e.interface.trim()),i.max_concurrent===void 0&&delete i.max_concurrent,i}function R({rows:e,onChange:i,names:a,valueLabel:o,testid:r,min:t,max:l}){let u=(d,c,s)=>i(e.map((p,v)=>v===d?c===0?[s,p[1]]:[p[0],s]:p));return m`<div class="pairs" data-testid=${r}>
    ${e.map(([d,c],s)=>m`<div class="row" key=${s}>
      <input list=${`${r}-names`} value=${d} placeholder=${n("admin.name")} onInput=${p=>u(s,0,p.target.value)} />
      <input type="number" style="width: 70px" min=${t} max=${l} value=${c} title=${o}
             onInput=${p=>u(s,1,p.target.value)} />
      <button type="button" class="small" onClick=${()=>i(e.filter((p,v)=>v!==s))}>×</button>
    </div>`)}
    <datalist id=${`${r}-names`}>${a.map(d=>m`<option value=${d} />`)}</datalist>
    <button type="button" class="small" onClick=${()=>i([...e,["",t]])}>${n("admin.add_row")}</button>
  </div>`}function W({agent:e,prov:i,onClose:a,onSaved:o}){let[r,t]=f(V(e)),[l,u]=f(null),[d,c]=f(!1),s=v=>$=>t({...r,[v]:$.target.type==="checkbox"?$.target.checked:$.target.value}),p=async v=>{if(v.preventDefault(),!r.name.trim()){u({field:"name",message:n("admin.name")+"?"});return}c(!0);let $=await x(`api/admin/agents/${encodeURIComponent(r.name.trim())}`,J(r),r.name.trim(),u);c(!1),$&&o()};return m`<${h} title=${e?`${n("admin.edit")}: ${e.name}`:n("admin.new_agent")} onClose=${a}>
    <form class="admin-form" noValidate onSubmit=${p} data-testid="agent-form">
      <${g} label=${n("admin.name")} name="name" error=${l}>
        <input name="name" value=${r.name} disabled=${!!e} onInput=${s("name")} /><//>
      <${g} label=${n("admin.full_name")} name="full_name" error=${l}><input name="full_name" value=${r.full_name} onInput=${s("full_name")} /><//>
      <${g} label=${n("admin.extension")} name="extension" error=${l}><input name="extension" value=${r.extension} onInput=${s("extension")} /><//>
      <${g} label=${n("admin.interface")} name="interface" error=${l}><input name="interface" value=${r.interface} placeholder="PJSIP/<extension>" onInput=${s("interface")} /><//>
      <${g} label=${n("admin.languages")} name="languages" error=${l}><input name="languages" value=${r.languages} onInput=${s("languages")} /><//>
      <${g} label=${n("admin.max_concurrent")} name="max_concurrent" error=${l}><input name="max_concurrent" type="number" value=${r.max_concurrent} onInput=${s("max_concurrent")} /><//>
      <${g} label=${n("admin.wrapup")} name="wrapup" error=${l}><input name="wrapup" type="number" value=${r.wrapup} onInput=${s("wrapup")} /><//>
      <${g} label=${n("admin.enabled")} name="enabled" error=${l}><input name="enabled" type="checkbox" checked=${r.enabled} onChange=${s("enabled")} /><//>
      <${g} label=${n("admin.skill_levels")} name="skills" error=${l} wide>
        <${R} rows=${r.skills} onChange=${v=>t({...r,skills:v})} names=${i.skills.map(v=>v.name)}
                  valueLabel="1-5" testid="skills" min="1" max="5" /><//>
      <${g} label=${n("admin.memberships")} name="queues" error=${l} wide>
        <${R} rows=${r.queues} onChange=${v=>t({...r,queues:v})} names=${i.queues.map(v=>v.name)}
                  valueLabel=${n("admin.penalty")} testid="queues" min="0" /><//>
      <${w} error=${l} fields=${Q} />
      <div class="actions"><button type="button" onClick=${a}>${n("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save" disabled=${d}>${n("ui.save")}</button></div>
    </form>
  <//>`}function D({prov:e,reload:i}){let[a,o]=f(null),r=async t=>{await k(`api/admin/agents/${encodeURIComponent(t.name)}`,t.name)&&i()};return m`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-agent" onClick=${()=>o("new")}>${n("admin.new_agent")}</button></div>
    <table data-testid="agents-table">
      <thead><tr><th>${n("admin.name")}</th><th>${n("admin.full_name")}</th><th>${n("admin.extension")}</th>
        <th>${n("admin.skills")}</th><th>${n("admin.queues")}</th><th>${n("admin.languages").split(/\s*[（(]/)[0]}</th>
        <th>${n("admin.state")}</th><th></th></tr></thead>
      <tbody>${e.agents.map(t=>m`<tr key=${t.name} data-agent=${t.name} class=${t.enabled?"":"muted"}>
        <td><b>${t.name}</b></td><td>${t.full_name}</td><td>${t.extension||"\u2013"}</td>
        <td>${Object.entries(t.skills).map(([l,u])=>`${l}=${u}`).join(", ")||"\u2013"}</td>
        <td>${Object.entries(t.queues).map(([l,u])=>u?`${l}:${u}`:l).join(", ")||"\u2013"}</td>
        <td>${t.languages.join(", ")}</td>
        <td><span class=${`state state-${t.state}`}>${n("state."+t.state)}</span></td>
        <td><button class="small" onClick=${()=>o(t)}>${n("admin.edit")}</button>
          <button class="small" onClick=${()=>r(t)}>${n("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${a?m`<${W} agent=${a==="new"?null:a} prov=${e}
        onClose=${()=>o(null)} onSaved=${()=>{o(null),i()}} />`:null}
  </div>`}var A=["sl_target","sl_percent","max_wait","max_length","priority","announce_interval","callback_after","wrapup"],U=["announce_position","announce_hold_time","join_empty","leave_empty"],Y=["name","description","strategy","rules","overflow","moh_class",...A,...U];function H(e){let i={name:e?e.name:"",description:e?e.description:"",strategy:e?e.strategy:"longest-idle",rules:e?e.rules.join(`
`):"",overflow:e&&e.overflow||"",moh_class:e?e.moh_class:"default"};for(let a of A)i[a]=e&&e[a]!==null&&e[a]!==void 0?String(e[a]):a==="sl_target"?"20":a==="sl_percent"?"80":"";for(let a of U)i[a]=e?!!e[a]:a!=="leave_empty";return i}function G(e,i){let a={description:e.description,strategy:e.strategy,moh_class:e.moh_class,rules:e.rules.split(`
`).map(o=>o.trim()).filter(Boolean),overflow:e.overflow||null};for(let o of A){let r=C(e[o]);r!==void 0?a[o]=r:!i&&["max_wait","max_length","callback_after","wrapup"].includes(o)&&(a[o]=null)}for(let o of U)a[o]=e[o];return a}function K({queue:e,prov:i,reload:a}){let[o,r]=f(""),[t,l]=f("0"),u=s=>`api/admin/queues/${encodeURIComponent(e.name)}/members/${encodeURIComponent(s)}`,d=async()=>{if(o)try{await _("PUT",u(o),{penalty:Number(t)||0}),r(""),a()}catch(s){y(s.message,"error")}},c=async s=>{try{await _("DELETE",u(s)),a()}catch(p){y(p.message,"error")}};return m`<div class="members" data-testid="members">
    <h3>${n("admin.members")}</h3>
    <table><tbody>${Object.entries(e.members).map(([s,p])=>m`<tr key=${s}><td>${s}</td>
      <td class="num">${n("admin.penalty")} ${p}</td><td><button class="small" onClick=${()=>c(s)}>×</button></td></tr>`)}</tbody></table>
    <div class="row" style="margin-top: 4px">
      <select value=${o} onChange=${s=>r(s.target.value)}><option value="">${n("admin.add_member")}…</option>
        ${i.agents.filter(s=>!(s.name in e.members)).map(s=>m`<option value=${s.name}>${s.name}</option>`)}</select>
      <input type="number" min="0" style="width: 70px" value=${t} onInput=${s=>l(s.target.value)} />
      <button class="small" onClick=${d} disabled=${!o}>${n("admin.add_member")}</button>
    </div>
  </div>`}function X({queue:e,prov:i,onClose:a,onSaved:o,reload:r}){let[t,l]=f(H(e)),[u,d]=f(null),c=$=>b=>l({...t,[$]:b.target.type==="checkbox"?b.target.checked:b.target.value}),s=async $=>{if($.preventDefault(),!t.name.trim()){d({field:"name",message:n("admin.name")+"?"});return}await x(`api/admin/queues/${encodeURIComponent(t.name.trim())}`,G(t,!e),t.name.trim(),d)&&o()},p=($,b)=>m`<${g} label=${b} name=${$} error=${u}>
    <input name=${$} type="number" value=${t[$]} placeholder=${["max_wait","max_length"].includes($)?n("admin.unlimited"):""} onInput=${c($)} /><//>`,v=($,b)=>m`<${g} label=${b} name=${$} error=${u}>
    <input name=${$} type="checkbox" checked=${t[$]} onChange=${c($)} /><//>`;return m`<${h} title=${e?`${n("admin.edit")}: ${e.name}`:n("admin.new_queue")} onClose=${a}>
    <form class="admin-form" noValidate onSubmit=${s} data-testid="queue-form">
      <${g} label=${n("admin.name")} name="name" error=${u}><input name="name" value=${t.name} disabled=${!!e} onInput=${c("name")} /><//>
      <${g} label=${n("admin.description")} name="description" error=${u}><input name="description" value=${t.description} onInput=${c("description")} /><//>
      <${g} label=${n("admin.strategy")} name="strategy" error=${u}>
        <select name="strategy" value=${t.strategy} onChange=${c("strategy")}>${i.strategies.map($=>m`<option value=${$}>${$}</option>`)}</select><//>
      <${g} label=${n("admin.overflow")} name="overflow" error=${u}>
        <input name="overflow" list="overflow-targets" value=${t.overflow} placeholder="queue, voicemail:NAME, flow:NAME" onInput=${c("overflow")} />
        <datalist id="overflow-targets">${i.queues.filter($=>$.name!==t.name).map($=>m`<option value=${$.name} />`)}</datalist><//>
      ${p("sl_target",n("admin.sl_target"))}${p("sl_percent",n("admin.sl_percent"))}
      ${p("max_wait",n("admin.max_wait"))}${p("max_length",n("admin.max_length"))}
      ${p("priority",n("admin.priority"))}${p("wrapup",n("admin.wrapup"))}
      ${p("callback_after",n("admin.callback_after"))}${p("announce_interval",n("admin.announce_interval"))}
      ${v("announce_position",n("admin.announce_position"))}${v("join_empty",n("admin.join_empty"))}
      ${v("leave_empty",n("admin.leave_empty"))}
      <${g} label=${n("admin.moh_class")} name="moh_class" error=${u}><input name="moh_class" value=${t.moh_class} onInput=${c("moh_class")} /><//>
      <${g} label=${n("admin.rules")} name="rules" error=${u} wide>
        <textarea name="rules" rows="4" value=${t.rules} onInput=${c("rules")}></textarea><//>
      <${w} error=${u} fields=${Y} />
      <div class="actions"><button type="button" onClick=${a}>${n("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${n("ui.save")}</button></div>
    </form>
    ${e?m`<${K} queue=${i.queues.find($=>$.name===e.name)||e} prov=${i} reload=${r} />`:null}
  <//>`}function N({prov:e,reload:i}){let[a,o]=f(null),r=async t=>{await k(`api/admin/queues/${encodeURIComponent(t.name)}`,t.name)&&i()};return m`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-queue" onClick=${()=>o("new")}>${n("admin.new_queue")}</button></div>
    <table data-testid="queues-table">
      <thead><tr><th>${n("admin.name")}</th><th>${n("admin.strategy")}</th><th>${n("admin.sl")}</th>
        <th>${n("admin.max_wait")}</th><th>${n("admin.overflow")}</th><th>${n("admin.rules").split(/\s*[（(]/)[0]}</th>
        <th>${n("admin.members")}</th><th></th></tr></thead>
      <tbody>${e.queues.map(t=>m`<tr key=${t.name} data-queue=${t.name}>
        <td><b>${t.name}</b><div class="muted" style="font-size: 12px">${t.description}</div></td><td>${t.strategy}</td>
        <td>${t.sl_percent}% / ${t.sl_target}s</td><td>${t.max_wait??"\u2013"}</td><td>${t.overflow||"\u2013"}</td>
        <td style="white-space: normal; font-size: 12px">${t.rules.join(" \xB7 ")||"\u2013"}</td>
        <td style="white-space: normal; font-size: 12px">${Object.keys(t.members).join(", ")||"\u2013"}</td>
        <td><button class="small" onClick=${()=>o(t)}>${n("admin.edit")}</button>
          <button class="small" onClick=${()=>r(t)}>${n("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${a?m`<${X} queue=${a==="new"?null:a} prov=${e} reload=${i}
        onClose=${()=>o(null)} onSaved=${()=>{o(null),i()}} />`:null}
  </div>`}var Z=["username","password","role","agent","enabled"];function q({user:e,prov:i,onClose:a,onSaved:o}){let[r,t]=f({username:e?e.username:"",password:"",role:e?e.role:"agent",agent:e&&e.agent||"",enabled:e?e.enabled:!0}),[l,u]=f(null),d=s=>p=>t({...r,[s]:p.target.type==="checkbox"?p.target.checked:p.target.value}),c=async s=>{if(s.preventDefault(),!r.username.trim()){u({field:"username",message:n("admin.username")+"?"});return}let p={role:r.role,agent:r.agent||null,enabled:r.enabled};r.password&&(p.password=r.password),await x(`api/admin/users/${encodeURIComponent(r.username.trim())}`,p,r.username.trim(),u)&&o()};return m`<${h} title=${e?`${n("admin.edit")}: ${e.username}`:n("admin.new_user")} onClose=${a}>
    <form class="admin-form" noValidate onSubmit=${c} data-testid="user-form">
      <${g} label=${n("admin.username")} name="username" error=${l}><input name="username" value=${r.username} disabled=${!!e} onInput=${d("username")} /><//>
      <${g} label=${e?n("admin.password_keep"):n("admin.password")} name="password" error=${l}>
        <input name="password" type="password" autocomplete="new-password" value=${r.password} onInput=${d("password")} /><//>
      <${g} label=${n("admin.role")} name="role" error=${l}>
        <select name="role" value=${r.role} onChange=${d("role")}>${i.roles.map(s=>m`<option value=${s}>${n("role."+s)}</option>`)}</select><//>
      <${g} label=${n("admin.agent")} name="agent" error=${l}>
        <select name="agent" value=${r.agent} onChange=${d("agent")}><option value="">–</option>
          ${i.agents.map(s=>m`<option value=${s.name}>${s.name}</option>`)}</select><//>
      <${g} label=${n("admin.enabled")} name="enabled" error=${l}><input name="enabled" type="checkbox" checked=${r.enabled} onChange=${d("enabled")} /><//>
      <${w} error=${l} fields=${Z} />
      <div class="actions"><button type="button" onClick=${a}>${n("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${n("ui.save")}</button></div>
    </form>
  <//>`}function ee({user:e,onClose:i}){let[a,o]=f(null),[r,t]=f("web"),[l,u]=f(""),[d,c]=f(null),s=`api/admin/users/${encodeURIComponent(e.username)}/tokens`,p=()=>I(s).then(b=>o(b.tokens),b=>y(b.message,"error"));E(()=>{p()},[]);let v=async()=>{try{let b={label:r};l&&(b.ttl=Number(l)*3600);let T=await S(s,b);c(T.token),p()}catch(b){y(b.message,"error")}},$=async b=>{try{await _("DELETE",`api/admin/tokens/${b}`),p()}catch(T){y(T.message,"error")}};return m`<${h} title=${`${n("admin.tokens")}: ${e.username}`} onClose=${i}>
    <div data-testid="tokens">
      ${d?m`<div class="notice"><div>${n("admin.token_once")}</div><code data-testid="new-token" style="user-select: all">${d}</code></div>`:null}
      <table><thead><tr><th>${n("admin.token_label")}</th><th>${n("admin.created")}</th><th>${n("admin.expires")}</th>
        <th>${n("admin.last_used")}</th><th></th></tr></thead>
        <tbody>${(a||[]).map(b=>m`<tr key=${b.id}><td>${b.label}</td><td>${F(b.created_at)}</td>
          <td>${b.expires_at?F(b.expires_at):n("admin.never")}</td><td>${F(b.last_used_at)}</td>
          <td><button class="small" onClick=${()=>$(b.id)}>${n("admin.revoke")}</button></td></tr>`)}</tbody></table>
      <div class="row" style="margin-top: 8px">
        <input placeholder=${n("admin.token_label")} value=${r} onInput=${b=>t(b.target.value)} />
        <input type="number" min="0" style="width: 110px" placeholder=${n("admin.token_ttl")} title=${n("admin.token_ttl")}
               value=${l} onInput=${b=>u(b.target.value)} />
        <button class="primary" onClick=${v}>${n("admin.issue")}</button>
      </div>
    </div>
  <//>`}function B({prov:e,reload:i}){let[a,o]=f(null),[r,t]=f(null),l=j.value&&j.value.user,u=async d=>{await k(`api/admin/users/${encodeURIComponent(d.username)}`,d.username)&&i()};return m`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-user" onClick=${()=>o("new")}>${n("admin.new_user")}</button></div>
    <table data-testid="users-table">
      <thead><tr><th>${n("admin.username")}</th><th>${n("admin.role")}</th><th>${n("admin.agent").split(/\s*[（(]/)[0]}</th>
        <th>${n("admin.enabled")}</th><th></th></tr></thead>
      <tbody>${e.users.map(d=>m`<tr key=${d.username} data-user=${d.username}>
        <td><b>${d.username}</b></td><td>${n("role."+d.role)}</td><td>${d.agent||"\u2013"}</td>
        <td>${d.enabled?n("admin.yes"):n("admin.no")}</td>
        <td><button class="small" onClick=${()=>o(d)}>${n("admin.edit")}</button>
          <button class="small" onClick=${()=>t(d)}>${n("admin.tokens")}</button>
          <button class="small" disabled=${d.username===l} onClick=${()=>u(d)}>${n("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${a?m`<${q} user=${a==="new"?null:a} prov=${e}
        onClose=${()=>o(null)} onSaved=${()=>{o(null),i()}} />`:null}
    ${r?m`<${ee} user=${r} onClose=${()=>t(null)} />`:null}
  </div>`}L("en",{"admin.title":"Administration","admin.agents":"Agents","admin.queues":"Queues","admin.skills":"Skills","admin.users":"Users","admin.yaml":"Provisioning YAML","admin.new_agent":"New agent","admin.new_queue":"New queue","admin.new_skill":"New skill","admin.new_user":"New user","admin.edit":"Edit","admin.delete":"Delete","admin.confirm_delete":"Delete {what}?","admin.deleted":"{what} deleted","admin.saved":"{what} saved","admin.applied":"applied to the running server","admin.apply_errors":"stored; the server refuses: {errors}","admin.name":"Name","admin.full_name":"Full name","admin.extension":"Extension","admin.interface":"Phone (interface)","admin.languages":"Languages (comma-separated)","admin.skill_levels":"Skills (proficiency 1\u20135)","admin.memberships":"Queues (penalty: lower rings first)","admin.max_concurrent":"Calls at once","admin.wrapup":"Wrap-up seconds (empty: the queue's)","admin.enabled":"Enabled","admin.add_row":"+ add","admin.state":"State","admin.description":"Description","admin.strategy":"Strategy","admin.sl":"Service level","admin.sl_target":"SL target (s)","admin.sl_percent":"SL percent","admin.max_wait":"Max wait (s)","admin.max_length":"Max waiting calls","admin.overflow":"Overflow to","admin.priority":"Priority","admin.rules":"Rules (one per line, e.g. WT < 30: billing >= 4)","admin.callback_after":"Offer callback after (s)","admin.announce_position":"Announce position","admin.announce_interval":"Announce every (s)","admin.join_empty":"Join when no agent","admin.leave_empty":"Leave when no agent","admin.moh_class":"Music on hold","admin.members":"Members","admin.penalty":"Penalty","admin.add_member":"Add member","admin.agents_count":"Agents","admin.username":"User name","admin.password":"Password","admin.password_keep":"Password (empty: unchanged)","admin.role":"Role","admin.agent":"Agent (for role agent)","admin.tokens":"API tokens","admin.token_label":"Label","admin.token_ttl":"Lifetime (hours, empty: never expires)","admin.issue":"Issue a token","admin.token_once":"Copy it now: it is shown only once.","admin.revoke":"Revoke","admin.created":"Created","admin.expires":"Expires","admin.last_used":"Last used","admin.never":"never","admin.export":"Current provisioning","admin.import":"Import (all or nothing)","admin.dry_run":"Check only","admin.apply":"Apply","admin.import_ok":"Imported: {summary}","admin.dry_ok":"Valid: would apply {summary}","admin.none":"none","admin.yes":"yes","admin.no":"no","admin.unlimited":"unlimited"});L("zh",{"admin.title":"\u7BA1\u7406","admin.agents":"\u5EA7\u5E2D","admin.queues":"\u961F\u5217","admin.skills":"\u6280\u80FD","admin.users":"\u7528\u6237","admin.yaml":"\u914D\u7F6E YAML","admin.new_agent":"\u65B0\u5EFA\u5EA7\u5E2D","admin.new_queue":"\u65B0\u5EFA\u961F\u5217","admin.new_skill":"\u65B0\u5EFA\u6280\u80FD","admin.new_user":"\u65B0\u5EFA\u7528\u6237","admin.edit":"\u7F16\u8F91","admin.delete":"\u5220\u9664","admin.confirm_delete":"\u5220\u9664 {what}\uFF1F","admin.deleted":"\u5DF2\u5220\u9664 {what}","admin.saved":"\u5DF2\u4FDD\u5B58 {what}","admin.applied":"\u5DF2\u5E94\u7528\u5230\u8FD0\u884C\u4E2D\u7684\u670D\u52A1\u5668","admin.apply_errors":"\u5DF2\u4FDD\u5B58\uFF1B\u670D\u52A1\u5668\u62D2\u7EDD\uFF1A{errors}","admin.name":"\u540D\u79F0","admin.full_name":"\u5168\u540D","admin.extension":"\u5206\u673A","admin.interface":"\u8BDD\u673A\uFF08\u63A5\u53E3\uFF09","admin.languages":"\u8BED\u8A00\uFF08\u9017\u53F7\u5206\u9694\uFF09","admin.skill_levels":"\u6280\u80FD\uFF08\u719F\u7EC3\u5EA6 1\u20135\uFF09","admin.memberships":"\u961F\u5217\uFF08\u60E9\u7F5A\u503C\uFF1A\u8D8A\u5C0F\u8D8A\u5148\u632F\u94C3\uFF09","admin.max_concurrent":"\u540C\u65F6\u901A\u8BDD\u6570","admin.wrapup":"\u8BDD\u540E\u5904\u7406\u79D2\u6570\uFF08\u7A7A\uFF1A\u7528\u961F\u5217\u7684\uFF09","admin.enabled":"\u542F\u7528","admin.add_row":"+ \u6DFB\u52A0","admin.state":"\u72B6\u6001","admin.description":"\u8BF4\u660E","admin.strategy":"\u5206\u914D\u7B56\u7565","admin.sl":"\u670D\u52A1\u6C34\u5E73","admin.sl_target":"\u670D\u52A1\u6C34\u5E73\u76EE\u6807\uFF08\u79D2\uFF09","admin.sl_percent":"\u670D\u52A1\u6C34\u5E73\u767E\u5206\u6BD4","admin.max_wait":"\u6700\u957F\u7B49\u5F85\uFF08\u79D2\uFF09","admin.max_length":"\u6700\u591A\u6392\u961F\u6570","admin.overflow":"\u6EA2\u51FA\u5230","admin.priority":"\u4F18\u5148\u7EA7","admin.rules":"\u89C4\u5219\uFF08\u6BCF\u884C\u4E00\u6761\uFF0C\u4F8B\u5982 WT < 30: billing >= 4\uFF09","admin.callback_after":"\u591A\u5C11\u79D2\u540E\u63D0\u4F9B\u56DE\u62E8","admin.announce_position":"\u64AD\u62A5\u6392\u961F\u4F4D\u7F6E","admin.announce_interval":"\u64AD\u62A5\u95F4\u9694\uFF08\u79D2\uFF09","admin.join_empty":"\u65E0\u5EA7\u5E2D\u65F6\u53EF\u8FDB\u5165","admin.leave_empty":"\u65E0\u5EA7\u5E2D\u65F6\u79BB\u5F00","admin.moh_class":"\u7B49\u5F85\u97F3\u4E50","admin.members":"\u6210\u5458","admin.penalty":"\u60E9\u7F5A\u503C","admin.add_member":"\u6DFB\u52A0\u6210\u5458","admin.agents_count":"\u5EA7\u5E2D\u6570","admin.username":"\u7528\u6237\u540D","admin.password":"\u5BC6\u7801","admin.password_keep":"\u5BC6\u7801\uFF08\u7A7A\uFF1A\u4E0D\u53D8\uFF09","admin.role":"\u89D2\u8272","admin.agent":"\u5EA7\u5E2D\uFF08\u89D2\u8272\u4E3A\u5EA7\u5E2D\u65F6\uFF09","admin.tokens":"API \u4EE4\u724C","admin.token_label":"\u6807\u7B7E","admin.token_ttl":"\u6709\u6548\u671F\uFF08\u5C0F\u65F6\uFF0C\u7A7A\uFF1A\u6C38\u4E0D\u8FC7\u671F\uFF09","admin.issue":"\u7B7E\u53D1\u4EE4\u724C","admin.token_once":"\u8BF7\u7ACB\u5373\u590D\u5236\uFF1A\u53EA\u663E\u793A\u8FD9\u4E00\u6B21\u3002","admin.revoke":"\u540A\u9500","admin.created":"\u521B\u5EFA\u65F6\u95F4","admin.expires":"\u8FC7\u671F\u65F6\u95F4","admin.last_used":"\u6700\u8FD1\u4F7F\u7528","admin.never":"\u4ECE\u4E0D","admin.export":"\u5F53\u524D\u914D\u7F6E","admin.import":"\u5BFC\u5165\uFF08\u5168\u90E8\u6210\u529F\u6216\u5168\u90E8\u4E0D\u53D8\uFF09","admin.dry_run":"\u4EC5\u68C0\u67E5","admin.apply":"\u5E94\u7528","admin.import_ok":"\u5DF2\u5BFC\u5165\uFF1A{summary}","admin.dry_ok":"\u6709\u6548\uFF1A\u5C06\u5E94\u7528 {summary}","admin.none":"\u65E0","admin.yes":"\u662F","admin.no":"\u5426","admin.unlimited":"\u4E0D\u9650"});O("admin",`
.admin .tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--line); margin: 8px 0 10px; }
.admin .tabs a { padding: 6px 14px; text-decoration: none; color: var(--muted); border: 1px solid transparent; border-bottom: none; border-radius: 6px 6px 0 0; }
.admin .tabs a.active { color: var(--ink); background: var(--panel); border-color: var(--line); margin-bottom: -1px; }
.admin table td { vertical-align: top; }
.admin-form { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 14px; min-width: 560px; }
.admin-form .field { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); margin-top: 6px; }
.admin-form .field.wide { grid-column: 1 / -1; }
.admin-form .field input[type=checkbox] { align-self: flex-start; }
.admin-form .field.has-error input, .admin-form .field.has-error select, .admin-form .field.has-error textarea,
.admin-form .field.has-error .pairs { border-color: var(--bad); outline: 1px solid var(--bad); border-radius: 6px; }
.admin-form .field-error { color: var(--bad); font-size: 12px; }
.admin-form .actions, .admin-form .form-error { grid-column: 1 / -1; }
.admin .pairs { display: flex; flex-direction: column; gap: 4px; padding: 2px; }
.admin .pairs > button { align-self: flex-start; }
.admin .yaml { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.admin .yaml textarea { width: 100%; height: 52vh; font-family: ui-monospace, monospace; font-size: 12.5px; }
.notice { padding: 8px 10px; border-radius: 6px; background: #fff3dc; border: 1px solid #f3d9a4; margin-bottom: 8px; }
.modal:has(.admin-form) { max-height: 94vh; overflow: auto; }
.members { margin-top: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
`);function ne({skill:e,onClose:i,onSaved:a}){let[o,r]=f(e?e.name:""),[t,l]=f(e?e.description:""),[u,d]=f(null),c=async s=>{s.preventDefault(),await x(`api/admin/skills/${encodeURIComponent(o.trim())}`,{description:t},o.trim(),d)&&a()};return m`<${h} title=${e?`${n("admin.edit")}: ${e.name}`:n("admin.new_skill")} onClose=${i}>
    <form class="admin-form" noValidate onSubmit=${c} data-testid="skill-form">
      <${g} label=${n("admin.name")} name="name" error=${u}><input name="name" value=${o} disabled=${!!e} onInput=${s=>r(s.target.value)} /><//>
      <${g} label=${n("admin.description")} name="description" error=${u}><input name="description" value=${t} onInput=${s=>l(s.target.value)} /><//>
      <${w} error=${u} fields=${["name","description"]} />
      <div class="actions"><button type="button" onClick=${i}>${n("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${n("ui.save")}</button></div>
    </form><//>`}function te({prov:e,reload:i}){let[a,o]=f(null),r=async t=>{await k(`api/admin/skills/${encodeURIComponent(t.name)}`,t.name)&&i()};return m`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" onClick=${()=>o("new")}>${n("admin.new_skill")}</button></div>
    <table data-testid="skills-table"><thead><tr><th>${n("admin.name")}</th><th>${n("admin.description")}</th>
      <th class="num">${n("admin.agents_count")}</th><th></th></tr></thead>
      <tbody>${e.skills.map(t=>m`<tr key=${t.name}><td><b>${t.name}</b></td><td>${t.description}</td>
        <td class="num">${t.agents}</td><td><button class="small" onClick=${()=>o(t)}>${n("admin.edit")}</button>
        <button class="small" onClick=${()=>r(t)}>${n("admin.delete")}</button></td></tr>`)}</tbody></table>
    ${a?m`<${ne} skill=${a==="new"?null:a} onClose=${()=>o(null)}
        onSaved=${()=>{o(null),i()}} />`:null}
  </div>`}function ae({reload:e}){let[i,a]=f(""),[o,r]=f(""),[t,l]=f(null),u=()=>I("api/admin/provisioning.yaml").then(a,c=>y(c.message,"error"));E(()=>{u()},[]);let d=async c=>{try{let s=await S("api/admin/provisioning",{yaml:o,dry_run:c});l(null),y(n(c?"admin.dry_ok":"admin.import_ok",{summary:s.summary}),"ok"),c||(u(),e())}catch(s){l(s.message)}};return m`<div class="yaml">
    <div><h3>${n("admin.export")}</h3><textarea readonly data-testid="yaml-export" value=${i}></textarea></div>
    <div><h3>${n("admin.import")}</h3>
      <textarea data-testid="yaml-import" value=${o} placeholder="agents:\n  - name: ...\n    skills: {billing: 3}"
                onInput=${c=>r(c.target.value)}></textarea>
      ${t?m`<div class="form-error" role="alert">${t}</div>`:null}
      <div class="row" style="margin-top: 6px"><button onClick=${()=>d(!0)}>${n("admin.dry_run")}</button>
        <button class="primary" onClick=${()=>d(!1)}>${n("admin.apply")}</button></div>
    </div>
  </div>`}var z=["agents","queues","skills","users","yaml"];function ie({query:e}){let i=z.includes(e.tab)?e.tab:"agents",[a,o]=f(null),r=()=>I("api/admin/provisioning").then(o,t=>y(t.message,"error"));return E(()=>{r()},[]),m`<div class="admin panel">
    <h2>${n("admin.title")}</h2>
    <nav class="tabs">${z.map(t=>m`<a key=${t} href=${`#/admin?tab=${t}`} class=${t===i?"active":""}
        data-testid=${`tab-${t}`}>${n("admin."+t)}</a>`)}</nav>
    ${a?i==="agents"?m`<${D} prov=${a} reload=${r} />`:i==="queues"?m`<${N} prov=${a} reload=${r} />`:i==="skills"?m`<${te} prov=${a} reload=${r} />`:i==="users"?m`<${B} prov=${a} reload=${r} />`:m`<${ae} reload=${r} />`:m`<div class="empty">${n("ui.loading")}</div>`}
  </div>`}export{ie as default};

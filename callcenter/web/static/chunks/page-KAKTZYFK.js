import{a as v,b as _,c as w,d as x,e as M,f as k}from"./chunk-URIS6MIR.js";import{a as O}from"./chunk-WNXMOX53.js";import{a as y,d as h}from"./chunk-BU7XLANR.js";import{e as F}from"./chunk-3ARAPQD3.js";import{b as f,c as C,j as m,k as j,p as A,q as e,r as I,t as E,u as S}from"./chunk-FIC5Y7K7.js";var B=["name","full_name","extension","interface","languages","skills","queues","max_concurrent","wrapup","enabled"];function Q(n){return{name:n?n.name:"",full_name:n?n.full_name:"",extension:n&&n.extension||"",interface:n&&n.interface||"",languages:n?n.languages.join(", "):"en-US",skills:n?Object.entries(n.skills):[["",1]],queues:n?Object.entries(n.queues):[],max_concurrent:n?String(n.max_concurrent):"1",wrapup:n&&n.wrapup!==null?String(n.wrapup):"",enabled:n?n.enabled:!0}}function V(n){let s={full_name:n.full_name,extension:n.extension.trim()||null,languages:M(n.languages),skills:Object.fromEntries(n.skills.filter(([i])=>i.trim()).map(([i,o])=>[i.trim(),k(o)])),queues:Object.fromEntries(n.queues.filter(([i])=>i).map(([i,o])=>[i,k(o)??0])),max_concurrent:k(n.max_concurrent),wrapup:k(n.wrapup)??null,enabled:n.enabled};return n.interface.trim()&&(s.interface=n.interface.trim()),s.max_concurrent===void 0&&delete s.max_concurrent,s}function R({rows:n,onChange:s,names:i,valueLabel:o,testid:a,min:t,max:l}){let u=(d,$,r)=>s(n.map((p,g)=>g===d?$===0?[r,p[1]]:[p[0],r]:p));return m`<div class="pairs" data-testid=${a}>
    ${n.map(([d,$],r)=>m`<div class="row" key=${r}>
      <input list=${`${a}-names`} value=${d} placeholder=${e("admin.name")} onInput=${p=>u(r,0,p.target.value)} />
      <input type="number" style="width: 70px" min=${t} max=${l} value=${$} title=${o}
             onInput=${p=>u(r,1,p.target.value)} />
      <button type="button" class="small" onClick=${()=>s(n.filter((p,g)=>g!==r))}>×</button>
    </div>`)}
    <datalist id=${`${a}-names`}>${i.map(d=>m`<option value=${d} />`)}</datalist>
    <button type="button" class="small" onClick=${()=>s([...n,["",t]])}>${e("admin.add_row")}</button>
  </div>`}function W({agent:n,prov:s,onClose:i,onSaved:o}){let[a,t]=f(Q(n)),[l,u]=f(null),[d,$]=f(!1),r=g=>c=>t({...a,[g]:c.target.type==="checkbox"?c.target.checked:c.target.value}),p=async g=>{if(g.preventDefault(),!a.name.trim()){u({field:"name",message:e("admin.name")+"?"});return}$(!0);let c=await w(`api/admin/agents/${encodeURIComponent(a.name.trim())}`,V(a),a.name.trim(),u);$(!1),c&&o()};return m`<${h} title=${n?`${e("admin.edit")}: ${n.name}`:e("admin.new_agent")} onClose=${i}>
    <form class="admin-form" noValidate onSubmit=${p} data-testid="agent-form">
      <${v} label=${e("admin.name")} name="name" error=${l}>
        <input name="name" value=${a.name} disabled=${!!n} onInput=${r("name")} /><//>
      <${v} label=${e("admin.full_name")} name="full_name" error=${l}><input name="full_name" value=${a.full_name} onInput=${r("full_name")} /><//>
      <${v} label=${e("admin.extension")} name="extension" error=${l}><input name="extension" value=${a.extension} onInput=${r("extension")} /><//>
      <${v} label=${e("admin.interface")} name="interface" error=${l}><input name="interface" value=${a.interface} placeholder="PJSIP/<extension>" onInput=${r("interface")} /><//>
      <${v} label=${e("admin.languages")} name="languages" error=${l}><input name="languages" value=${a.languages} onInput=${r("languages")} /><//>
      <${v} label=${e("admin.max_concurrent")} name="max_concurrent" error=${l}><input name="max_concurrent" type="number" value=${a.max_concurrent} onInput=${r("max_concurrent")} /><//>
      <${v} label=${e("admin.wrapup")} name="wrapup" error=${l}><input name="wrapup" type="number" value=${a.wrapup} onInput=${r("wrapup")} /><//>
      <${v} label=${e("admin.enabled")} name="enabled" error=${l}><input name="enabled" type="checkbox" checked=${a.enabled} onChange=${r("enabled")} /><//>
      <${v} label=${e("admin.skill_levels")} name="skills" error=${l} wide>
        <${R} rows=${a.skills} onChange=${g=>t({...a,skills:g})} names=${s.skills.map(g=>g.name)}
                  valueLabel="1-5" testid="skills" min="1" max="5" /><//>
      <${v} label=${e("admin.memberships")} name="queues" error=${l} wide>
        <${R} rows=${a.queues} onChange=${g=>t({...a,queues:g})} names=${s.queues.map(g=>g.name)}
                  valueLabel=${e("admin.penalty")} testid="queues" min="0" /><//>
      <${_} error=${l} fields=${B} />
      <div class="actions"><button type="button" onClick=${i}>${e("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save" disabled=${d}>${e("ui.save")}</button></div>
    </form>
  <//>`}function P({prov:n,reload:s}){let[i,o]=f(null),a=async t=>{await x(`api/admin/agents/${encodeURIComponent(t.name)}`,t.name)&&s()};return m`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-agent" onClick=${()=>o("new")}>${e("admin.new_agent")}</button></div>
    <table data-testid="agents-table">
      <thead><tr><th>${e("admin.name")}</th><th>${e("admin.full_name")}</th><th>${e("admin.extension")}</th>
        <th>${e("admin.skills")}</th><th>${e("admin.queues")}</th><th>${e("admin.languages").split(/\s*[（(]/)[0]}</th>
        <th>${e("admin.state")}</th><th></th></tr></thead>
      <tbody>${n.agents.map(t=>m`<tr key=${t.name} data-agent=${t.name} class=${t.enabled?"":"muted"}>
        <td><b>${t.name}</b></td><td>${t.full_name}</td><td>${t.extension||"\u2013"}</td>
        <td>${Object.entries(t.skills).map(([l,u])=>`${l}=${u}`).join(", ")||"\u2013"}</td>
        <td>${Object.entries(t.queues).map(([l,u])=>u?`${l}:${u}`:l).join(", ")||"\u2013"}</td>
        <td>${t.languages.join(", ")}</td>
        <td><span class=${`state state-${t.state}`}>${e("state."+t.state)}</span></td>
        <td><button class="small" onClick=${()=>o(t)}>${e("admin.edit")}</button>
          <button class="small" onClick=${()=>a(t)}>${e("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${i?m`<${W} agent=${i==="new"?null:i} prov=${n}
        onClose=${()=>o(null)} onSaved=${()=>{o(null),s()}} />`:null}
  </div>`}var L=["sl_target","sl_percent","max_wait","max_length","priority","announce_interval","callback_after","wrapup"],U=["announce_position","announce_hold_time","join_empty","leave_empty"],Y=["name","description","strategy","rules","overflow","moh_class",...L,...U];function J(n){let s={name:n?n.name:"",description:n?n.description:"",strategy:n?n.strategy:"longest-idle",rules:n?n.rules.join(`
`):"",overflow:n&&n.overflow||"",moh_class:n?n.moh_class:"default"};for(let i of L)s[i]=n&&n[i]!==null&&n[i]!==void 0?String(n[i]):i==="sl_target"?"20":i==="sl_percent"?"80":"";for(let i of U)s[i]=n?!!n[i]:i!=="leave_empty";return s}function H(n,s){let i={description:n.description,strategy:n.strategy,moh_class:n.moh_class,rules:n.rules.split(`
`).map(o=>o.trim()).filter(Boolean),overflow:n.overflow||null};for(let o of L){let a=k(n[o]);a!==void 0?i[o]=a:!s&&["max_wait","max_length","callback_after","wrapup"].includes(o)&&(i[o]=null)}for(let o of U)i[o]=n[o];return i}function G({queue:n,prov:s,reload:i}){let[o,a]=f(""),[t,l]=f("0"),u=r=>`api/admin/queues/${encodeURIComponent(n.name)}/members/${encodeURIComponent(r)}`,d=async()=>{if(o)try{await I("PUT",u(o),{penalty:Number(t)||0}),a(""),i()}catch(r){y(r.message,"error")}},$=async r=>{try{await I("DELETE",u(r)),i()}catch(p){y(p.message,"error")}};return m`<div class="members" data-testid="members">
    <h3>${e("admin.members")}</h3>
    <table><tbody>${Object.entries(n.members).map(([r,p])=>m`<tr key=${r}><td>${r}</td>
      <td class="num">${e("admin.penalty")} ${p}</td><td><button class="small" onClick=${()=>$(r)}>×</button></td></tr>`)}</tbody></table>
    <div class="row" style="margin-top: 4px">
      <select value=${o} onChange=${r=>a(r.target.value)}><option value="">${e("admin.add_member")}…</option>
        ${s.agents.filter(r=>!(r.name in n.members)).map(r=>m`<option value=${r.name}>${r.name}</option>`)}</select>
      <input type="number" min="0" style="width: 70px" value=${t} onInput=${r=>l(r.target.value)} />
      <button class="small" onClick=${d} disabled=${!o}>${e("admin.add_member")}</button>
    </div>
  </div>`}function K({queue:n,prov:s,onClose:i,onSaved:o,reload:a}){let[t,l]=f(J(n)),[u,d]=f(null),$=c=>b=>l({...t,[c]:b.target.type==="checkbox"?b.target.checked:b.target.value}),r=async c=>{if(c.preventDefault(),!t.name.trim()){d({field:"name",message:e("admin.name")+"?"});return}await w(`api/admin/queues/${encodeURIComponent(t.name.trim())}`,H(t,!n),t.name.trim(),d)&&o()},p=(c,b)=>m`<${v} label=${b} name=${c} error=${u}>
    <input name=${c} type="number" value=${t[c]} placeholder=${["max_wait","max_length"].includes(c)?e("admin.unlimited"):""} onInput=${$(c)} /><//>`,g=(c,b)=>m`<${v} label=${b} name=${c} error=${u}>
    <input name=${c} type="checkbox" checked=${t[c]} onChange=${$(c)} /><//>`;return m`<${h} title=${n?`${e("admin.edit")}: ${n.name}`:e("admin.new_queue")} onClose=${i}>
    <form class="admin-form" noValidate onSubmit=${r} data-testid="queue-form">
      <${v} label=${e("admin.name")} name="name" error=${u}><input name="name" value=${t.name} disabled=${!!n} onInput=${$("name")} /><//>
      <${v} label=${e("admin.description")} name="description" error=${u}><input name="description" value=${t.description} onInput=${$("description")} /><//>
      <${v} label=${e("admin.strategy")} name="strategy" error=${u}>
        <select name="strategy" value=${t.strategy} onChange=${$("strategy")}>${s.strategies.map(c=>m`<option value=${c}>${c}</option>`)}</select><//>
      <${v} label=${e("admin.overflow")} name="overflow" error=${u}>
        <input name="overflow" list="overflow-targets" value=${t.overflow} placeholder="queue, voicemail:NAME, flow:NAME" onInput=${$("overflow")} />
        <datalist id="overflow-targets">${s.queues.filter(c=>c.name!==t.name).map(c=>m`<option value=${c.name} />`)}</datalist><//>
      ${p("sl_target",e("admin.sl_target"))}${p("sl_percent",e("admin.sl_percent"))}
      ${p("max_wait",e("admin.max_wait"))}${p("max_length",e("admin.max_length"))}
      ${p("priority",e("admin.priority"))}${p("wrapup",e("admin.wrapup"))}
      ${p("callback_after",e("admin.callback_after"))}${p("announce_interval",e("admin.announce_interval"))}
      ${g("announce_position",e("admin.announce_position"))}${g("join_empty",e("admin.join_empty"))}
      ${g("leave_empty",e("admin.leave_empty"))}
      <${v} label=${e("admin.moh_class")} name="moh_class" error=${u}><input name="moh_class" value=${t.moh_class} onInput=${$("moh_class")} /><//>
      <${v} label=${e("admin.rules")} name="rules" error=${u} wide>
        <textarea name="rules" rows="4" value=${t.rules} onInput=${$("rules")}></textarea><//>
      <${_} error=${u} fields=${Y} />
      <div class="actions"><button type="button" onClick=${i}>${e("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${e("ui.save")}</button></div>
    </form>
    ${n?m`<${G} queue=${s.queues.find(c=>c.name===n.name)||n} prov=${s} reload=${a} />`:null}
  <//>`}function D({prov:n,reload:s}){let[i,o]=f(null),a=async t=>{await x(`api/admin/queues/${encodeURIComponent(t.name)}`,t.name)&&s()};return m`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-queue" onClick=${()=>o("new")}>${e("admin.new_queue")}</button></div>
    <table data-testid="queues-table">
      <thead><tr><th>${e("admin.name")}</th><th>${e("admin.strategy")}</th><th>${e("admin.sl")}</th>
        <th>${e("admin.max_wait")}</th><th>${e("admin.overflow")}</th><th>${e("admin.rules").split(/\s*[（(]/)[0]}</th>
        <th>${e("admin.members")}</th><th></th></tr></thead>
      <tbody>${n.queues.map(t=>m`<tr key=${t.name} data-queue=${t.name}>
        <td><b>${t.name}</b><div class="muted" style="font-size: 12px">${t.description}</div></td><td>${t.strategy}</td>
        <td>${t.sl_percent}% / ${t.sl_target}s</td><td>${t.max_wait??"\u2013"}</td><td>${t.overflow||"\u2013"}</td>
        <td style="white-space: normal; font-size: 12px">${t.rules.join(" \xB7 ")||"\u2013"}</td>
        <td style="white-space: normal; font-size: 12px">${Object.keys(t.members).join(", ")||"\u2013"}</td>
        <td><button class="small" onClick=${()=>o(t)}>${e("admin.edit")}</button>
          <button class="small" onClick=${()=>a(t)}>${e("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${i?m`<${K} queue=${i==="new"?null:i} prov=${n} reload=${s}
        onClose=${()=>o(null)} onSaved=${()=>{o(null),s()}} />`:null}
  </div>`}var X=["username","password","role","agent","enabled"];function Z({user:n,prov:s,onClose:i,onSaved:o}){let[a,t]=f({username:n?n.username:"",password:"",role:n?n.role:"agent",agent:n&&n.agent||"",enabled:n?n.enabled:!0}),[l,u]=f(null),d=r=>p=>t({...a,[r]:p.target.type==="checkbox"?p.target.checked:p.target.value}),$=async r=>{if(r.preventDefault(),!a.username.trim()){u({field:"username",message:e("admin.username")+"?"});return}let p={role:a.role,agent:a.agent||null,enabled:a.enabled};a.password&&(p.password=a.password),await w(`api/admin/users/${encodeURIComponent(a.username.trim())}`,p,a.username.trim(),u)&&o()};return m`<${h} title=${n?`${e("admin.edit")}: ${n.username}`:e("admin.new_user")} onClose=${i}>
    <form class="admin-form" noValidate onSubmit=${$} data-testid="user-form">
      <${v} label=${e("admin.username")} name="username" error=${l}><input name="username" value=${a.username} disabled=${!!n} onInput=${d("username")} /><//>
      <${v} label=${n?e("admin.password_keep"):e("admin.password")} name="password" error=${l}>
        <input name="password" type="password" autocomplete="new-password" value=${a.password} onInput=${d("password")} /><//>
      <${v} label=${e("admin.role")} name="role" error=${l}>
        <select name="role" value=${a.role} onChange=${d("role")}>${s.roles.map(r=>m`<option value=${r}>${e("role."+r)}</option>`)}</select><//>
      <${v} label=${e("admin.agent")} name="agent" error=${l}>
        <select name="agent" value=${a.agent} onChange=${d("agent")}><option value="">–</option>
          ${s.agents.map(r=>m`<option value=${r.name}>${r.name}</option>`)}</select><//>
      <${v} label=${e("admin.enabled")} name="enabled" error=${l}><input name="enabled" type="checkbox" checked=${a.enabled} onChange=${d("enabled")} /><//>
      <${_} error=${l} fields=${X} />
      <div class="actions"><button type="button" onClick=${i}>${e("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${e("ui.save")}</button></div>
    </form>
  <//>`}function q({user:n,onClose:s}){let[i,o]=f(null),[a,t]=f("web"),[l,u]=f(""),[d,$]=f(null),r=`api/admin/users/${encodeURIComponent(n.username)}/tokens`,p=()=>E(r).then(b=>o(b.tokens),b=>y(b.message,"error"));C(()=>{p()},[]);let g=async()=>{try{let b={label:a};l&&(b.ttl=Number(l)*3600);let T=await S(r,b);$(T.token),p()}catch(b){y(b.message,"error")}},c=async b=>{try{await I("DELETE",`api/admin/tokens/${b}`),p()}catch(T){y(T.message,"error")}};return m`<${h} title=${`${e("admin.tokens")}: ${n.username}`} onClose=${s}>
    <div data-testid="tokens">
      ${d?m`<div class="notice"><div>${e("admin.token_once")}</div><code data-testid="new-token" style="user-select: all">${d}</code></div>`:null}
      <table><thead><tr><th>${e("admin.token_label")}</th><th>${e("admin.created")}</th><th>${e("admin.expires")}</th>
        <th>${e("admin.last_used")}</th><th></th></tr></thead>
        <tbody>${(i||[]).map(b=>m`<tr key=${b.id}><td>${b.label}</td><td>${F(b.created_at)}</td>
          <td>${b.expires_at?F(b.expires_at):e("admin.never")}</td><td>${F(b.last_used_at)}</td>
          <td><button class="small" onClick=${()=>c(b.id)}>${e("admin.revoke")}</button></td></tr>`)}</tbody></table>
      <div class="row" style="margin-top: 8px">
        <input placeholder=${e("admin.token_label")} value=${a} onInput=${b=>t(b.target.value)} />
        <input type="number" min="0" style="width: 110px" placeholder=${e("admin.token_ttl")} title=${e("admin.token_ttl")}
               value=${l} onInput=${b=>u(b.target.value)} />
        <button class="primary" onClick=${g}>${e("admin.issue")}</button>
      </div>
    </div>
  <//>`}function N({prov:n,reload:s}){let[i,o]=f(null),[a,t]=f(null),l=j.value&&j.value.user,u=async d=>{await x(`api/admin/users/${encodeURIComponent(d.username)}`,d.username)&&s()};return m`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" data-testid="new-user" onClick=${()=>o("new")}>${e("admin.new_user")}</button></div>
    <table data-testid="users-table">
      <thead><tr><th>${e("admin.username")}</th><th>${e("admin.role")}</th><th>${e("admin.agent").split(/\s*[（(]/)[0]}</th>
        <th>${e("admin.enabled")}</th><th></th></tr></thead>
      <tbody>${n.users.map(d=>m`<tr key=${d.username} data-user=${d.username}>
        <td><b>${d.username}</b></td><td>${e("role."+d.role)}</td><td>${d.agent||"\u2013"}</td>
        <td>${d.enabled?e("admin.yes"):e("admin.no")}</td>
        <td><button class="small" onClick=${()=>o(d)}>${e("admin.edit")}</button>
          <button class="small" onClick=${()=>t(d)}>${e("admin.tokens")}</button>
          <button class="small" disabled=${d.username===l} onClick=${()=>u(d)}>${e("admin.delete")}</button></td></tr>`)}</tbody>
    </table>
    ${i?m`<${Z} user=${i==="new"?null:i} prov=${n}
        onClose=${()=>o(null)} onSaved=${()=>{o(null),s()}} />`:null}
    ${a?m`<${q} user=${a} onClose=${()=>t(null)} />`:null}
  </div>`}A("en",{"admin.title":"Administration","admin.agents":"Agents","admin.queues":"Queues","admin.skills":"Skills","admin.users":"Users","admin.yaml":"Provisioning YAML","admin.new_agent":"New agent","admin.new_queue":"New queue","admin.new_skill":"New skill","admin.new_user":"New user","admin.edit":"Edit","admin.delete":"Delete","admin.confirm_delete":"Delete {what}?","admin.deleted":"{what} deleted","admin.saved":"{what} saved","admin.applied":"applied to the running server","admin.apply_errors":"stored; the server refuses: {errors}","admin.name":"Name","admin.full_name":"Full name","admin.extension":"Extension","admin.interface":"Phone (interface)","admin.languages":"Languages (comma-separated)","admin.skill_levels":"Skills (proficiency 1\u20135)","admin.memberships":"Queues (penalty: lower rings first)","admin.max_concurrent":"Calls at once","admin.wrapup":"Wrap-up seconds (empty: the queue's)","admin.enabled":"Enabled","admin.add_row":"+ add","admin.state":"State","admin.description":"Description","admin.strategy":"Strategy","admin.sl":"Service level","admin.sl_target":"SL target (s)","admin.sl_percent":"SL percent","admin.max_wait":"Max wait (s)","admin.max_length":"Max waiting calls","admin.overflow":"Overflow to","admin.priority":"Priority","admin.rules":"Rules (one per line, e.g. WT < 30: billing >= 4)","admin.callback_after":"Offer callback after (s)","admin.announce_position":"Announce position","admin.announce_interval":"Announce every (s)","admin.join_empty":"Join when no agent","admin.leave_empty":"Leave when no agent","admin.moh_class":"Music on hold","admin.members":"Members","admin.penalty":"Penalty","admin.add_member":"Add member","admin.agents_count":"Agents","admin.username":"User name","admin.password":"Password","admin.password_keep":"Password (empty: unchanged)","admin.role":"Role","admin.agent":"Agent (for role agent)","admin.tokens":"API tokens","admin.token_label":"Label","admin.token_ttl":"Lifetime (hours, empty: never expires)","admin.issue":"Issue a token","admin.token_once":"Copy it now: it is shown only once.","admin.revoke":"Revoke","admin.created":"Created","admin.expires":"Expires","admin.last_used":"Last used","admin.never":"never","admin.export":"Current provisioning","admin.import":"Import (all or nothing)","admin.dry_run":"Check only","admin.apply":"Apply","admin.import_ok":"Imported: {summary}","admin.dry_ok":"Valid: would apply {summary}","admin.none":"none","admin.yes":"yes","admin.no":"no","admin.unlimited":"unlimited"});A("zh",{"admin.title":"\u7BA1\u7406","admin.agents":"\u5EA7\u5E2D","admin.queues":"\u961F\u5217","admin.skills":"\u6280\u80FD","admin.users":"\u7528\u6237","admin.yaml":"\u914D\u7F6E YAML","admin.new_agent":"\u65B0\u5EFA\u5EA7\u5E2D","admin.new_queue":"\u65B0\u5EFA\u961F\u5217","admin.new_skill":"\u65B0\u5EFA\u6280\u80FD","admin.new_user":"\u65B0\u5EFA\u7528\u6237","admin.edit":"\u7F16\u8F91","admin.delete":"\u5220\u9664","admin.confirm_delete":"\u5220\u9664 {what}\uFF1F","admin.deleted":"\u5DF2\u5220\u9664 {what}","admin.saved":"\u5DF2\u4FDD\u5B58 {what}","admin.applied":"\u5DF2\u5E94\u7528\u5230\u8FD0\u884C\u4E2D\u7684\u670D\u52A1\u5668","admin.apply_errors":"\u5DF2\u4FDD\u5B58\uFF1B\u670D\u52A1\u5668\u62D2\u7EDD\uFF1A{errors}","admin.name":"\u540D\u79F0","admin.full_name":"\u5168\u540D","admin.extension":"\u5206\u673A","admin.interface":"\u8BDD\u673A\uFF08\u63A5\u53E3\uFF09","admin.languages":"\u8BED\u8A00\uFF08\u9017\u53F7\u5206\u9694\uFF09","admin.skill_levels":"\u6280\u80FD\uFF08\u719F\u7EC3\u5EA6 1\u20135\uFF09","admin.memberships":"\u961F\u5217\uFF08\u60E9\u7F5A\u503C\uFF1A\u8D8A\u5C0F\u8D8A\u5148\u632F\u94C3\uFF09","admin.max_concurrent":"\u540C\u65F6\u901A\u8BDD\u6570","admin.wrapup":"\u8BDD\u540E\u5904\u7406\u79D2\u6570\uFF08\u7A7A\uFF1A\u7528\u961F\u5217\u7684\uFF09","admin.enabled":"\u542F\u7528","admin.add_row":"+ \u6DFB\u52A0","admin.state":"\u72B6\u6001","admin.description":"\u8BF4\u660E","admin.strategy":"\u5206\u914D\u7B56\u7565","admin.sl":"\u670D\u52A1\u6C34\u5E73","admin.sl_target":"\u670D\u52A1\u6C34\u5E73\u76EE\u6807\uFF08\u79D2\uFF09","admin.sl_percent":"\u670D\u52A1\u6C34\u5E73\u767E\u5206\u6BD4","admin.max_wait":"\u6700\u957F\u7B49\u5F85\uFF08\u79D2\uFF09","admin.max_length":"\u6700\u591A\u6392\u961F\u6570","admin.overflow":"\u6EA2\u51FA\u5230","admin.priority":"\u4F18\u5148\u7EA7","admin.rules":"\u89C4\u5219\uFF08\u6BCF\u884C\u4E00\u6761\uFF0C\u4F8B\u5982 WT < 30: billing >= 4\uFF09","admin.callback_after":"\u591A\u5C11\u79D2\u540E\u63D0\u4F9B\u56DE\u62E8","admin.announce_position":"\u64AD\u62A5\u6392\u961F\u4F4D\u7F6E","admin.announce_interval":"\u64AD\u62A5\u95F4\u9694\uFF08\u79D2\uFF09","admin.join_empty":"\u65E0\u5EA7\u5E2D\u65F6\u53EF\u8FDB\u5165","admin.leave_empty":"\u65E0\u5EA7\u5E2D\u65F6\u79BB\u5F00","admin.moh_class":"\u7B49\u5F85\u97F3\u4E50","admin.members":"\u6210\u5458","admin.penalty":"\u60E9\u7F5A\u503C","admin.add_member":"\u6DFB\u52A0\u6210\u5458","admin.agents_count":"\u5EA7\u5E2D\u6570","admin.username":"\u7528\u6237\u540D","admin.password":"\u5BC6\u7801","admin.password_keep":"\u5BC6\u7801\uFF08\u7A7A\uFF1A\u4E0D\u53D8\uFF09","admin.role":"\u89D2\u8272","admin.agent":"\u5EA7\u5E2D\uFF08\u89D2\u8272\u4E3A\u5EA7\u5E2D\u65F6\uFF09","admin.tokens":"API \u4EE4\u724C","admin.token_label":"\u6807\u7B7E","admin.token_ttl":"\u6709\u6548\u671F\uFF08\u5C0F\u65F6\uFF0C\u7A7A\uFF1A\u6C38\u4E0D\u8FC7\u671F\uFF09","admin.issue":"\u7B7E\u53D1\u4EE4\u724C","admin.token_once":"\u8BF7\u7ACB\u5373\u590D\u5236\uFF1A\u53EA\u663E\u793A\u8FD9\u4E00\u6B21\u3002","admin.revoke":"\u540A\u9500","admin.created":"\u521B\u5EFA\u65F6\u95F4","admin.expires":"\u8FC7\u671F\u65F6\u95F4","admin.last_used":"\u6700\u8FD1\u4F7F\u7528","admin.never":"\u4ECE\u4E0D","admin.export":"\u5F53\u524D\u914D\u7F6E","admin.import":"\u5BFC\u5165\uFF08\u5168\u90E8\u6210\u529F\u6216\u5168\u90E8\u4E0D\u53D8\uFF09","admin.dry_run":"\u4EC5\u68C0\u67E5","admin.apply":"\u5E94\u7528","admin.import_ok":"\u5DF2\u5BFC\u5165\uFF1A{summary}","admin.dry_ok":"\u6709\u6548\uFF1A\u5C06\u5E94\u7528 {summary}","admin.none":"\u65E0","admin.yes":"\u662F","admin.no":"\u5426","admin.unlimited":"\u4E0D\u9650"});O("admin",`
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
`);function ee({skill:n,onClose:s,onSaved:i}){let[o,a]=f(n?n.name:""),[t,l]=f(n?n.description:""),[u,d]=f(null),$=async r=>{r.preventDefault(),await w(`api/admin/skills/${encodeURIComponent(o.trim())}`,{description:t},o.trim(),d)&&i()};return m`<${h} title=${n?`${e("admin.edit")}: ${n.name}`:e("admin.new_skill")} onClose=${s}>
    <form class="admin-form" noValidate onSubmit=${$} data-testid="skill-form">
      <${v} label=${e("admin.name")} name="name" error=${u}><input name="name" value=${o} disabled=${!!n} onInput=${r=>a(r.target.value)} /><//>
      <${v} label=${e("admin.description")} name="description" error=${u}><input name="description" value=${t} onInput=${r=>l(r.target.value)} /><//>
      <${_} error=${u} fields=${["name","description"]} />
      <div class="actions"><button type="button" onClick=${s}>${e("ui.cancel")}</button>
        <button class="primary" type="submit" data-testid="save">${e("ui.save")}</button></div>
    </form><//>`}function ne({prov:n,reload:s}){let[i,o]=f(null),a=async t=>{await x(`api/admin/skills/${encodeURIComponent(t.name)}`,t.name)&&s()};return m`<div>
    <div class="row" style="margin-bottom: 8px"><button class="primary" onClick=${()=>o("new")}>${e("admin.new_skill")}</button></div>
    <table data-testid="skills-table"><thead><tr><th>${e("admin.name")}</th><th>${e("admin.description")}</th>
      <th class="num">${e("admin.agents_count")}</th><th></th></tr></thead>
      <tbody>${n.skills.map(t=>m`<tr key=${t.name}><td><b>${t.name}</b></td><td>${t.description}</td>
        <td class="num">${t.agents}</td><td><button class="small" onClick=${()=>o(t)}>${e("admin.edit")}</button>
        <button class="small" onClick=${()=>a(t)}>${e("admin.delete")}</button></td></tr>`)}</tbody></table>
    ${i?m`<${ee} skill=${i==="new"?null:i} onClose=${()=>o(null)}
        onSaved=${()=>{o(null),s()}} />`:null}
  </div>`}function te({reload:n}){let[s,i]=f(""),[o,a]=f(""),[t,l]=f(null),u=()=>E("api/admin/provisioning.yaml").then(i,$=>y($.message,"error"));C(()=>{u()},[]);let d=async $=>{try{let r=await S("api/admin/provisioning",{yaml:o,dry_run:$});l(null),y(e($?"admin.dry_ok":"admin.import_ok",{summary:r.summary}),"ok"),$||(u(),n())}catch(r){l(r.message)}};return m`<div class="yaml">
    <div><h3>${e("admin.export")}</h3><textarea readonly data-testid="yaml-export" value=${s}></textarea></div>
    <div><h3>${e("admin.import")}</h3>
      <textarea data-testid="yaml-import" value=${o} placeholder="agents:\n  - name: ...\n    skills: {billing: 3}"
                onInput=${$=>a($.target.value)}></textarea>
      ${t?m`<div class="form-error" role="alert">${t}</div>`:null}
      <div class="row" style="margin-top: 6px"><button onClick=${()=>d(!0)}>${e("admin.dry_run")}</button>
        <button class="primary" onClick=${()=>d(!1)}>${e("admin.apply")}</button></div>
    </div>
  </div>`}var z=["agents","queues","skills","users","yaml"];function ae({query:n}){let s=z.includes(n.tab)?n.tab:"agents",[i,o]=f(null),a=()=>E("api/admin/provisioning").then(o,t=>y(t.message,"error"));return C(()=>{a()},[]),m`<div class="admin panel">
    <h2>${e("admin.title")}</h2>
    <nav class="tabs">${z.map(t=>m`<a key=${t} href=${`#/admin?tab=${t}`} class=${t===s?"active":""}
        data-testid=${`tab-${t}`}>${e("admin."+t)}</a>`)}</nav>
    ${i?s==="agents"?m`<${P} prov=${i} reload=${a} />`:s==="queues"?m`<${D} prov=${i} reload=${a} />`:s==="skills"?m`<${ne} prov=${i} reload=${a} />`:s==="users"?m`<${N} prov=${i} reload=${a} />`:m`<${te} reload=${a} />`:m`<div class="empty">${e("ui.loading")}</div>`}
  </div>`}export{ae as default};

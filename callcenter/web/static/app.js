import{a as v}from"./chunks/chunk-OHQH226N.js";import{a as b,b as C}from"./chunks/chunk-BBQQM3VM.js";import{A as P,B as E,a as _,b as d,c as q,j as o,k as S,l as j,m as x,n as u,o as m,q as r,t as h}from"./chunks/chunk-XJKOXNL7.js";var c=[];function s(e){if(!e.path||!e.title||!e.load)throw new Error(`definePage: path, title and load are required (${e.path})`);if(c.some(a=>a.path===e.path))throw new Error(`definePage: ${e.path} declared twice`);c.push({order:50,nav:!0,role:"agent",home:[],when:()=>!0,...e}),c.sort((a,n)=>a.order-n.order)}var w=(e,a)=>!!a&&j(e.role,a.role)&&e.when(a),y=e=>c.filter(a=>w(a,e)),A=e=>c.find(a=>a.path===e);function I(e){let a=y(e);return(a.find(t=>t.home.includes(e.role))||a[0]||{path:"/"}).path}s({path:"/desk",title:"nav.desk",role:"agent",order:10,home:["agent"],when:e=>!!e.agent,load:()=>import("./chunks/page-T4BPJZZP.js")});s({path:"/wallboard",title:"nav.wallboard",role:"supervisor",order:20,home:["supervisor","admin"],load:()=>import("./chunks/page-YCWH6QT4.js")});s({path:"/flows",title:"nav.flows",role:"supervisor",order:30,load:()=>import("./chunks/page-PKU3KCGG.js")});s({path:"/reports",title:"nav.reports",role:"supervisor",order:40,load:()=>import("./chunks/page-AYD2JBMV.js")});s({path:"/admin",title:"nav.admin",role:"admin",order:50,load:()=>import("./chunks/page-DB3VQK77.js")});function k(){let[e,a]=d(""),[n,t]=d(""),[i,l]=d(null),[f,z]=d(!1);async function N(p){p.preventDefault(),z(!0),l(null);try{await P(e.trim(),n)}catch(g){l(g.status===401?r("login.refused"):g.message)}finally{z(!1)}}return o`<div class="login-page">
    <form class="login" onSubmit=${N} aria-label=${r("login.title")}>
      <h1>${r("app.title")}</h1>
      <label>${r("login.user")}
        <input name="username" autocomplete="username" autofocus required value=${e}
               onInput=${p=>a(p.target.value)} /></label>
      <label>${r("login.password")}
        <input name="password" type="password" autocomplete="current-password" required value=${n}
               onInput=${p=>t(p.target.value)} /></label>
      ${i&&o`<div class="form-error" role="alert">${i}</div>`}
      <button type="submit" class="primary" disabled=${f}>${r("login.submit")}</button>
      <select class="lang" aria-label=${r("ui.language")} value=${u.value} onChange=${p=>m(p.target.value)}>
        ${Object.entries(x).map(([p,g])=>o`<option value=${p}>${g}</option>`)}
      </select>
    </form>
  </div>`}var $=new Map;function B({page:e}){let[,a]=d(0),n=$.get(e.path);return q(()=>{if(n)return;let t=!0;return e.load().then(i=>{$.set(e.path,i.default),t&&a(l=>l+1)},i=>{console.error(i),$.set(e.path,()=>o`<div class="empty error">${String(i)}</div>`),t&&a(l=>l+1)}),()=>{t=!1}},[e.path]),n?o`<${n} query=${b.value.query} />`:o`<div class="empty">${r("ui.loading")}</div>`}function F({s:e,full:a}){if(a)return null;let n=b.value.path;return o`<header class="topbar">
    <a class="brand" href="#/">${r("app.title")}</a>
    <nav>${y(e).filter(t=>t.nav).map(t=>o`
      <a key=${t.path} href=${"#"+t.path} class=${n===t.path?"active":""}>${r(t.title)}</a>`)}
    </nav>
    <div class="spacer"></div>
    <span class=${`live-dot live-${v.status.value}`} title=${r("live."+v.status.value)}></span>
    <select class="lang" aria-label=${r("ui.language")} value=${u.value}
            onChange=${t=>m(t.target.value)}>
      ${Object.entries(x).map(([t,i])=>o`<option value=${t}>${i}</option>`)}
    </select>
    <span class="who" title=${e.role}>${e.user} · ${r("role."+e.role)}</span>
    <button class="ghost" data-testid="logout" onClick=${()=>E()}>${r("ui.logout")}</button>
  </header>`}function L(){let e=S.value;if(u.value,!e)return o`<${k} /><${h} />`;let{path:a,query:n}=b.value,t=A(a);if(!t||a==="/"){let f=I(e);if(f!=="/")return C(f),null}let i=t&&w(t,e),l=n.full==="1";return o`<div class=${`shell ${l?"full":""}`}>
    <${F} s=${e} full=${l} />
    <main>${i?o`<${B} key=${a} page=${t} />`:o`<div class="empty error" data-testid="forbidden">${r(t?"ui.forbidden":"ui.no_page")}</div>`}</main>
    <${h} />
  </div>`}_(o`<${L} />`,document.getElementById("app"));

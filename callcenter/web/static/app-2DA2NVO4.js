import{a as v}from"./chunks/chunk-J5CW4CGO.js";import{a as b,b as A}from"./chunks/chunk-Z34AHFKW.js";import{c as h}from"./chunks/chunk-BU7XLANR.js";import{a as _,b as d,c as q,j as o,k as S,l as j,m as x,n as u,o as m,q as r,s as P,v as E,w as C}from"./chunks/chunk-FIC5Y7K7.js";var c=[];function s(e){if(!e.path||!e.title||!e.load)throw new Error(`definePage: path, title and load are required (${e.path})`);if(c.some(a=>a.path===e.path))throw new Error(`definePage: ${e.path} declared twice`);c.push({order:50,nav:!0,role:"agent",home:[],when:()=>!0,...e}),c.sort((a,i)=>a.order-i.order)}var w=(e,a)=>!!a&&j(e.role,a.role)&&e.when(a),y=e=>c.filter(a=>w(a,e)),I=e=>c.find(a=>a.path===e);function L(e){let a=y(e);return(a.find(t=>t.home.includes(e.role))||a[0]||{path:"/"}).path}s({path:"/desk",title:"nav.desk",role:"agent",order:10,home:["agent"],when:e=>!!e.agent,load:()=>import("./chunks/page-5HGUNFEO.js")});s({path:"/wallboard",title:"nav.wallboard",role:"supervisor",order:20,home:["supervisor","admin"],load:()=>import("./chunks/page-AHTAJ752.js"),prefetch:["api/wallboard"]});s({path:"/flows",title:"nav.flows",role:"supervisor",order:30,load:()=>import("./chunks/page-W7XMOWYN.js")});s({path:"/reports",title:"nav.reports",role:"supervisor",order:40,load:()=>import("./chunks/page-LSHFWJ4X.js")});s({path:"/quality",title:"nav.quality",role:"agent",order:45,load:()=>import("./chunks/page-WOEND4RR.js")});s({path:"/admin",title:"nav.admin",role:"admin",order:50,load:()=>import("./chunks/page-KAKTZYFK.js")});function k(){let[e,a]=d(""),[i,t]=d(""),[n,l]=d(null),[f,z]=d(!1);async function B(p){p.preventDefault(),z(!0),l(null);try{await E(e.trim(),i)}catch(g){l(g.status===401?r("login.refused"):g.message)}finally{z(!1)}}return o`<div class="login-page">
    <form class="login" onSubmit=${B} aria-label=${r("login.title")}>
      <h1>${r("app.title")}</h1>
      <label>${r("login.user")}
        <input name="username" autocomplete="username" autofocus required value=${e}
               onInput=${p=>a(p.target.value)} /></label>
      <label>${r("login.password")}
        <input name="password" type="password" autocomplete="current-password" required value=${i}
               onInput=${p=>t(p.target.value)} /></label>
      ${n&&o`<div class="form-error" role="alert">${n}</div>`}
      <button type="submit" class="primary" disabled=${f}>${r("login.submit")}</button>
      <select class="lang" aria-label=${r("ui.language")} value=${u.value} onChange=${p=>m(p.target.value)}>
        ${Object.entries(x).map(([p,g])=>o`<option value=${p}>${g}</option>`)}
      </select>
    </form>
  </div>`}var $=new Map;function F({page:e}){let[,a]=d(0),i=$.get(e.path);return q(()=>{if(i)return;let t=!0;return e.prefetch&&P(e.prefetch),e.load().then(n=>{$.set(e.path,n.default),t&&a(l=>l+1)},n=>{console.error(n),$.set(e.path,()=>o`<div class="empty error">${String(n)}</div>`),t&&a(l=>l+1)}),()=>{t=!1}},[e.path]),i?o`<${i} query=${b.value.query} />`:o`<div class="empty">${r("ui.loading")}</div>`}function U({s:e,full:a}){if(a)return null;let i=b.value.path;return o`<header class="topbar">
    <a class="brand" href="#/">${r("app.title")}</a>
    <nav>${y(e).filter(t=>t.nav).map(t=>o`
      <a key=${t.path} href=${"#"+t.path} class=${i===t.path?"active":""}>${r(t.title)}</a>`)}
    </nav>
    <div class="spacer"></div>
    <span class=${`live-dot live-${v.status.value}`} title=${r("live."+v.status.value)}></span>
    <select class="lang" aria-label=${r("ui.language")} value=${u.value}
            onChange=${t=>m(t.target.value)}>
      ${Object.entries(x).map(([t,n])=>o`<option value=${t}>${n}</option>`)}
    </select>
    <span class="who" title=${e.role}>${e.user} · ${r("role."+e.role)}</span>
    <button class="ghost" data-testid="logout" onClick=${()=>C()}>${r("ui.logout")}</button>
  </header>`}function N(){let e=S.value;if(u.value,!e)return o`<${k} /><${h} />`;let{path:a,query:i}=b.value,t=I(a);if(!t||a==="/"){let f=L(e);if(f!=="/")return A(f),null}let n=t&&w(t,e),l=i.full==="1";return o`<div class=${`shell ${l?"full":""}`}>
    <${U} s=${e} full=${l} />
    <main>${n?o`<${F} key=${a} page=${t} />`:o`<div class="empty error" data-testid="forbidden">${r(t?"ui.forbidden":"ui.no_page")}</div>`}</main>
    <${h} />
  </div>`}_(o`<${N} />`,document.getElementById("app"));

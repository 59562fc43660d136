import{a as v}from"./chunks/chunk-3X4AECNB.js";import{a as b,b as A}from"./chunks/chunk-LSVDKIFR.js";import{c as h}from"./chunks/chunk-TMQEJOAM.js";import{a as _,b as s,c as q,j as o,k as S,l as j,m as x,n as u,o as m,q as r,s as P,v as E,w as C}from"./chunks/chunk-24KITCDC.js";var c=[];function d(e){if(!e.path||!e.title||!e.load)throw new Error(`definePage: path, title and load are required (${e.path})`);if(c.some(t=>t.path===e.path))throw new Error(`definePage: ${e.path} declared twice`);c.push({order:50,nav:!0,role:"agent",home:[],when:()=>!0,...e}),c.sort((t,i)=>t.order-i.order)}var w=(e,t)=>!!t&&j(e.role,t.role)&&e.when(t),y=e=>c.filter(t=>w(t,e)),I=e=>c.find(t=>t.path===e);function L(e){let t=y(e);return(t.find(a=>a.home.includes(e.role))||t[0]||{path:"/"}).path}d({path:"/desk",title:"nav.desk",role:"agent",order:10,home:["agent"],when:e=>!!e.agent,load:()=>import("./chunks/page-M6YDOTX2.js")});d({path:"/wallboard",title:"nav.wallboard",role:"supervisor",order:20,home:["supervisor","admin"],load:()=>import("./chunks/page-IVF4KT33.js"),prefetch:["api/queues","api/agents","api/desk/settings"]});d({path:"/flows",title:"nav.flows",role:"supervisor",order:30,load:()=>import("./chunks/page-LXP4C3VA.js")});d({path:"/reports",title:"nav.reports",role:"supervisor",order:40,load:()=>import("./chunks/page-JVJX7IS6.js")});d({path:"/quality",title:"nav.quality",role:"agent",order:45,load:()=>import("./chunks/page-OZOHY2R5.js")});d({path:"/admin",title:"nav.admin",role:"admin",order:50,load:()=>import("./chunks/page-SQER37UQ.js")});function k(){let[e,t]=s(""),[i,a]=s(""),[n,l]=s(null),[f,z]=s(!1);async function B(p){p.preventDefault(),z(!0),l(null);try{await E(e.trim(),i)}catch(g){l(g.status===401?r("login.refused"):g.message)}finally{z(!1)}}return o`<div class="login-page">
    <form class="login" onSubmit=${B} aria-label=${r("login.title")}>
      <h1>${r("app.title")}</h1>
      <label>${r("login.user")}
        <input name="username" autocomplete="username" autofocus required value=${e}
               onInput=${p=>t(p.target.value)} /></label>
      <label>${r("login.password")}
        <input name="password" type="password" autocomplete="current-password" required value=${i}
               onInput=${p=>a(p.target.value)} /></label>
      ${n&&o`<div class="form-error" role="alert">${n}</div>`}
      <button type="submit" class="primary" disabled=${f}>${r("login.submit")}</button>
      <select class="lang" aria-label=${r("ui.language")} value=${u.value} onChange=${p=>m(p.target.value)}>
        ${Object.entries(x).map(([p,g])=>o`<option value=${p}>${g}</option>`)}
      </select>
    </form>
  </div>`}var $=new Map;function F({page:e}){let[,t]=s(0),i=$.get(e.path);return q(()=>{if(i)return;let a=!0;return e.prefetch&&P(e.prefetch),e.load().then(n=>{$.set(e.path,n.default),a&&t(l=>l+1)},n=>{console.error(n),$.set(e.path,()=>o`<div class="empty error">${String(n)}</div>`),a&&t(l=>l+1)}),()=>{a=!1}},[e.path]),i?o`<${i} query=${b.value.query} />`:o`<div class="empty">${r("ui.loading")}</div>`}function U({s:e,full:t}){if(t)return null;let i=b.value.path;return o`<header class="topbar">
    <a class="brand" href="#/">${r("app.title")}</a>
    <nav>${y(e).filter(a=>a.nav).map(a=>o`
      <a key=${a.path} href=${"#"+a.path} class=${i===a.path?"active":""}>${r(a.title)}</a>`)}
    </nav>
    <div class="spacer"></div>
    <span class=${`live-dot live-${v.status.value}`} title=${r("live."+v.status.value)}></span>
    <select class="lang" aria-label=${r("ui.language")} value=${u.value}
            onChange=${a=>m(a.target.value)}>
      ${Object.entries(x).map(([a,n])=>o`<option value=${a}>${n}</option>`)}
    </select>
    <span class="who" title=${e.role}>${e.user} · ${r("role."+e.role)}</span>
    <button class="ghost" data-testid="logout" onClick=${()=>C()}>${r("ui.logout")}</button>
  </header>`}function N(){let e=S.value;if(u.value,!e)return o`<${k} /><${h} />`;let{path:t,query:i}=b.value,a=I(t);if(!a||t==="/"){let f=L(e);if(f!=="/")return A(f),null}let n=a&&w(a,e),l=i.full==="1";return o`<div class=${`shell ${l?"full":""}`}>
    <${U} s=${e} full=${l} />
    <main>${n?o`<${F} key=${t} page=${a} />`:o`<div class="empty error" data-testid="forbidden">${r(a?"ui.forbidden":"ui.no_page")}</div>`}</main>
    <${h} />
  </div>`}_(o`<${N} />`,document.getElementById("app"));

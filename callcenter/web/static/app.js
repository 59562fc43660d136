import{a as m,b as F}from"./chunks/chunk-M3Y23Z62.js";import{a as I,b as d,c as P,f as E,g as C,h as n,i as p,j as U,n as j,o as A,p as b,q as c,r as x,t as i,v as w}from"./chunks/chunk-PBR6DMG7.js";var f=[];function v(t){if(!t.path||!t.title||!t.load)throw new Error(`definePage: path, title and load are required (${t.path})`);if(f.some(e=>e.path===t.path))throw new Error(`definePage: ${t.path} declared twice`);f.push({order:50,nav:!0,role:"agent",home:[],when:()=>!0,...t}),f.sort((e,a)=>e.order-a.order)}var y=(t,e)=>!!e&&U(t.role,e.role)&&t.when(e),$=t=>f.filter(e=>y(e,t)),L=t=>f.find(e=>e.path===t);function N(t){let e=$(t);return(e.find(o=>o.home.includes(t.role))||e[0]||{path:"/"}).path}v({path:"/flows",title:"nav.flows",role:"supervisor",order:30,load:()=>import("./chunks/page-YBIFGTFE.js")});v({path:"/reports",title:"nav.reports",role:"supervisor",order:40,load:()=>import("./chunks/page-S2EQFP6E.js")});v({path:"/admin",title:"nav.admin",role:"admin",order:50,load:()=>import("./chunks/page-4U2BZS62.js")});var k=class{constructor(e){this.urlFor=e,this.handlers=new Map,this.status=E("closed"),this.ws=null,this.delay=500,this.timer=null,this.pinger=null,this.wanted=!1,this.received=0}on(e,a){return this.handlers.has(e)||this.handlers.set(e,new Set),this.handlers.get(e).add(a),()=>this.handlers.get(e).delete(a)}emit(e,a){for(let o of this.handlers.get(e)||[])try{o(a)}catch(r){console.error(`live ${e} handler failed`,r)}}start(){this.wanted=!0,this.ws||this.connect()}stop(){if(this.wanted=!1,clearTimeout(this.timer),clearInterval(this.pinger),this.ws){let e=this.ws;this.ws=null,e.close(1e3,"logout")}this.status.value="closed"}connect(){let e=this.urlFor();if(!e||!this.wanted)return;this.status.value="connecting";let a=new WebSocket(e);this.ws=a,a.onopen=()=>{this.delay=500,this.status.value="open",this.pinger=setInterval(()=>a.readyState===1&&a.send('{"type":"ping"}'),2e4),this.emit("open",null)},a.onmessage=o=>{let r;try{r=JSON.parse(o.data)}catch{return}this.received+=1,r.type==="event"?this.emit("event",r.event):this.emit(r.type,r)},a.onclose=()=>{clearInterval(this.pinger),this.ws===a&&(this.ws=null,this.status.value="closed",this.emit("close",null),this.wanted&&(this.timer=setTimeout(()=>this.connect(),this.delay),this.delay=Math.min(this.delay*2,1e4)))}}};function M(t){let e=new URL("api/ws",document.baseURI);return e.protocol=e.protocol==="https:"?"wss:":"ws:",e.searchParams.set("token",t),e.toString()}var u=new k(()=>p.value?M(p.value.token):null);C(()=>{p.value?(u.stop(),u.start()):u.stop()});function z(){let[t,e]=d(""),[a,o]=d(""),[r,s]=d(null),[g,_]=d(!1);async function B(l){l.preventDefault(),_(!0),s(null);try{await j(t.trim(),a)}catch(h){s(h.status===401?i("login.refused"):h.message)}finally{_(!1)}}return n`<div class="login-page">
    <form class="login" onSubmit=${B} aria-label=${i("login.title")}>
      <h1>${i("app.title")}</h1>
      <label>${i("login.user")}
        <input name="username" autocomplete="username" autofocus required value=${t}
               onInput=${l=>e(l.target.value)} /></label>
      <label>${i("login.password")}
        <input name="password" type="password" autocomplete="current-password" required value=${a}
               onInput=${l=>o(l.target.value)} /></label>
      ${r&&n`<div class="form-error" role="alert">${r}</div>`}
      <button type="submit" class="primary" disabled=${g}>${i("login.submit")}</button>
      <select class="lang" aria-label=${i("ui.language")} value=${c.value} onChange=${l=>x(l.target.value)}>
        ${Object.entries(b).map(([l,h])=>n`<option value=${l}>${h}</option>`)}
      </select>
    </form>
  </div>`}var S=new Map;function O({page:t}){let[,e]=d(0),a=S.get(t.path);return P(()=>{if(a)return;let o=!0;return t.load().then(r=>{S.set(t.path,r.default),o&&e(s=>s+1)},r=>{console.error(r),S.set(t.path,()=>n`<div class="empty error">${String(r)}</div>`),o&&e(s=>s+1)}),()=>{o=!1}},[t.path]),a?n`<${a} query=${m.value.query} />`:n`<div class="empty">${i("ui.loading")}</div>`}function R({s:t,full:e}){if(e)return null;let a=m.value.path;return n`<header class="topbar">
    <a class="brand" href="#/">${i("app.title")}</a>
    <nav>${$(t).filter(o=>o.nav).map(o=>n`
      <a key=${o.path} href=${"#"+o.path} class=${a===o.path?"active":""}>${i(o.title)}</a>`)}
    </nav>
    <div class="spacer"></div>
    <span class=${`live-dot live-${u.status.value}`} title=${i("live."+u.status.value)}></span>
    <select class="lang" aria-label=${i("ui.language")} value=${c.value}
            onChange=${o=>x(o.target.value)}>
      ${Object.entries(b).map(([o,r])=>n`<option value=${o}>${r}</option>`)}
    </select>
    <span class="who" title=${t.role}>${t.user} · ${i("role."+t.role)}</span>
    <button class="ghost" data-testid="logout" onClick=${()=>A()}>${i("ui.logout")}</button>
  </header>`}function q(){let t=p.value;if(c.value,!t)return n`<${z} /><${w} />`;let{path:e,query:a}=m.value,o=L(e);if(!o||e==="/"){let g=N(t);if(g!=="/")return F(g),null}let r=o&&y(o,t),s=a.full==="1";return n`<div class=${`shell ${s?"full":""}`}>
    <${R} s=${t} full=${s} />
    <main>${r?n`<${O} key=${e} page=${o} />`:n`<div class="empty error" data-testid="forbidden">${i(o?"ui.forbidden":"ui.no_page")}</div>`}</main>
    <${w} />
  </div>`}I(n`<${q} />`,document.getElementById("app"));

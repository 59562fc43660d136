import{g as s,j as e,q as n}from"./chunk-FIC5Y7K7.js";var r=s([]),c=1;function l(t,i="info",a=5e3){let o=c++;r.value=[...r.value,{id:o,message:t,kind:i}],setTimeout(()=>{r.value=r.value.filter(d=>d.id!==o)},a)}async function $(t,i){try{let a=await t();return i&&l(i,"ok",2500),a}catch(a){l(a.message||String(a),"error");return}}function m(){return e`<div class="toasts" role="status" aria-live="polite">
    ${r.value.map(t=>e`<div key=${t.id} class=${`toast toast-${t.kind}`}>${t.message}</div>`)}
  </div>`}function p({title:t,onClose:i,children:a}){return e`<div class="modal-back" onClick=${o=>o.target===o.currentTarget&&i()}>
    <div class="modal" role="dialog" aria-label=${t}>
      <header><h3>${t}</h3><button class="icon" title=${n("ui.close")} onClick=${i}>×</button></header>
      ${a}
    </div>
  </div>`}function f({label:t,value:i,cls:a=""}){return e`<div class=${`stat ${a}`}><div class="stat-value">${i}</div><div class="stat-label">${t}</div></div>`}function g({children:t}){return e`<div class="empty">${t}</div>`}export{l as a,$ as b,m as c,p as d,f as e,g as f};

var n=new Set;function a(e,d){if(n.has(e))return;n.add(e);let t=document.createElement("style");t.dataset.page=e,t.textContent=d,document.head.appendChild(t)}export{a};

// The first script of the page, inlined into index.html by the build (build.mjs puts the route table in
// place of ROUTES and the server's Content-Security-Policy allows this script by its hash). Before the
// app's modules have even arrived it looks at the address (or the role's home page) and
//   * asks for that page's chunks at once (<link rel=modulepreload>), so they load beside app.js
//     instead of after it;
//   * starts the page's first GETs (its `prefetch` in src/pages/index.js) with the stored session's
//     token; core/api.js hands each answer to the page's first get() of the same path.
// A wrong guess only costs a request: the app decides everything again when it starts.
(function () {
  var routes = ROUTES;    // [{path, role, home: [roles], js: [files], data: [GET paths]}] in menu order
  var ranks = ["agent", "supervisor", "admin"];
  var s = null;
  try { s = JSON.parse(localStorage.getItem("callcenter.session") || "null"); } catch (e) { /* no session */ }
  if (!s || typeof s.token !== "string" || (s.expires_at && s.expires_at * 1000 < Date.now())) return;
  var path = location.hash.replace(/^#/, "").split("?")[0] || "/";
  var page = null, i;
  for (i = 0; i < routes.length && !page; i++) if (routes[i].path === path) page = routes[i];
  for (i = 0; i < routes.length && !page; i++) if (routes[i].home.indexOf(s.role) >= 0) page = routes[i];
  if (!page || ranks.indexOf(s.role) < ranks.indexOf(page.role)) return;
  for (i = 0; i < page.js.length; i++) {
    var link = document.createElement("link");
    link.rel = "modulepreload";
    link.href = page.js[i];
    document.head.appendChild(link);
  }
  var early = window.__callcenterEarly = { token: s.token, at: Date.now(), answers: {} };
  for (i = 0; i < page.data.length; i++) {
    early.answers[page.data[i]] = fetch(page.data[i], { headers: { Authorization: "Bearer " + s.token } });
  }
})();

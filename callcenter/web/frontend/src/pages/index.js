// Every page of the workplace, one line each (see docs/web.md, "Adding a page"). The page's code is
// loaded only when it is first opened. `role` is the least role that may open it; the server checks
// every call the page makes anyway.
import { definePage } from "../core/pages.js";
definePage({ path: "/desk", title: "nav.desk", role: "agent", order: 10, home: ["agent"],
             when: (s) => !!s.agent, load: () => import("./desk/page.js") });
definePage({ path: "/wallboard", title: "nav.wallboard", role: "supervisor", order: 20,
             home: ["supervisor", "admin"], load: () => import("./wallboard/page.js"),
             prefetch: ["api/wallboard"] });
definePage({ path: "/flows", title: "nav.flows", role: "supervisor", order: 30, load: () => import("./flows/page.js") });
definePage({ path: "/reports", title: "nav.reports", role: "supervisor", order: 40, load: () => import("./reports/page.js") });
definePage({ path: "/quality", title: "nav.quality", role: "agent", order: 45, load: () => import("./quality/page.js") });
definePage({ path: "/admin", title: "nav.admin", role: "admin", order: 50, load: () => import("./admin/page.js") });

// Every page of the workplace, one line each (see docs/web.md, "Adding a page"). The page's code is
// loaded only when it is first opened. `role` is the least role that may open it; the server checks
// every call the page makes anyway.
import { definePage } from "../core/pages.js";

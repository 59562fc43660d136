// Entry point: the styles, the page registry, the shell.
import "uplot/dist/uPlot.min.css";
import "./styles/app.css";
import "./pages/index.js";
import { html, render } from "./core/html.js";
import { App } from "./core/shell.js";

render(html`<${App} />`, document.getElementById("app"));

// Builds the web workplace into the Python package: callcenter/web/static/ (committed, shipped as package data).
//   npm ci && npm run build        (or: npm run watch, rebuilding on every change)
// One ES module entry (src/main.js) with code splitting: every page is its own chunk, loaded when first
// opened (pages.js: definePage({load: () => import(...)})), so the login and the wallboard stay small.
// Then, from esbuild's metafile:
//   * every file name carries its content hash (app-XXXX.js, chunks/page-XXXX.js): the server sends them
//     as immutable (a year), index.html (no-cache) names the current ones;
//   * index.html asks for app.js's chunks at once (<link rel=modulepreload>: no waterfall of imports)
//     and inlines src/boot.js with the route table (each page's chunks and first GETs, read from
//     src/pages/index.js), which preloads the page the address names and starts its data requests;
//   * manifest.json tells the server which files are immutable and the inline script's CSP hash;
//   * every text file gets a .br and a .gz beside it (the server sends them with Content-Encoding).
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zc, gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "static");
const watch = process.argv.includes("--watch");
const PACKED = /\.(js|css|html|svg|txt)$/;

const hashed = (name, data) => name.replace(/(\.[a-z]+)$/, `-${createHash("sha256").update(data).digest("hex").slice(0, 8).toUpperCase()}$1`);
const rel = (f) => relative(out, join(here, f)).split("\\").join("/");   // metafile path -> path under static/

/** every definePage({...}) of src/pages/index.js: path, least role, home roles, page module, prefetch */
function pageTable() {
  const src = readFileSync(join(here, "src", "pages", "index.js"), "utf8");
  const calls = [...src.matchAll(/definePage\(\{([\s\S]*?)\}\);/g)];
  const strings = (m) => (m ? [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]) : []);
  const pages = calls.map(([, body]) => {
    const path = /path:\s*"([^"]+)"/.exec(body);
    const mod = /import\("\.\/([^"]+)"\)/.exec(body);
    if (!path || !mod) throw new Error(`build: src/pages/index.js: a definePage without path or import("./...") : ${body.trim().slice(0, 80)}`);
    return { path: path[1], module: "src/pages/" + mod[1], role: (/role:\s*"([^"]+)"/.exec(body) || [0, "agent"])[1],
             order: Number((/order:\s*(\d+)/.exec(body) || [0, 50])[1]),
             home: strings(/home:\s*\[([^\]]*)\]/.exec(body)), data: strings(/prefetch:\s*\[([^\]]*)\]/.exec(body)) };
  });
  if (pages.length !== (src.match(/definePage\(\{/g) || []).length) {
    throw new Error("build: src/pages/index.js: write each definePage({...}); as one call the build can read");
  }
  return pages.sort((a, b) => a.order - b.order);
}

function emptyDir(dir) {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) rmSync(join(dir, f), { recursive: true, force: true });
}

function walk(dir) {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
}

function finish(meta) {
  const outputs = meta.outputs;
  const entryOf = (mod) => Object.keys(outputs).find((f) => outputs[f].entryPoint === mod && f.endsWith(".js"));
  const closure = (f, seen = new Set()) => {
    for (const i of outputs[f].imports) if (i.kind === "import-statement" && !seen.has(i.path)) { seen.add(i.path); closure(i.path, seen); }
    return seen;
  };
  const app = entryOf("src/main.js");
  const appDeps = closure(app);
  const routes = pageTable().map((p) => {
    const f = entryOf(p.module);
    if (!f) throw new Error(`build: ${p.module} (page ${p.path}) is not a chunk of the build`);
    const js = [f, ...closure(f)].filter((x) => !appDeps.has(x)).map((x) => "static/" + rel(x));
    return { path: p.path, role: p.role, home: p.home, js, data: p.data };
  });
  const favicon = hashed("favicon.svg", readFileSync(join(here, "src", "favicon.svg")));
  copyFileSync(join(here, "src", "favicon.svg"), join(out, favicon));
  const boot = esbuild.transformSync(readFileSync(join(here, "src", "boot.js"), "utf8")
    .replace("ROUTES;", JSON.stringify(routes) + ";"), { minify: !watch, target: "es2017" }).code.trim();
  const head = [      // the inline script first: after a stylesheet it would wait for that to arrive
    `<script>${boot}</script>`,
    `<link rel="stylesheet" href="static/${rel(outputs[app].cssBundle)}">`,
    `<script type="module" src="static/${rel(app)}"></script>`,
    ...[...appDeps].map((f) => `<link rel="modulepreload" href="static/${rel(f)}">`),
    `<link rel="icon" href="static/${favicon}" type="image/svg+xml">`,
  ].join("\n");
  const html = readFileSync(join(here, "src", "index.html"), "utf8").replace("<!-- assets -->", head);
  if (html.includes("<!-- assets -->") || !html.includes(head)) throw new Error("build: src/index.html needs one <!-- assets --> line");
  writeFileSync(join(out, "index.html"), html);
  const immutable = walk(out).map((f) => relative(out, f).split("\\").join("/")).filter((f) => f !== "index.html");
  writeFileSync(join(out, "manifest.json"), JSON.stringify({
    immutable: immutable.sort(),
    script_hashes: [`sha256-${createHash("sha256").update(boot).digest("base64")}`],
  }, null, 1) + "\n");
  for (const f of walk(out)) {
    if (!PACKED.test(f)) continue;
    const data = readFileSync(f);
    const br = brotliCompressSync(data, { params: { [zc.BROTLI_PARAM_QUALITY]: watch ? 5 : 11, [zc.BROTLI_PARAM_SIZE_HINT]: data.length } });
    const gz = gzipSync(data, { level: 9 });
    if (br.length < data.length) writeFileSync(f + ".br", br);
    if (gz.length < data.length) writeFileSync(f + ".gz", gz);
  }
  return routes;
}

const options = {
  absWorkingDir: here,
  entryPoints: { app: "src/main.js" },
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2020"],
  outdir: out,
  entryNames: "[name]-[hash]",
  chunkNames: "chunks/[name]-[hash]",
  minify: !watch && !process.env.CALLCENTER_WEB_NOMINIFY,
  sourcemap: false,
  legalComments: "linked",
  loader: { ".css": "css" },
  metafile: true,
  logLevel: "info",
  plugins: [{
    name: "callcenter-static",
    setup(b) {
      b.onStart(() => emptyDir(out));        // old hashed files go (the phone lives in callcenter/web/phone)
      b.onEnd((r) => {
        if (r.errors.length) return;
        const routes = finish(r.metafile);
        for (const p of routes) console.log(`  ${p.path}: ${p.js.length} chunk(s) preloaded, first GETs ${p.data.join(", ") || "none"}`);
      });
    },
  }],
};
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}

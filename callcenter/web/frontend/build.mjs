// Builds the web workplace into the Python package: callcenter/web/static/ (committed, shipped as package data).
//   npm ci && npm run build        (or: npm run watch, rebuilding on every change)
// One ES module entry (src/main.js) with code splitting: every page is its own chunk, loaded when first
// opened (pages.js: definePage({load: () => import(...)})), so the login and the wallboard stay small.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "static");
const watch = process.argv.includes("--watch");

// old chunks go, the phone's folder (callcenter/web/phone) is not ours and lives elsewhere
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) rmSync(join(out, f), { recursive: true, force: true });
copyFileSync(join(here, "src", "index.html"), join(out, "index.html"));
copyFileSync(join(here, "src", "favicon.svg"), join(out, "favicon.svg"));

const options = {
  entryPoints: { app: join(here, "src", "main.js") },
  bundle: true,
  splitting: true,
  format: "esm",
  target: ["es2020"],
  outdir: out,
  chunkNames: "chunks/[name]-[hash]",
  minify: !watch,
  sourcemap: false,
  legalComments: "linked",
  loader: { ".css": "css" },
  logLevel: "info",
};
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}

// Bundles the CLI and the library for Node. Code splitting keeps start-up cheap: dist/cli.js is a
// small entry, and every command group and heavy module (openpgp, @sigstore/*, yaml) sits in its own
// chunk under dist/chunks/, loaded by dynamic import() only when a command needs it. (A single-file
// bundle defers *running* lazy modules but Node must still compile the whole 3.5 MB file at every
// start: `aam --version` cost ~4 × `node -e 0`; see BENCHMARKS.md.)
import { build } from "esbuild";
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { lazyCjsPlugin, VENDOR_PLACEHOLDER } from "./lazy_cjs.mjs";

// `aam pkg pack` deflates on worker threads (src/archive/deflate_parallel.ts) running their own entry,
// dist/deflate_worker.js. The code starting them lands in whichever output file esbuild picks (an
// entry or a hashed chunk), so its path to the worker is only known after the build: a placeholder
// is defined here and replaced below, in each output holding it, by the path relative to that file.
const WORKER_OUT = "dist/deflate_worker.js";
const WORKER_PLACEHOLDER = "@@AAM_DEFLATE_WORKER@@";
// The CommonJS packages AAM loads on first use (scripts/lazy_cjs.mjs) stay out of the chunks: each
// is bundled on its own into dist/vendor/<name>.cjs, required from there when first used.
const VENDOR_DIR = "dist/vendor";
const VENDOR = ["yaml", "semver", "ignore"];
// createRequire() costs ~50-100 µs per module on Bun, and `aam verify` loads ~50 chunks.
const REQUIRE_BANNER = "import { createRequire as __aamCreateRequire } from 'node:module'; const require = __aamCreateRequire(import.meta.url);";

const result = await build({
  plugins: [lazyCjsPlugin({ external: true })],
  // openpgp.js: its browser build on every runtime (src/signing/openpgp/openpgp_js.js says why).
  alias: { openpgp: "./src/signing/openpgp/openpgp_js.js" },
  metafile: true,
  entryPoints: { cli: "src/cli.ts", index: "src/index.ts", deflate_worker: "src/archive/deflate_worker.ts" },
  define: { AAM_DEFLATE_WORKER: JSON.stringify(WORKER_PLACEHOLDER) },
  outdir: "dist",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies bundled into ESM need a require() for node: built-ins. The banner gives
  // every output one; the loop below removes it where nothing uses it. The hashbang is harmless in
  // chunks and in index.js: it is valid at the start of any module.
  banner: { js: `#!/usr/bin/env node\n${REQUIRE_BANNER}` },
});

const vendor = await build({
  // semver: only the function modules src/manifest/semver.ts calls (scripts/vendor_semver.cjs).
  entryPoints: Object.fromEntries(VENDOR.map((n) => [n, n === "semver" ? "./scripts/vendor_semver.cjs" : n])),
  outdir: VENDOR_DIR,
  outExtension: { ".js": ".cjs" },
  metafile: true,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
});

/** `to`'s path from the output file `out`, as an import or require() specifier. */
function specifier(out, to) {
  const rel = relative(dirname(out), to).replaceAll("\\", "/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

let placed = 0;
for (const out of Object.keys(result.metafile.outputs)) {
  if (!out.endsWith(".js")) continue;
  let text = readFileSync(out, "utf8");
  const before = text;
  if (text.includes(WORKER_PLACEHOLDER)) {
    text = text.replaceAll(JSON.stringify(WORKER_PLACEHOLDER), JSON.stringify(specifier(out, WORKER_OUT)));
    placed++;
  }
  text = text.replaceAll(`"${VENDOR_PLACEHOLDER}/`, `"${specifier(out, VENDOR_DIR)}/`);
  // No `require` besides the banner's own: a conservative match (comments and strings count, but
  // not `--require-signature` or `x.require_y`).
  if (!/(?<![\w$.-])require(?![\w$-])/.test(text.replace(REQUIRE_BANNER, ""))) text = text.replace(REQUIRE_BANNER, "");
  if (text.includes(VENDOR_PLACEHOLDER)) throw new Error(`build: a vendor path was not placed in ${out}`);
  if (text !== before) writeFileSync(out, text);
}
if (placed === 0 || !(WORKER_OUT in result.metafile.outputs)) throw new Error("build: the deflate worker's path was not placed");
for (const n of VENDOR) if (!(`${VENDOR_DIR}/${n}.cjs` in vendor.metafile.outputs)) throw new Error(`build: ${VENDOR_DIR}/${n}.cjs was not written`);

// Chunk names carry a content hash, so a rebuild never changes a chunk a running aam may still
// import. Chunks no longer produced are removed once they are an hour old (not at once: tests and
// other shells may be running the previous build). `--prune` (npm pack's prepack) removes them at
// once, so the package holds exactly the chunks this build produced.
const prune = process.argv.includes("--prune");
const keep = new Set(Object.keys(result.metafile.outputs).map((p) => resolve(p)));
for (const name of readdirSync("dist/chunks")) {
  const p = resolve(join("dist/chunks", name));
  if (!keep.has(p) && (prune || Date.now() - statSync(p).mtimeMs > 3600_000)) rmSync(p, { force: true });
}

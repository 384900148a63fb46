// `node scripts/bench/parsers.mjs [--runs N] [--only id,id]`: the YAML readers and version grammars AAM could use,
// measured the way the CLI meets them: a fresh process on Node, Bun and Deno loads the candidate
// and parses once. Each candidate is bundled like dist/ (esbuild, scripts/lazy_cjs.mjs); the cases of
// one table run interleaved round by round (scripts/bench/harness.mjs). Reports per case the wall
// time, peak RSS and the in-process time (import + parse, from performance.now()). run.mjs runs the
// same cases into BENCHMARKS.md; this file alone prints them and writes bench-work/parsers.json.
//
// Workloads: bench-work/index-registry/index.yaml (10,000 packages) and a 10-version metadata.yaml
// from bench-work/registry/ (both from generate.ts: run `npm run bench` once, or
// `bun scripts/bench/generate.ts`), and a typical config.yaml written below. js-yaml 5 (a single reader
// with alias and depth bounds) is measured when installed, not saved: `npm install --no-save js-yaml@5`.
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { lazyCjs } from "../lazy_cjs.mjs";
import { measure } from "./harness.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WORK = join(ROOT, "bench-work");
const OUT = join(WORK, "parsers");
const BIN = join(ROOT, "node_modules", ".bin");
const JS_YAML = join(ROOT, "node_modules", "js-yaml");

const RUNTIMES = {
  node: (file, args) => [process.execPath, [file, ...args]],
  bun: (file, args) => [join(BIN, "bun"), [file, ...args]],
  deno: (file, args) => [join(BIN, "deno"), ["run", "-A", "--quiet", file, ...args]],
};

/** A config.yaml as `aam config` writes it (formatConfig): registries and the security keys. */
const CONFIG_YAML = `# AAM configuration (see \`aam config list\`). Change it with \`aam config set|unset|add\`.
registries:
  - name: local
    url: file:///home/user/aam-registry
    default: true
  - name: team
    url: https://registry.example.com/aam
    default: false
security:
  signing_method: ed25519
  signing_key: default
  require_signature: true
  trusted_keys:
    - sha256:2f1c4e0b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29181716151413121110ff
    - sha256:8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b
  trusted_identities:
    - https://github.com/example/*
  on_signature_failure: error
  verify_transparency_log: true
`;

// Each candidate is a module exporting run(text | versions); the harness child imports it, times it
// and prints { ms } (import + run) on stdout.
const YAML_CANDIDATES = {
  // The bare process reading the file: what is left once the parser is free.
  "no parser (read only)": `export const run = (t) => t.length;`,
  // What the full parser does for AAM today (src/encoding/yaml.ts): core schema, duplicate keys refused, aliases bounded.
  "yaml (parseDocument, core schema)": `import YAML from "yaml";
export function run(t) {
  const doc = YAML.parseDocument(t, { uniqueKeys: true, prettyErrors: false, logLevel: "error" });
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS({ maxAliasCount: 100 });
}`,
  "block_yaml.ts (parseBlockYaml)": `import { parseBlockYaml } from ${JSON.stringify(join(ROOT, "src/encoding/block_yaml.ts"))};
export function run(t) { const v = parseBlockYaml(t); if (v === null) throw new Error("outside the subset"); return v; }`,
  // As shipped: the fast reader first, \`yaml\` loaded only when it answers null.
  "AAM parseYaml (block_yaml, yaml fallback)": `import { parseYaml } from ${JSON.stringify(join(ROOT, "src/encoding/yaml.ts"))};
export const run = (t) => parseYaml(t, "bench.yaml");`,
  ...(existsSync(JS_YAML)
    ? { "js-yaml 5 (load, core schema, aliases bounded)": `import { load } from "js-yaml";
export const run = (t) => load(t, { maxAliases: 100 });` }
    : {}),
};

// index.yaml is in AAM's line form (src/registry/index_lines.ts): one flow entry per line, which
// parseIndex reads as JSON; the block-subset reader does not apply to it.
const INDEX_CANDIDATES = {
  ...Object.fromEntries(Object.entries(YAML_CANDIDATES).filter(([k]) => !k.startsWith("block_yaml") && !k.startsWith("AAM parseYaml"))),
  "AAM parseIndex (line form, read as JSON)": `import { parseIndex } from ${JSON.stringify(join(ROOT, "src/registry/index_file.ts"))};
export const run = (t) => parseIndex(t, "index.yaml").packages.length;`,
};

const SEMVER_CANDIDATES = {
  "no grammar": `export const run = (vs) => vs.length;`,
  // What verifying and listing need: validate versions and order them.
  "manifest/semver.ts (isValidVersion, sortVersions)": `import { isValidVersion, sortVersions } from ${JSON.stringify(join(ROOT, "src/manifest/semver.ts"))};
export const run = (vs) => sortVersions(vs.filter(isValidVersion));`,
  "semver (whole package: valid, compareBuild)": `import semver from "semver";
export const run = (vs) => vs.filter((v) => semver.valid(v)).sort(semver.compareBuild);`,
  "semver/functions/valid + compare-build": `import valid from "semver/functions/valid.js";
import compareBuild from "semver/functions/compare-build.js";
export const run = (vs) => vs.filter((v) => valid(v)).sort(compareBuild);`,
  // What resolving dependencies needs on top (install): ranges.
  "semver/ranges/valid + functions/satisfies": `import validRange from "semver/ranges/valid.js";
import satisfies from "semver/functions/satisfies.js";
export const run = (vs) => validRange("^1.0.0") && vs.filter((v) => satisfies(v, "^1.0.0"));`,
};

const VERSIONS = ["1.0.0", "1.10.0", "1.2.0-rc.1", "1.2.0", "0.9.9", "2.0.0-beta.2", "2.0.0-beta.10", "1.1.0+build.5", "1.1.0", "3.0.0"];

// Imports the candidate after the clock starts, so its load (module evaluation) is in the figure.
const CHILD = `import { readFileSync } from "node:fs";
const [mod, input] = process.argv.slice(2);
const arg = input === "versions" ? ${JSON.stringify(VERSIONS)} : readFileSync(input, "utf8");
const t0 = performance.now();
const { run } = await import(mod);
const out = run(arg);
const ms = performance.now() - t0;
if (!out) throw new Error("no result");
process.stdout.write(JSON.stringify({ ms }) + "\\n");
`;

/** Bundles one candidate as dist/ bundles it; returns the file's URL for the child's import(). */
async function bundle(name, source) {
  const file = join(OUT, name.replace(/[^A-Za-z0-9]+/g, "_") + ".mjs");
  await build({
    stdin: { contents: source, resolveDir: ROOT, loader: "js", sourcefile: name },
    plugins: [lazyCjs],
    outfile: file,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    banner: { js: "import { createRequire as __aamCreateRequire } from 'node:module'; const require = __aamCreateRequire(import.meta.url);" },
  });
  return pathToFileURL(file).href;
}

function firstMetadata() {
  const pkgs = join(WORK, "registry", "packages");
  const first = readdirSync(pkgs).filter((n) => !n.startsWith(".")).sort()[0];
  return join(pkgs, first, "metadata.yaml");
}

/**
 * The benchmarks (run.mjs's shape): one per workload, every candidate on every runtime, interleaved.
 * `inner` reads the child's in-process time from its stdout.
 */
export async function parserBenches({ runs = 7, env = process.env } = {}) {
  mkdirSync(OUT, { recursive: true });
  const child = join(OUT, "child.mjs");
  writeFileSync(child, CHILD);
  const config = join(OUT, "config.yaml");
  writeFileSync(config, CONFIG_YAML);
  const inputs = [
    ["parse-index", "Parsing the 10,000-package index.yaml (load + parse, fresh process)", join(WORK, "index-registry", "index.yaml"), INDEX_CANDIDATES],
    ["parse-metadata", "Parsing a 10-version metadata.yaml (load + parse, fresh process)", firstMetadata(), YAML_CANDIDATES],
    ["parse-config", "Parsing a typical config.yaml (load + parse, fresh process)", config, YAML_CANDIDATES],
    ["versions", "Validating and ordering 10 versions (load + run, fresh process)", "versions", SEMVER_CANDIDATES],
  ];
  const mods = {};
  for (const [, , , cands] of inputs) for (const [name, src] of Object.entries(cands)) mods[name] ??= await bundle(name, src);
  return inputs.map(([id, title, input, cands]) => ({
    id,
    title,
    measureRss: true,
    runs,
    cases: Object.keys(RUNTIMES).flatMap((rt) =>
      Object.keys(cands).map((name) => {
        const [cmd, args] = RUNTIMES[rt](child, [mods[name], input]);
        return { label: `${name} (${rt})`, cmd, args, env, cwd: WORK, inner: (r) => JSON.parse(r.stdout).ms };
      }),
    ),
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (n) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
  const runs = Number(opt("--runs") ?? 7);
  const only = opt("--only")?.split(",");
  const all = {};
  for (const b of (await parserBenches({ runs })).filter((x) => !only || only.includes(x.id))) {
    process.stderr.write(`\n== ${b.id}: ${b.title}\n`);
    const r = await measure(b.cases, { runs: b.runs, measureRss: true });
    all[b.id] = { title: b.title, stats: r };
    for (const [label, s] of Object.entries(r)) {
      process.stderr.write(
        `  ${label.padEnd(62)} wall ${s.median.toFixed(1).padStart(7)} ms  in-process ${s.innerMedian.toFixed(1).padStart(7)} ms  peak RSS ${(s.rssMedianKiB / 1024).toFixed(1)} MiB\n`,
      );
    }
  }
  const out = join(WORK, only ? `parsers-${only.join("-")}.json` : "parsers.json");
  writeFileSync(out, JSON.stringify(all, null, 2));
  process.stderr.write(`wrote ${out}\n`);
}

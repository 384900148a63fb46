// `node scripts/bench/yaml_readers.mjs [--runs N]`: which single YAML reader the real CLI should ship
// (issue 14 item 6), measured in the bundle itself rather than in a stand-alone parse. Each variant
// is a copy of src/ and scripts/ with its own src/encoding/yaml.ts, built by scripts/build.mjs into
// its own dist/; then `aam --version`, `aam verify --offline` of a small package (reads config.yaml)
// and `aam info` of a 10-version package (reads config.yaml and metadata.yaml) run on Node, Bun and
// Deno, every variant interleaved round by round with the others (harness.mjs). Every variant must
// print the same output as the first, or the run stops. Writes bench-work/yaml-readers.json.
//
// Needs the bench workloads (bench-work/small-registry, registry, home with the offline cache
// prepared): run `npm run bench -- --only start-node` once.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WORK = join(ROOT, "bench-work");
const OUT = join(WORK, "yaml-readers");
const BIN = join(ROOT, "node_modules", ".bin");

const ERRORS = `function fail(file: string, where: string, msg: string, cause: unknown): never {
  throw new AamError("Error", \`Cannot parse "\${file}"\${where}: \${msg}\`, { file, cause, hint: "fix the YAML syntax, or restore the file from version control" });
}
function sizeCheck(text: string, file: string) {
  if (text.length > MAX_DOCUMENT_BYTES) throw new AamError("Error", \`Cannot read "\${file}": too large\`, { file, hint: "restore it" });
}
export const MAX_YAML_BYTES = MAX_DOCUMENT_BYTES;
export function stringifyYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0 });
}`;

const YAML_ONLY = `import YAML from "yaml";
import { AamError } from "../errors.ts";
import { MAX_DOCUMENT_BYTES } from "../read_limits.ts";
${ERRORS}
export function parseYaml(text: string, file: string): unknown {
  sizeCheck(text, file);
  try {
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false, logLevel: "error" });
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (!(e instanceof YAML.YAMLError) && !(e instanceof ReferenceError)) throw e;
    const p = (e as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    fail(file, p ? \` at line \${p.line}, column \${p.col}\` : "", (e as Error).message.split("\\n")[0], e);
  }
}`;

/** js-yaml's loader; IMPORT decides how the bundle loads it. */
const jsYaml = (importLine) => `${importLine}
import YAML from "yaml";
import { AamError } from "../errors.ts";
import { MAX_DOCUMENT_BYTES } from "../read_limits.ts";
${ERRORS}
export function parseYaml(text: string, file: string): unknown {
  sizeCheck(text, file);
  try {
    const docs = JY.loadAll(text, { maxAliases: 100 });
    if (docs.length > 1) fail(file, "", "more than one document", null);
    return docs.length === 0 ? null : docs[0];
  } catch (e) {
    if (!(e instanceof JY.YAMLException)) throw e;
    const m = e.mark;
    fail(file, m ? \` at line \${m.line + 1}, column \${m.column + 1}\` : "", e.reason, e);
  }
}`;

const VARIANTS = {
  // Today: block_yaml.ts first, \`yaml\` (lazy vendor CJS) when it answers null.
  "a today (block_yaml + yaml)": {},
  // js-yaml's loader only (ESM, tree-shaken into the chunk that holds yaml.ts).
  "b1 js-yaml loader (ESM in chunk)": { yaml: jsYaml(`import * as JY from "js-yaml";`) },
  // js-yaml's loader only, bundled apart as dist/vendor/js-yaml.cjs and required on first use, as \`yaml\` is.
  "b2 js-yaml loader (lazy vendor CJS)": {
    yaml: jsYaml(`import JY from "js-yaml";`),
    lazyVendor: true,
  },
  // \`yaml\` only (lazy vendor CJS), no fast path.
  "c yaml only": { yaml: YAML_ONLY },
};

function prepare(name, v) {
  const dir = join(OUT, name.split(" ")[0]);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // No test files: `bun test` would find them under bench-work/.
  for (const d of ["src", "scripts"]) cpSync(join(ROOT, d), join(dir, d), { recursive: true, filter: (p) => !p.endsWith("_test.ts") });
  for (const f of ["package.json", "tsconfig.json"]) cpSync(join(ROOT, f), join(dir, f));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  if (v.yaml) writeFileSync(join(dir, "src/encoding/yaml.ts"), v.yaml);
  if (v.lazyVendor) {
    // Only the loader: a vendor entry re-exporting load/loadAll/YAMLException lets esbuild drop the dumper.
    writeFileSync(join(dir, "scripts/vendor_js_yaml.mjs"), `export { load, loadAll, YAMLException } from "js-yaml";\n`);
    const lazy = join(dir, "scripts/lazy_cjs.mjs");
    writeFileSync(lazy, readFileSync(lazy, "utf8").replace("/^(yaml|semver|ignore)$/", "/^(yaml|semver|ignore|js-yaml)$/"));
    const b = join(dir, "scripts/build.mjs");
    let t = readFileSync(b, "utf8");
    t = t.replace(`const VENDOR = ["yaml", "semver", "ignore"];`, `const VENDOR = ["yaml", "semver", "ignore", "js-yaml"];`);
    t = t.replace(`n === "semver" ? "./scripts/vendor_semver.cjs" : n`, `n === "semver" ? "./scripts/vendor_semver.cjs" : n === "js-yaml" ? "./scripts/vendor_js_yaml.mjs" : n`);
    writeFileSync(b, t);
  }
  const r = spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: dir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build of ${name} failed:\n${r.stderr}`);
  return join(dir, "dist", "cli.js");
}

const argv = process.argv.slice(2);
const runs = Number(argv.includes("--runs") ? argv[argv.indexOf("--runs") + 1] : 15);
for (const need of ["small-registry", "registry", "home"]) {
  if (!existsSync(join(WORK, need))) throw new Error(`bench-work/${need} is missing: run \`npm run bench -- --only start-node\` once`);
}
const clis = Object.fromEntries(Object.entries(VARIANTS).map(([n, v]) => [n, prepare(n, v)]));
const env = { ...process.env, AAM_HOME: join(WORK, "home"), NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
const RT = {
  node: (cli) => [process.execPath, [cli]],
  bun: (cli) => [join(BIN, "bun"), [cli]],
  deno: (cli) => [join(BIN, "deno"), ["run", "-A", "--quiet", cli]],
};
const COMMANDS = {
  "--version": ["--version"],
  "verify --offline": ["verify", "--offline", "@bench/small"],
  "info (metadata.yaml)": ["info", "@bench/pkg-000", "--registry", join(WORK, "registry")],
};

// getrusage of the child through wait4 (µs resolution; GNU time's %U/%S has 10 ms): CPU time is
// what the reader costs even when the machine is shared, wall time is what the user waits.
const RUNNER = `import os, sys, time, json
out = os.open(os.devnull, os.O_WRONLY)
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
ms = (time.perf_counter() - t0) * 1000
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "ms": ms, "cpu": (ru.ru_utime + ru.ru_stime) * 1000, "rss": ru.ru_maxrss / 1024}))
`;

/** One run: wall ms, CPU ms (user + system, all threads), peak RSS MiB; stdout kept to compare variants. */
function runOnce(c) {
  const r = spawnSync("python3", ["-c", RUNNER, c.cmd, ...c.args], { env, cwd: WORK, encoding: "utf8" });
  const lines = r.stdout.trimEnd().split("\n");
  const m = JSON.parse(lines.pop());
  if (r.status !== 0 || m.code !== 0) throw new Error(`${c.label}: exit ${m.code}\n${r.stderr}`);
  return { ...m, stdout: lines.join("\n") };
}
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Interleaved: each round runs every variant once, the order rotated round by round so no variant
// always follows the same neighbour; one warm-up round is not counted.
const all = {};
for (const [cmdName, args] of Object.entries(COMMANDS)) {
  for (const rt of Object.keys(RT)) {
    const cases = Object.entries(clis).map(([name, cli]) => {
      const [cmd, pre] = RT[rt](cli);
      return { label: `${name} (${rt})`, cmd, args: [...pre, ...args] };
    });
    const res = cases.map(() => ({ ms: [], cpu: [], rss: [] }));
    let first;
    for (let round = -1; round < runs; round++) {
      for (let k = 0; k < cases.length; k++) {
        const i = (k + Math.max(round, 0)) % cases.length;
        const r = runOnce(cases[i]);
        // Same output from every variant: the readers must agree before their times mean anything.
        first ??= r.stdout;
        if (r.stdout !== first) throw new Error(`${cases[i].label} ${cmdName}: output differs:\n${r.stdout}`);
        if (round < 0) continue;
        for (const m of ["ms", "cpu", "rss"]) res[i][m].push(r[m]);
      }
    }
    const key = `${cmdName} on ${rt}`;
    process.stderr.write(`\n== ${key} (${runs} rounds; medians; ratio to the first row)\n`);
    all[key] = {};
    const base = { ms: med(res[0].ms), cpu: med(res[0].cpu) };
    for (const [i, c] of cases.entries()) {
      const s = { wallMs: med(res[i].ms), cpuMs: med(res[i].cpu), rssMiB: med(res[i].rss), wallMin: Math.min(...res[i].ms), wallMax: Math.max(...res[i].ms) };
      all[key][c.label] = s;
      process.stderr.write(
        `  ${c.label.padEnd(44)} wall ${s.wallMs.toFixed(1).padStart(6)} ms ${(s.wallMs / base.ms).toFixed(2)}×  cpu ${s.cpuMs.toFixed(0).padStart(4)} ms ${(s.cpuMs / base.cpu).toFixed(2)}×  peak RSS ${s.rssMiB.toFixed(1)} MiB\n`,
      );
    }
  }
}
writeFileSync(join(WORK, "yaml-readers.json"), JSON.stringify(all, null, 2));
process.stderr.write(`wrote ${join(WORK, "yaml-readers.json")}\n`);

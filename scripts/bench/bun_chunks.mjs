// Diagnosis for issue 15 item 4 (`bun dist/cli.js verify --offline` of a small package within 3 ×
// `bun -e 0`): how much of its start-up is the number of ES modules it loads (each resolved, read,
// parsed and linked on its own), and what a few modules on its path cost by themselves.
//   node scripts/bench/bun_chunks.mjs [--runs N]      (after `npm run bench` or `--only start-bun`:
//                                                      it reuses dist/ and bench-work/)
// 1. Records which ES modules of dist/ that command loads (a Bun loader plugin, preloaded).
// 2. Bundles exactly those files into one (esbuild, every other chunk left external): the same code,
//    one module instead of ~40.
// 3. Times, interleaved: bun -e 0, the command, the same from the one file, the executable dist/aam,
//    and bare Bun processes loading node:fs, node:fs + the vendored semver, node:fs + cac.
// Wall time: median. CPU (user+sys): mean per run, from this process's children's clock ticks
// (/proc/self/stat), since on a shared machine CPU time moves less with the load than wall time.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { runOnce, median } from "./harness.mjs";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");
const WORK = join(ROOT, "bench-work");
const OUT = join(WORK, "bun-chunks");
const BUN = join(ROOT, "node_modules", ".bin", "bun");
const argv = process.argv.slice(2);
const RUNS = Number(argv.includes("--runs") ? argv[argv.indexOf("--runs") + 1] : 30);
const env = { ...process.env, AAM_HOME: join(WORK, "home"), NO_COLOR: "1" };
const VERIFY = ["verify", "--offline", "@bench/small"];

if (!existsSync(join(ROOT, "dist", "cli.js")) || !existsSync(join(WORK, "home", "cache", "offline"))) {
  throw new Error("run `node scripts/bench/run.mjs --only start-bun` first (it builds dist/ and prepares the offline cache)");
}
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });

// 1. The files the command loads.
const record = join(OUT, "loaded.txt");
const preload = join(OUT, "record.mjs");
writeFileSync(
  preload,
  `import { plugin } from "bun";
import { appendFileSync, readFileSync } from "node:fs";
plugin({ name: "record", setup(b) {
  b.onLoad({ filter: new RegExp(${JSON.stringify(`^${join(ROOT, "dist")}/.*\\.js$`)}) }, (a) => {
    appendFileSync(${JSON.stringify(record)}, a.path + "\\n");
    return { contents: readFileSync(a.path, "utf8"), loader: "js" };
  });
} });
`,
);
const rec = spawnSync(BUN, ["--preload", preload, join(ROOT, "dist", "cli.js"), ...VERIFY], { env, cwd: WORK, encoding: "utf8" });
if (rec.status !== 0) throw new Error(`recording run failed:\n${rec.stdout}\n${rec.stderr}`);
const loaded = readFileSync(record, "utf8").trim().split("\n");
const esm = loaded;
const bytes = loaded.reduce((n, p) => n + readFileSync(p).length, 0);

// 2. Those files as one module. Placed beside the chunks (its `../vendor/` requires resolve the same).
const merged = join(ROOT, "dist", "chunks", "zz-bench-merged.js");
const inside = new Set(esm.map((p) => resolve(p)));
await build({
  entryPoints: [join(ROOT, "dist", "cli.js")],
  bundle: true,
  format: "esm",
  platform: "node",
  outfile: merged,
  logLevel: "warning",
  plugins: [
    {
      name: "only-loaded",
      setup(b) {
        b.onResolve({ filter: /\.c?js$/ }, (a) => {
          if (a.kind === "entry-point") return undefined;
          const p = resolve(a.resolveDir, a.path);
          return inside.has(p) ? { path: p } : { path: p, external: true };
        });
      },
    },
  ],
});

// 3. Timings.
const cjs = (name, body) => {
  const p = join(OUT, name);
  writeFileSync(p, body);
  return p;
};
const cac = readdirSync(join(ROOT, "dist", "chunks")).find((n) => /^dist-.*\.js$/.test(n) && readFileSync(join(ROOT, "dist", "chunks", n), "utf8").includes("var CACError = class"));
const cases = [
  { label: "bun -e 0", args: ["-e", "0"] },
  { label: `aam verify --offline (${esm.length} modules)`, args: [join(ROOT, "dist", "cli.js"), ...VERIFY] },
  { label: "the same modules bundled into one", args: [merged, ...VERIFY] },
  { label: "dist/aam verify --offline (bun --compile)", cmd: join(ROOT, "dist", "aam"), args: VERIFY },
  { label: "bun: require node:fs", args: [cjs("fs.cjs", 'require("node:fs");\n')] },
  { label: "bun: node:fs + vendor/semver.cjs parse()", args: [cjs("semver.cjs", `require("node:fs"); require(${JSON.stringify(join(ROOT, "dist", "vendor", "semver.cjs"))}).parse("1.0.0");\n`)] },
  ...(cac ? [{ label: "bun: node:fs + cac", args: [cjs("cac.mjs", `import "node:fs"; import ${JSON.stringify(join(ROOT, "dist", "chunks", cac))};\n`)] }] : []),
].filter((c) => c.cmd === undefined || existsSync(c.cmd));

const TICK_MS = 1000 / 100; // USER_HZ on Linux
const childTicks = () => {
  const s = readFileSync("/proc/self/stat", "utf8");
  const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
  return Number(f[13]) + Number(f[14]); // cutime + cstime (fields 16 and 17)
};
const res = new Map(cases.map((c) => [c.label, { ms: [], ticks: 0 }]));
for (let round = -2; round < RUNS; round++) {
  for (const c of cases) {
    const t = childTicks();
    const r = await runOnce({ cmd: c.cmd ?? BUN, args: c.args, env, cwd: WORK });
    if (r.code !== 0) throw new Error(`${c.label}: exit ${r.code}\n${r.stderr}`);
    if (round < 0) continue;
    res.get(c.label).ms.push(r.ms);
    res.get(c.label).ticks += childTicks() - t;
  }
}
rmSync(merged, { force: true });

const base = res.get("bun -e 0");
const rows = [...res].map(([label, r]) => {
  const wall = median(r.ms);
  const cpu = (r.ticks * TICK_MS) / RUNS;
  return `| ${label} | ${wall.toFixed(1)} | ${(wall / median(base.ms)).toFixed(2)} | ${cpu.toFixed(1)} | ${(cpu / ((base.ticks * TICK_MS) / RUNS)).toFixed(2)} |`;
});
console.log(`\`bun dist/cli.js verify --offline @bench/small\` loads ${esm.length} ES modules of dist/ (${(bytes / 1024).toFixed(0)} KiB).`);
console.log(`${RUNS} interleaved rounds, load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}.\n`);
console.log("| case | median wall ms | ratio | mean CPU ms | CPU ratio |\n|---|---:|---:|---:|---:|");
console.log(rows.join("\n"));

// Renders BENCHMARKS.md from one run's results: the targets first (met or not, with the ratio),
// then every benchmark's table, the machine, and the profiling notes kept in scripts/bench/history.md.
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const f1 = (x) => (x === undefined ? "–" : x.toFixed(1));
const mib = (kib) => (kib === undefined ? "–" : (kib / 1024).toFixed(1));

/** Each target: how to compute its figure from the results, and the bound it must meet. */
const TARGETS = [
  {
    name: "`aam verify --file` of the 50 MiB signed package ≤ 1.25 × (`sha256sum` + `openssl pkeyutl -verify`)",
    bench: "verify-file",
    value: (s) => s["aam verify --file (node)"].median / s["sha256sum + openssl pkeyutl -verify"].median,
    ok: (v) => v <= 1.25,
    show: (v) => `${v.toFixed(2)} ×`,
  },
  {
    name: "`aam pkg pack` of the 2,000-file package ≤ 1.5 × GNU tar + gzip, byte-identical across runtimes",
    bench: "pack",
    value: (s) => s["aam pkg pack (node)"].median / s["tar --sort=name ... -czf"].median,
    ok: (v, extra) => v <= 1.5 && extra?.identical,
    show: (v, extra) => `${v.toFixed(2)} ×, ${extra?.identical ? "identical" : "NOT identical"}`,
  },
  // ---- pack-text (issue 15 item 5)
  {
    name: "`aam pkg pack` of 2,000 compressible text files ≤ 1.5 × GNU tar + gzip, byte-identical across runtimes",
    bench: "pack-text",
    value: (s) => s["aam pkg pack (node)"].median / s["tar --sort=name ... -czf"].median,
    ok: (v, extra) => v <= 1.5 && extra?.identical,
    show: (v, extra) => `${v.toFixed(2)} ×, ${extra?.identical ? "identical" : "NOT identical"}`,
  },
  {
    name: "`aam pkg pack` peak RSS independent of the package's size (Node): the 49 MiB package within 8 MiB of the 19 MB text one",
    bench: "pack-text",
    value: (s) => (s["aam pkg pack, 49 MiB package (node)"].rssMedianKiB - s["aam pkg pack (node)"].rssMedianKiB) / 1024,
    ok: (v) => v <= 8,
    show: (v, _extra, s) => `${v >= 0 ? "+" : ""}${v.toFixed(1)} MiB (${(s["aam pkg pack (node)"].rssMedianKiB / 1024).toFixed(0)} MiB; tar ${(s["tar --sort=name ... -czf"].rssMedianKiB / 1024).toFixed(0)} MiB)`,
  },
  // ---- end pack-text
  {
    name: "`aam registry verify` of 1,000 signed versions ≥ 10 × faster than the per-version shell loop",
    bench: "registry-verify",
    value: (s) => s["shell loop: sha256sum + openssl pkeyutl -verify per version"].median / s["aam registry verify (node)"].median,
    ok: (v) => v >= 10,
    show: (v) => `${v.toFixed(1)} × faster`,
  },
  {
    name: "`aam --version` ≤ 1.5 × `node -e 0`",
    bench: "start-node",
    value: (s) => s["aam --version (node)"].median / s["node -e 0"].median,
    ok: (v) => v <= 1.5,
    show: (v) => `${v.toFixed(2)} ×`,
  },
  {
    name: "`aam verify --offline` of a small package ≤ 2.5 × `node -e 0`",
    bench: "start-node",
    value: (s) => s["aam verify --offline (node)"].median / s["node -e 0"].median,
    ok: (v) => v <= 2.5,
    show: (v) => `${v.toFixed(2)} ×`,
  },
  {
    name: "on Bun: `aam verify --offline` of a small package ≤ 3 × `bun -e 0`, the executable `dist/aam` (`npm run build:binary`: bun build --compile)",
    bench: "start-bun",
    value: (s) => s["dist/aam verify --offline (bun --compile)"].median / s["bun -e 0"].median,
    ok: (v) => v <= 3,
    show: (v) => `${v.toFixed(2)} ×`,
  },
  {
    name: "on Bun: the same, running the npm bundle as `bun dist/cli.js`",
    bench: "start-bun",
    value: (s) => s["aam verify --offline (bun)"].median / s["bun -e 0"].median,
    ok: (v) => v <= 3,
    show: (v) => `${v.toFixed(2)} ×`,
  },
  {
    name: "`aam search` over the 10,000-package index ≤ 300 ms wall, start included",
    bench: "search",
    value: (s) => s["aam search (node)"].median,
    ok: (v) => v <= 300,
    show: (v) => `${v.toFixed(0)} ms`,
  },
  {
    name: "`aam search` over 100,000 packages (a query with 10 hits) ≤ 300 ms wall on Node, start included",
    bench: "search-100k",
    value: (s) => s["aam search 100k, 10 hits (node)"].median,
    ok: (v) => v <= 300,
    show: (v) => `${v.toFixed(0)} ms`,
  },
  {
    name: "`aam pkg publish` into 50,000 packages ≤ 1.5 × the wall time of publishing into 100",
    bench: "publish-scale",
    value: (s) => s["publish into 50000 packages"].median / s["publish into 100 packages"].median,
    ok: (v) => v <= 1.5,
    show: (v) => `${v.toFixed(2)} ×`,
  },
  {
    name: "`aam pkg publish` into 50,000 packages ≤ 1.5 × the peak RSS of publishing into 100",
    bench: "publish-scale",
    value: (s) => s["publish into 50000 packages"].rssMedianKiB / s["publish into 100 packages"].rssMedianKiB,
    ok: (v) => v <= 1.5,
    show: (v) => `${v.toFixed(2)} ×`,
  },
  {
    name: "`aam info` of one package in 50,000 packages ≤ 1.5 × the wall time in 100",
    bench: "publish-scale",
    value: (s) => s["info in 50000 packages"].median / s["info in 100 packages"].median,
    ok: (v) => v <= 1.5,
    show: (v) => `${v.toFixed(2)} ×`,
  },
  {
    name: "Memory: verifying the 50 MiB package ≤ 8 MiB more peak RSS than the 1 MiB one (issue 15; was 32 MiB)",
    bench: "memory",
    value: (s) => (s["verify 49 MiB (node)"].rssMedianKiB - s["verify 1 MiB (node)"].rssMedianKiB) / 1024,
    ok: (v) => v <= 8,
    show: (v) => `+${v.toFixed(1)} MiB`,
  },
  ...["openpgp", "sigstore"].map((m) => ({
    name: `Memory: verifying the 50 MiB package signed with ${m === "openpgp" ? "OpenPGP" : "Sigstore"} ≤ 8 MiB more peak RSS than the 1 MiB one (issue 15)`,
    bench: "memory",
    value: (s) => (s[`verify 49 MiB, ${m} (node)`].rssMedianKiB - s[`verify 1 MiB, ${m} (node)`].rssMedianKiB) / 1024,
    ok: (v) => v <= 8,
    show: (v) => `+${v.toFixed(1)} MiB`,
  })),
  {
    name: "Memory: `aam verify-blob` of the 50 MiB package with its Sigstore bundle ≤ 8 MiB more peak RSS than of the 1 MiB one (issue 15)",
    bench: "memory",
    value: (s) => (s["verify-blob 49 MiB, sigstore (node)"].rssMedianKiB - s["verify-blob 1 MiB, sigstore (node)"].rssMedianKiB) / 1024,
    ok: (v) => v <= 8,
    show: (v) => `+${v.toFixed(1)} MiB`,
  },
  {
    name: "Memory: installing the 50 MiB package ≤ 8 MiB more peak RSS than the 1 MiB one (issue 15; was 32 MiB)",
    bench: "memory",
    value: (s) => (s["install 49 MiB (node)"].rssMedianKiB - s["install 1 MiB (node)"].rssMedianKiB) / 1024,
    ok: (v) => v <= 8,
    show: (v) => `+${v.toFixed(1)} MiB`,
  },
];

function table(stats, withRss) {
  const rows = Object.entries(stats);
  const base = rows[0][1].median;
  if (withRss) {
    const head = "| case | median ms | min–max ms | peak RSS MiB (median) |\n|---|---:|---:|---:|";
    return [head, ...rows.map(([label, s]) => `| ${label} | ${f1(s.median)} | ${f1(s.min)}–${f1(s.max)} | ${mib(s.rssMedianKiB)} |`)].join("\n");
  }
  // Benchmarks whose processes report their own time (scripts/bench/parsers.mjs) or peak RSS get a column each.
  const inner = rows.some(([, s]) => s.innerMedian !== undefined);
  const rss = rows.some(([, s]) => s.rssMedianKiB !== undefined);
  const head =
    "| case | median ms | min–max ms | ratio to first row |" + (inner ? " in-process ms (median) |" : "") + (rss ? " peak RSS MiB (median) |" : "") +
    "\n|---|---:|---:|---:|" + (inner ? "---:|" : "") + (rss ? "---:|" : "");
  const body = rows.map(
    ([label, s]) =>
      `| ${label} | ${f1(s.median)} | ${f1(s.min)}–${f1(s.max)} | ${(s.median / base).toFixed(2)} |` +
      (inner ? ` ${f1(s.innerMedian)} |` : "") +
      (rss ? ` ${mib(s.rssMedianKiB)} |` : ""),
  );
  return [head, ...body].join("\n");
}

export function renderReport(results, machine, workloads) {
  const out = [];
  out.push("# AAM benchmarks", "");
  out.push(
    "Generated by `npm run bench` (scripts/bench/run.mjs); do not edit by hand. Each benchmark runs its",
    "cases interleaved (AAM, peer, AAM, peer, ...) after one warm-up round, so machine noise hits all",
    "cases alike; figures are medians with min–max, and targets are ratios of medians from the same run.",
    "AAM runs from the published bundle `dist/cli.js` on every runtime (`node`, `bun`, `deno run -A`).",
    "Cases compared with other tools (tar, sha256sum, openssl, a shell loop) run without `NODE_EXTRA_CA_CERTS`:",
    "the bench machine sets it, users' machines do not, and Node reads that certificate file at every start",
    "(~37 ms here), which the peers never pay. The start-up groups keep the machine's setting: they compare",
    "Node only with Node (`node -e 0` pays it too), as the start-up targets were set.",
    "",
  );
  out.push("## Targets", "", "| target | measured | met |", "|---|---|---|");
  for (const t of TARGETS) {
    const r = results[t.bench];
    if (!r) {
      out.push(`| ${t.name} | not run | – |`);
      continue;
    }
    let v;
    try {
      v = t.value(r.stats);
    } catch {
      out.push(`| ${t.name} | missing case | – |`);
      continue;
    }
    out.push(`| ${t.name} | ${t.show(v, r.extra, r.stats)} | ${t.ok(v, r.extra, r.stats) ? "yes" : "**no**"} |`);
  }
  out.push("");
  out.push("## Workloads", "");
  out.push(
    "Built deterministically by scripts/bench/generate.ts into bench-work/ (seeded PRNG, fixed dates, fixed Ed25519 seed):",
    "",
    "- **many-files**: 2,000 files, ~20 MiB: 1,500 markdown-like text files (4–16 KB) and 498 incompressible binaries (8–40 KB) in 40 folders.",
    `- **big**: one incompressible 49 MiB file. The archive is ${(workloads.big.size / 2 ** 20).toFixed(2)} MiB: an incompressible 50 MiB file cannot fit the 50 MiB archive limit (SPEC §3), so this is the largest single-file package AAM accepts. **one-mib**: the same with a 1 MiB file.`,
    "- **registry**: 100 packages × 10 versions, each ~8 KB packed, each signed (Ed25519); the shell-loop peer gets the raw signatures and a PEM key.",
    "- **index-registry**: an index.yaml of 10,000 packages (names, descriptions, keywords); `aam search review` scans all of it.",
    "- **small-registry**: one small signed package, prepared into the offline cache for `verify --offline`.",
    "- **scale-100, scale-10000, scale-50000**: registries of that many packages (a metadata.yaml each, index.yaml, an audit.log of as many chained events), written as that many publishes would leave them; `publish-scale` publishes one more version into each.",
    "- **index-100k**: an index.yaml of 100,000 packages in the line form AAM writes; `aam search package-04217` (10 hits) and `aam search review` (~42,000 hits) over it.",
    "",
  );
  for (const [id, r] of Object.entries(results)) {
    out.push(`## ${r.title}`, "", `\`${id}\``, "", table(r.stats, id === "memory"), "");
    if (r.extra?.note) out.push(r.extra.note, "");
  }
  out.push("## Machine", "");
  for (const [k, v] of Object.entries(machine)) out.push(`- ${k}: ${v}`);
  out.push("");
  out.push(readFileSync(join(HERE, "history.md"), "utf8").trim(), "");
  return out.join("\n");
}

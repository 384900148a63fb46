// `node scripts/bench/openpgp_builds.mjs [--runs N]`: openpgp.js's "node" build (what the package's
// `import` condition gives) against its browser build (what AAM runs since it maps "openpgp" to
// src/signing/openpgp/openpgp_js.js), verifying one detached signature over a 10 MiB payload in a
// fresh process on Node, Bun and Deno, per key type. The node build cannot verify brainpool on Node
// (it asks for the uninstalled `eckey-utils`): that case is left out. Cases run interleaved
// (scripts/bench/harness.mjs); reports wall time, in-process time (import + verify) and peak RSS.
// run.mjs runs the same cases into BENCHMARKS.md; this file alone prints them and writes
// bench-work/openpgp-builds.json. Keys: test/vectors/openpgp-keys/ (made once with gpg).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import { measure } from "./harness.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = join(ROOT, "bench-work", "openpgp-builds");
const BIN = join(ROOT, "node_modules", ".bin");
const VEC = join(ROOT, "test", "vectors", "openpgp-keys");
const BUILDS = {
  "node build": pathToFileURL(join(ROOT, "node_modules", "openpgp", "dist", "node", "openpgp.mjs")).href,
  "browser build": pathToFileURL(join(ROOT, "node_modules", "openpgp", "dist", "openpgp.mjs")).href,
};
const KEYS = ["rsa4096", "ed25519", "nistp256", "brainpoolP256r1"];
const RUNTIMES = {
  node: (args) => [process.execPath, args],
  bun: (args) => [join(BIN, "bun"), args],
  deno: (args) => [join(BIN, "deno"), ["run", "-A", "--quiet", ...args]],
};

// Imports the build after the clock starts, so loading it is in the figure, then verifies once.
const CHILD = `import { readFileSync } from "node:fs";
const [lib, key, sig, data] = process.argv.slice(2);
const t0 = performance.now();
const openpgp = await import(lib);
const r = await openpgp.verify({
  message: await openpgp.createMessage({ binary: readFileSync(data) }),
  signature: await openpgp.readSignature({ armoredSignature: readFileSync(sig, "utf8") }),
  verificationKeys: await openpgp.readKey({ armoredKey: readFileSync(key, "utf8") }),
  expectSigned: true,
  format: "binary",
});
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms }) + "\\n");
`;

/** Signs the payload once per key (browser build, in this process); returns the files. */
async function prepare() {
  mkdirSync(OUT, { recursive: true });
  const data = join(OUT, "payload.bin");
  writeFileSync(data, randomBytes(10 * 1024 * 1024));
  const openpgp = await import(BUILDS["browser build"]);
  const files = {};
  for (const k of KEYS) {
    const priv = await openpgp.readPrivateKey({ armoredKey: readFileSync(join(VEC, `${k}.sec.asc`), "utf8") });
    const sig = await openpgp.sign({ message: await openpgp.createMessage({ binary: readFileSync(data) }), signingKeys: priv, detached: true });
    files[k] = { key: join(VEC, `${k}.pub.asc`), sig: join(OUT, `${k}.sig.asc`) };
    writeFileSync(files[k].sig, sig);
  }
  const child = join(OUT, "child.mjs");
  writeFileSync(child, CHILD);
  return { data, files, child };
}

/** The benchmarks (run.mjs's shape): one per key type, both builds on every runtime, interleaved. */
export async function openpgpBuildBenches({ runs = 5, env = process.env } = {}) {
  const { data, files, child } = await prepare();
  return KEYS.map((k) => ({
    id: `openpgp-${k}`,
    title: `openpgp.js node build vs browser build: verifying a ${k} signature over 10 MiB (fresh process)`,
    measureRss: true,
    runs,
    cases: Object.keys(RUNTIMES).flatMap((rt) =>
      Object.entries(BUILDS)
        .filter(([build]) => !(rt === "node" && build === "node build" && k.startsWith("brainpool")))
        .map(([build, url]) => {
          const [cmd, args] = RUNTIMES[rt]([child, url, files[k].key, files[k].sig, data]);
          return { label: `${build} (${rt})`, cmd, args, env, cwd: OUT, inner: (r) => JSON.parse(r.stdout).ms };
        }),
    ),
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const runs = Number(argv.includes("--runs") ? argv[argv.indexOf("--runs") + 1] : 5);
  const all = {};
  for (const b of await openpgpBuildBenches({ runs })) {
    process.stderr.write(`\n== ${b.id}: ${b.title}\n`);
    const r = await measure(b.cases, { runs: b.runs, measureRss: true });
    all[b.id] = { title: b.title, stats: r };
    for (const [label, s] of Object.entries(r)) {
      process.stderr.write(`  ${label.padEnd(28)} wall ${s.median.toFixed(1).padStart(7)} ms  in-process ${s.innerMedian.toFixed(1).padStart(7)} ms  peak RSS ${(s.rssMedianKiB / 1024).toFixed(1)} MiB\n`);
    }
  }
  const out = join(OUT, "..", "openpgp-builds.json");
  writeFileSync(out, JSON.stringify(all, null, 2));
  process.stderr.write(`wrote ${out}\n`);
}

// Git registry write throughput (issue 15 item 3): 20 publishes into one bare repository on file://,
// made by 4 writers at once (each its own AAM_HOME and clone, 5 versions each) against 1 writer
// publishing all 20 in turn. Cases interleave round by round; each round starts from a fresh bare
// repository. Reports median wall time per case, publishes per second, the peak RSS of any one aam
// process, and how many pushes were retried (a `git` shim first on PATH logs each `git push`, then
// runs the real git: retries = pushes - 20; the shim's cost is the same in both cases).
//
//   node scripts/build.mjs && node scripts/bench/git_writers.mjs [--rounds 5]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { runOnce, median } from "./harness.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CLI = join(ROOT, "dist", "cli.js");
const TOTAL = 20;
const roundsArg = process.argv.indexOf("--rounds");
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
const GIT_ENV = { GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@example.org", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@example.org" };

const work = mkdtempSync(join(tmpdir(), "aam-bench-git-"));
const SHIM = join(work, "shim");
const REAL_GIT = spawnSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).stdout.trim();
const env = (home) => ({ PATH: `${SHIM}:${process.env.PATH}`, HOME: home, AAM_HOME: join(home, ".aam"), NO_COLOR: "1", ...GIT_ENV });

function sh(cmd, args, cwd, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, ...GIT_ENV, ...extraEnv } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

/** The 20 archives, packed once: the benchmark measures publishing, not packing. */
function packArchives() {
  mkdirSync(join(work, "archives"));
  const out = [];
  for (let i = 0; i < TOTAL; i++) {
    const dir = join(work, "src", `p${i}`);
    mkdirSync(join(dir, "prompts"), { recursive: true });
    writeFileSync(join(dir, "aam.yaml"), `name: "@bench/shared"\nversion: "1.${i}.0"\ndescription: "bench"\nartifacts:\n  prompts:\n    - {name: p, path: prompts/p.md, description: "p"}\n`);
    writeFileSync(join(dir, "prompts", "p.md"), `# prompt ${i}\n${"text ".repeat(200)}\n`);
    out.push(sh("node", [CLI, "pkg", "pack", dir, "--output", join(work, "archives")], work, env(work)).trim().split("\n")[0]);
  }
  return out;
}

mkdirSync(SHIM);
writeFileSync(join(SHIM, "git"), `#!/bin/sh\nfor a in "$@"; do [ "$a" = push ] && echo x >> "$BENCH_PUSH_LOG" && break; done\nexec "${REAL_GIT}" "$@"\n`);
chmodSync(join(SHIM, "git"), 0o755);

/** A fresh bare repository holding an empty registry. */
function freshBare(tag) {
  const seed = join(work, `seed-${tag}`);
  sh("node", [CLI, "registry", "init", seed], work, env(join(work, `seed-home-${tag}`)));
  const bare = join(work, `bare-${tag}.git`);
  sh("git", ["init", "--bare", "--quiet", "--initial-branch", "main", bare], work);
  sh("git", ["init", "--quiet"], seed);
  sh("git", ["add", "-A"], seed);
  sh("git", ["commit", "--quiet", "-m", "registry"], seed);
  sh("git", ["push", "--quiet", bare, "HEAD:refs/heads/main"], seed);
  return bare;
}

/** Runs `writers` writers at once, each publishing its share of the archives in turn. */
async function runCase(writers, archives, tag) {
  const bare = freshBare(tag);
  const url = `git+file://${bare}`;
  const per = TOTAL / writers;
  const pushLog = join(work, `pushes-${tag}`);
  let peakKiB = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const home = join(work, `home-${tag}-${w}`);
      mkdirSync(home, { recursive: true });
      for (const file of archives.slice(w * per, (w + 1) * per)) {
        const r = await runOnce({ cmd: "node", args: [CLI, "pkg", "publish", file, "--registry", url], env: { ...env(home), BENCH_PUSH_LOG: pushLog }, cwd: home, measureRss: true });
        if (r.code !== 0) throw new Error(`publish ${file}: exit ${r.code}`);
        peakKiB = Math.max(peakKiB, r.rssKiB ?? 0);
      }
    }),
  );
  const ms = performance.now() - t0;
  const commits = sh("git", ["rev-list", "--count", "main"], bare).trim();
  if (Number(commits) !== TOTAL + 1) throw new Error(`${commits} commits, expected ${TOTAL + 1}`);
  const pushes = existsSync(pushLog) ? readFileSync(pushLog, "utf8").trim().split("\n").length : 0;
  return { ms, peakKiB, retries: pushes - TOTAL };
}

const archives = packArchives();
const cases = [
  { name: `1 writer, ${TOTAL} publishes in turn`, writers: 1, runs: [] },
  { name: `4 writers x ${TOTAL / 4} publishes at once`, writers: 4, runs: [] },
];
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) c.runs.push(await runCase(c.writers, archives, `${round}-${c.writers}`));
}
rmSync(work, { recursive: true, force: true });

const base = median(cases[0].runs.map((r) => r.ms));
console.log(`| case | median wall ms | publishes/s | ratio to first row | peak RSS of one aam (MiB) | pushes retried, median |`);
console.log(`|---|---:|---:|---:|---:|---:|`);
for (const c of cases) {
  const ms = median(c.runs.map((r) => r.ms));
  const rss = Math.max(...c.runs.map((r) => r.peakKiB)) / 1024;
  const retries = median(c.runs.map((r) => r.retries));
  console.log(`| ${c.name} | ${ms.toFixed(0)} | ${((TOTAL * 1000) / ms).toFixed(2)} | ${(ms / base).toFixed(2)} | ${rss.toFixed(1)} | ${retries} |`);
}

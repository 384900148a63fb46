// A small timing harness: spawns commands, interleaves the cases of one benchmark round by round
// (AAM, peer, AAM, peer, ...) so a noisy neighbour slows both alike, and reports median, min and max
// wall time and peak RSS. Ratios are taken between medians measured in the same run.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TIME = "/usr/bin/time";
const hasTime = existsSync(TIME);

/**
 * Runs one command once. Returns { ms, rssKiB, code, stdout }. Peak RSS comes from GNU time's %M
 * when /usr/bin/time exists (its own start adds the same ~1 ms to every case), else from polling
 * /proc/<pid>/status VmHWM.
 */
export function runOnce({ cmd, args, env, cwd, measureRss = false }) {
  return new Promise((resolve, reject) => {
    let argv = [cmd, ...args];
    let rssFile;
    if (measureRss && hasTime) {
      rssFile = join(mkdtempSync(join(tmpdir(), "aam-bench-")), "rss");
      argv = [TIME, "-f", "%M", "-o", rssFile, ...argv];
    }
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let hwm = 0;
    let poll;
    if (measureRss && !hasTime) {
      poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
          if (m) hwm = Math.max(hwm, Number(m[1]));
        } catch {
          // the process has exited between polls
        }
      }, 2);
    }
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (poll) clearInterval(poll);
      let rssKiB = measureRss ? hwm : undefined;
      if (rssFile) {
        const lines = readFileSync(rssFile, "utf8").trim().split("\n");
        rssKiB = Number(lines.at(-1));
        rmSync(join(rssFile, ".."), { recursive: true, force: true });
      }
      resolve({ ms, rssKiB, code, stdout, stderr });
    });
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Measures the cases of one benchmark: `warmup` untimed rounds, then `runs` rounds, each running
 * every case once in order. A case may have `before()` (run untimed before each of its runs) and
 * `expectCode` (default 0): a run that exits otherwise stops the benchmark with its output. A case's
 * `inner(run)` may read a figure the process reports itself (e.g. in-process ms from its stdout).
 */
export async function measure(cases, { runs, warmup = 1, measureRss = false }) {
  const results = new Map(cases.map((c) => [c.label, { ms: [], rss: [], inner: [] }]));
  for (let round = -warmup; round < runs; round++) {
    for (const c of cases) {
      if (c.before) await c.before();
      const r = await runOnce({ ...c, measureRss: measureRss || c.measureRss });
      const want = c.expectCode ?? 0;
      if (r.code !== want) {
        throw new Error(`${c.label}: exit ${r.code}, expected ${want}\n${c.cmd} ${c.args.join(" ")}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
      }
      if (c.check) c.check(r);
      if (round < 0) continue;
      results.get(c.label).ms.push(r.ms);
      if (r.rssKiB !== undefined) results.get(c.label).rss.push(r.rssKiB);
      if (c.inner) results.get(c.label).inner.push(c.inner(r));
    }
  }
  const out = {};
  for (const [label, { ms, rss, inner }] of results) {
    out[label] = {
      median: median(ms),
      min: Math.min(...ms),
      max: Math.max(...ms),
      runs: ms.length,
      rssMedianKiB: rss.length ? median(rss) : undefined,
      rssMaxKiB: rss.length ? Math.max(...rss) : undefined,
      innerMedian: inner.length ? median(inner) : undefined,
    };
  }
  return out;
}

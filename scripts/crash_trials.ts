/**
 * Crash trials (SPEC §4: "a process killed at any instant leaves a registry that `aam registry verify`
 * accepts"). Each trial starts a publisher process (test/e2e/reliability_worker.mjs: signed publishes and
 * dist-tag changes in a loop, through the CLI's main()), kills it with SIGKILL at a random instant, then
 * checks: the registry verifies clean (no failures), every version the worker reported published is in
 * metadata.yaml, and the next publish works at once (the dead holder's lock is taken over immediately),
 * leaves no lock, journal or temp file behind, and leaves audit.log's publish events equal to
 * metadata.yaml's versions (an interrupted publish is in both or in neither).
 *
 *   npx bun scripts/crash_trials.ts --trials 1000 --runtime node,bun,deno [--seed 7] [--max-delay-ms 400] [--lanes 3]
 *
 * The test suite runs a shorter series (test/e2e/reliability_crash_test.ts) through runCrashTrials().
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { RegistryReader } from "../src/registry/reader.ts";
import { fileSource } from "../src/registry/source_fs.ts";
import { parseMetadata } from "../src/registry/metadata.ts";
import { parseIndex } from "../src/registry/index_file.ts";
import { verifyAuditChain, parseAuditEvents } from "../src/registry/audit_log.ts";
import { verifyRegistry } from "../src/verify/registry_check.ts";
import { publishVersion } from "../src/registry/writer.ts";
import { packDirectory } from "../src/archive/pack.ts";
import { initRegistry } from "../src/registry/init.ts";
import type { TrustPolicy } from "../src/trust/policy.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");
const WORKER = join(ROOT, "test", "e2e", "reliability_worker.mjs");

export type CrashRuntime = "node" | "bun" | "deno";

export interface CrashOptions {
  trials: number;
  runtime: CrashRuntime;
  seed?: number;
  /** Kill instants are drawn uniformly from [0, maxDelayMs] after the worker says it is ready. */
  maxDelayMs?: number;
  /** A fresh registry every this many trials, so verifying stays cheap. */
  trialsPerRegistry?: number;
  /** Trials run this many at a time, each lane on its own registries (default 1). */
  lanes?: number;
  onTrial?: (t: TrialResult) => void;
}

export interface TrialResult {
  trial: number;
  delayMs: number;
  /** Versions the killed worker had reported published before it died. */
  published: number;
  /** False when the worker finished before the kill (the instant fell after its last publish). */
  killed: boolean;
  problems: string[];
  warnings: string[];
}

export interface CrashSummary {
  runtime: CrashRuntime;
  trials: number;
  killed: number;
  versionsReported: number;
  versionsLost: number;
  verifyFailures: number;
  nextPublishFailures: number;
  /** Trials after which the registry verified with warnings only (orphan archive, stale index, pending journal). */
  trialsWithWarnings: number;
  problems: string[];
  ms: number;
}

/** mulberry32: a small seeded PRNG, so a series is reproducible in its kill instants. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function workerArgv(rt: CrashRuntime): { cmd: string; args: string[]; lib: string } {
  if (rt === "node") return { cmd: "node", args: [WORKER], lib: join(ROOT, "dist", "index.js") };
  if (rt === "bun") return { cmd: join(BIN, "bun"), args: [WORKER], lib: join(ROOT, "src", "index.ts") };
  return { cmd: join(BIN, "deno"), args: ["run", "--quiet", "--no-prompt", "-A", WORKER], lib: join(ROOT, "src", "index.ts") };
}

function cliArgv(rt: CrashRuntime): string[] {
  if (rt === "node") return ["node", join(ROOT, "dist", "cli.js")];
  if (rt === "bun") return [join(BIN, "bun"), join(ROOT, "src", "cli.ts")];
  return [join(BIN, "deno"), "run", "--quiet", "--no-prompt", "-A", join(ROOT, "src", "cli.ts")];
}

function envFor(home: string): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: home, AAM_HOME: join(home, ".aam"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
}

function cli(rt: CrashRuntime, home: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const [cmd, ...pre] = cliArgv(rt);
  const r = spawnSync(cmd, [...pre, ...args], { cwd: home, env: envFor(home), encoding: "utf8" });
  return { code: r.status ?? 128, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Starts a worker, kills it `delayMs` after it is ready (SIGKILL), and answers what it reported. */
function killWorker(rt: CrashRuntime, home: string, job: Record<string, unknown>, delayMs: number): Promise<{ lines: string[]; killed: boolean; stderr: string }> {
  const w = workerArgv(rt);
  return new Promise((resolve) => {
    const child = spawn(w.cmd, [...w.args, JSON.stringify({ lib: w.lib, ...job })], { env: envFor(home) });
    let out = "";
    let err = "";
    let timer: ReturnType<typeof setTimeout> | undefined;
    child.stdout.on("data", (d) => {
      out += d;
      if (timer === undefined && out.includes("ready\n")) timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (_code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ lines: out.split("\n").filter(Boolean), killed: signal === "SIGKILL", stderr: err });
    });
  });
}

async function checkRegistry(reg: string, policy: TrustPolicy, reported: Set<string>, name: string, problems: string[], warnings: string[]): Promise<void> {
  const report = await verifyRegistry(new RegistryReader(fileSource(reg)), policy);
  for (const f of report.failures) problems.push(`registry verify: ${f.subject}: [${f.code}] ${f.message}`);
  warnings.push(...report.warnings);
  const metaFile = join(reg, "packages", "crash--pkg", "metadata.yaml");
  let listed = new Set<string>();
  try {
    listed = new Set(parseMetadata(readFileSync(metaFile, "utf8"), metaFile).versions.map((v) => v.version));
    parseIndex(readFileSync(join(reg, "index.yaml"), "utf8"), "index.yaml");
  } catch (e) {
    if (reported.size > 0) problems.push(`unreadable registry file: ${(e as Error).message}`);
  }
  for (const v of reported) if (!listed.has(v)) problems.push(`lost ${name}@${v}: reported published, missing from metadata.yaml`);
}

/** Packs a one-prompt package of this version (the archive's aam.yaml must name it, SPEC §6 step 2). */
async function packVersion(home: string, name: string, version: string): Promise<Uint8Array> {
  const dir = join(home, `next-${version}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "aam.yaml"), `name: "${name}"\nversion: "${version}"\ndescription: "next"\nartifacts:\n  prompts:\n    - {name: n, path: n.md, description: "n"}\n`);
  writeFileSync(join(dir, "n.md"), "# n\n");
  return (await packDirectory(dir)).bytes;
}

const LEFTOVER = (n: string) => n.endsWith(".tmp") || n === ".aam-registry.lock" || n === ".aam-journal.json" || n === ".aam-index-next.yaml" || n.startsWith(".aam-registry.lock.takeover");

/** Runs a series of crash trials and answers its figures; `problems` is empty when all held. */
export async function runCrashTrials(opts: CrashOptions): Promise<CrashSummary> {
  const started = Date.now();
  const perRegistry = opts.trialsPerRegistry ?? 10;
  const maxDelay = opts.maxDelayMs ?? 400;
  const name = "@crash/pkg";
  const home = mkdtempSync(join(tmpdir(), "aam-crash-"));
  const summary: CrashSummary = {
    runtime: opts.runtime, trials: 0, killed: 0, versionsReported: 0, versionsLost: 0,
    verifyFailures: 0, nextPublishFailures: 0, trialsWithWarnings: 0, problems: [], ms: 0,
  };
  try {
    const gen = cli("bun", home, ["key", "generate", "--no-passphrase", "--json"]);
    if (gen.code !== 0) throw new Error(`key generate failed: ${gen.stderr}`);
    const fp = String(JSON.parse(gen.stdout).fingerprint);
    const policy: TrustPolicy = {
      trustedKeys: fp ? [fp] : [], revokedKeys: [], trustedIdentities: [], allowedIssuers: [],
      signingDelegates: {}, requireSignature: false, onSignatureFailure: "error",
    };
    const lanes = Math.max(1, opts.lanes ?? 1);
    // Lanes run side by side, each on its own registries: the workers mostly wait on fsync.
    const lane = async (l: number) => {
      const rand = prng((opts.seed ?? 1) * 1000 + l);
      let reg = "";
      let reported = new Set<string>();
      const warm = join(home, `warm${l}`);
      await initRegistry(warm, { now: new Date() });
      for (let i = 0, t = l; t < opts.trials; i++, t += lanes) {
        if (i % perRegistry === 0) {
          reg = join(home, `reg${t}`);
          await initRegistry(reg, { now: new Date() }); // in-process: spawnSync would stall the kill timers
          reported = new Set();
        }
        await trial(t, reg, reported, rand, warm);
      }
    };
    const trial = async (t: number, reg: string, reported: Set<string>, rand: () => number, warm: string) => {
      const delayMs = Math.floor(rand() * maxDelay);
      const versions = Array.from({ length: 12 }, (_, j) => `2.${t}.${j}`);
      const r = await killWorker(opts.runtime, home, { registry: reg, name, versions, work: home, sign: rand() < 0.7, tagEvery: 2, warm }, delayMs);
      const problems: string[] = [];
      const warnings: string[] = [];
      const oks = r.lines.filter((l) => l.startsWith("ok ")).map((l) => l.slice(3));
      for (const v of oks) reported.add(v);
      for (const l of r.lines) if (l.startsWith("fail")) problems.push(`worker: ${l}`);
      await checkRegistry(reg, policy, reported, name, problems, warnings);
      if (problems.length > 0) summary.verifyFailures++;
      // The next publish: takes over the dead worker's lock at once and finishes its journal.
      try {
        const version = `9.${t}.0`;
        await publishVersion(
          reg,
          { archive: await packVersion(home, name, version), name, version, description: "next", artifactTypes: ["prompts"], dependencies: {} },
          { now: new Date(), actor: "crash-trials", lockTimeoutMs: 5_000 },
        );
        reported.add(`9.${t}.0`);
        // metadata.yaml and audit.log agree exactly: a publish is in both or in neither.
        const meta = parseMetadata(readFileSync(join(reg, "packages", "crash--pkg", "metadata.yaml"), "utf8"), "metadata.yaml");
        const log = readFileSync(join(reg, "audit.log"), "utf8");
        const chain = verifyAuditChain(log);
        if (!chain.ok) problems.push(`audit.log broken at line ${chain.brokenLine}: ${chain.reason}`);
        const logged = parseAuditEvents(log).filter((e) => e.event === "package.publish").map((e) => e.version ?? "").sort();
        const listed = meta.versions.map((v) => v.version).sort();
        if (JSON.stringify(logged) !== JSON.stringify(listed)) problems.push(`audit.log publishes [${logged}] differ from metadata.yaml versions [${listed}]`);
        // index.yaml agrees with metadata.yaml: the staged index went in with the journal.
        const entry = parseIndex(readFileSync(join(reg, "index.yaml"), "utf8"), "index.yaml").packages.find((p) => p.name === name);
        if (entry?.latest !== meta.dist_tags.latest) problems.push(`index.yaml latest ${entry?.latest} differs from metadata.yaml's ${meta.dist_tags.latest}`);
        const left = [...readdirSync(reg), ...readdirSync(join(reg, "packages", "crash--pkg"))].filter(LEFTOVER);
        if (left.length > 0) problems.push(`left behind after the next publish: ${left.join(", ")}`);
      } catch (e) {
        summary.nextPublishFailures++;
        problems.push(`next publish failed: ${(e as Error).message}`);
      }
      summary.trials++;
      if (r.killed) summary.killed++;
      summary.versionsReported += oks.length;
      summary.versionsLost += problems.filter((p) => p.startsWith("lost ")).length;
      if (warnings.length > 0) summary.trialsWithWarnings++;
      summary.problems.push(...problems.map((p) => `trial ${t} (kill at ${delayMs} ms): ${p}`));
      opts.onTrial?.({ trial: t, delayMs, published: oks.length, killed: r.killed, problems, warnings });
    };
    await Promise.all(Array.from({ length: lanes }, (_, l) => lane(l)));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  summary.ms = Date.now() - started;
  return summary;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const runtimes = (flag(args, "--runtime") ?? "node").split(",") as CrashRuntime[];
  const trials = Number(flag(args, "--trials") ?? 200);
  let failed = false;
  if (runtimes.includes("node")) spawnSync("node", [join(ROOT, "scripts", "build.mjs")], { cwd: ROOT, stdio: "inherit" });
  for (const runtime of runtimes) {
    const s = await runCrashTrials({
      trials,
      runtime,
      seed: Number(flag(args, "--seed") ?? 1),
      maxDelayMs: Number(flag(args, "--max-delay-ms") ?? 400),
      lanes: Number(flag(args, "--lanes") ?? 3),
      onTrial: (t) => {
        if (t.problems.length > 0) console.log(`trial ${t.trial}: ${t.problems.join("; ")}`);
        else if ((t.trial + 1) % 50 === 0) console.log(`${runtime}: ${t.trial + 1} trials`);
      },
    });
    const { problems, ...figures } = s;
    console.log(JSON.stringify(figures));
    if (problems.length > 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

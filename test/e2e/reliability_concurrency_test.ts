/**
 * Concurrency (SPEC §4, §5a, §8): many processes, on all three runtimes at once, writing one registry
 * (publishes, attests and rejects racing) and one offline cache. Nothing may be lost, and the registry
 * must verify clean afterwards.
 */
import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, libScriptCommand, tempDir, removeDir, makePackage, ROOT, type RuntimeName } from "../helpers.ts";
import { parseMetadata } from "../../src/registry/metadata.ts";
import { parseIndex } from "../../src/registry/index_file.ts";
import { verifyAuditChain, parseAuditEvents } from "../../src/registry/audit_log.ts";
import { parseSnapshot } from "../../src/attest/snapshot_doc.ts";
import { parseBin } from "../../src/attest/bin_doc.ts";

const WORKER = join(ROOT, "test", "e2e", "reliability_worker.mjs");

function runWorker(rt: RuntimeName, job: Record<string, unknown>, home: string): Promise<{ code: number; lines: string[]; stderr: string }> {
  const w = libScriptCommand(rt, WORKER);
  return new Promise((resolve) => {
    const child = spawn(w.cmd, [...w.args, JSON.stringify({ lib: w.lib, ...job })], {
      env: { PATH: process.env.PATH ?? "", HOME: home, AAM_HOME: join(home, ".aam"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code: code ?? 128, lines: out.split("\n").filter(Boolean), stderr: err }));
  });
}

// 3 Node + 3 Bun + 2 Deno processes at once: mixing runtimes also mixes their fs and timer implementations.
const MIX: RuntimeName[] = ["node", "bun", "deno", "node", "bun", "deno", "node", "bun"];
const PER_PROCESS = 25;

describe("reliability: concurrent publishing", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("aam-conc-");
    expect(aam("node", ["registry", "init", "reg"], { cwd: dir, home: dir }).code).toBe(0);
  });
  afterAll(() => removeDir(dir));

  test(`publishVersion() loses nothing: ${MIX.length} processes (node, bun, deno) x ${PER_PROCESS} publishes of one package`, async () => {
    const reg = join(dir, "reg");
    const results = await Promise.all(
      MIX.map((rt, k) =>
        runWorker(rt, { registry: reg, name: "@load/one", versions: Array.from({ length: PER_PROCESS }, (_, j) => `1.${k}.${j}`), work: dir }, dir),
      ),
    );
    for (const [k, r] of results.entries()) {
      expect({ worker: k, runtime: MIX[k], code: r.code, stderr: r.stderr }).toMatchObject({ code: 0, stderr: "" });
      expect(r.lines.filter((l) => l.startsWith("ok ")).length).toBe(PER_PROCESS);
    }
    const all = MIX.flatMap((_, k) => Array.from({ length: PER_PROCESS }, (_, j) => `1.${k}.${j}`));
    const meta = parseMetadata(readFileSync(join(reg, "packages", "load--one", "metadata.yaml"), "utf8"), "metadata.yaml");
    expect(meta.versions.map((v) => v.version).sort()).toEqual([...all].sort());
    expect(meta.dist_tags.latest).toBe(`1.${MIX.length - 1}.${PER_PROCESS - 1}`);
    const idx = parseIndex(readFileSync(join(reg, "index.yaml"), "utf8"), "index.yaml");
    expect(idx.packages).toMatchObject([{ name: "@load/one", latest: meta.dist_tags.latest }]);
    const log = readFileSync(join(reg, "audit.log"), "utf8");
    expect(verifyAuditChain(log)).toMatchObject({ ok: true, events: all.length });
    expect(parseAuditEvents(log).filter((e) => e.event === "package.publish").map((e) => e.version).sort()).toEqual([...all].sort());
    // No lock, journal or temp file is left behind.
    const leftovers = [...readdirSync(reg), ...readdirSync(join(reg, "packages", "load--one"))].filter((n) => n.endsWith(".tmp") || [".aam-registry.lock", ".aam-journal.json"].some((f) => n.startsWith(f)));
    expect(leftovers).toEqual([]);
    const v = aam("node", ["registry", "verify", reg, "--json"], { cwd: dir, home: dir });
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, versions: all.length, failures: [], warnings: [] });
  }, 120_000);
});

describe("reliability: attests and rejects racing publishes", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("aam-conc-attest-");
    const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir });
    expect(run(["registry", "init", "reg", "--name", "race", "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
    for (const v of ["1.0.0", "1.0.1", "1.0.2"]) {
      makePackage(join(dir, "old"), "@race/old", v);
      expect(run(["pkg", "publish", "old"]).code).toBe(0);
    }
    expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
  });
  afterAll(() => removeDir(dir));

  test("3 publishers, 3 attesters (twice each) and 3 rejecters on node, bun and deno at once: nothing lost, verify clean, serials one by one", async () => {
    const reg = join(dir, "reg");
    const RTS: RuntimeName[] = ["node", "bun", "deno"];
    const PER = 4;
    const cli = (rt: RuntimeName, args: string[]) => aamAsync(rt, args, { cwd: dir, home: dir });
    const jobs: Promise<{ job: string; code: number; stderr: string }[]>[] = [];
    for (const [w, rt] of RTS.entries()) {
      jobs.push(
        (async () => {
          const out = [];
          for (let v = 0; v < PER; v++) {
            makePackage(join(dir, `pkg${w}`), `@race/p${w}`, `1.0.${v}`);
            out.push({ job: `${rt} publish @race/p${w}@1.0.${v}`, ...(await cli(rt, ["pkg", "publish", `pkg${w}`])) });
          }
          return out;
        })(),
      );
      jobs.push(
        (async () => {
          const out = [];
          for (let a = 0; a < 2; a++) out.push({ job: `${rt} attest #${a}`, ...(await cli(rt, ["registry", "attest", "--key", "regkey", "--all"])) });
          return out;
        })(),
      );
      jobs.push(cli(rt, ["registry", "reject", `@race/old@1.0.${w}`, "--reason", `withdrawn by ${rt}`, "--key", "regkey"]).then((r) => [{ job: `${rt} reject @race/old@1.0.${w}`, ...r }]));
    }
    const results = (await Promise.all(jobs)).flat();
    for (const r of results) expect({ job: r.job, code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ job: r.job, code: 0, stderr: "" });
    // Versions published after the last racing attest are pending until this one.
    expect(aam("node", ["registry", "attest", "--key", "regkey", "--all"], { cwd: dir, home: dir }).code).toBe(0);

    const v = aam("node", ["registry", "verify", reg, "--json"], { cwd: dir, home: dir });
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: "" });
    // 1 before the race, 6 attests, 3 rejects, 1 after.
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, versions: 3 + RTS.length * PER, failures: [], snapshot: { serial: 11, pending: [] } });
    for (const w of RTS.keys()) {
      const meta = parseMetadata(readFileSync(join(reg, "packages", `race--p${w}`, "metadata.yaml"), "utf8"), "metadata.yaml");
      expect(meta.versions.map((x) => x.version)).toEqual(Array.from({ length: PER }, (_, i) => `1.0.${i}`));
    }
    const old = parseMetadata(readFileSync(join(reg, "packages", "race--old", "metadata.yaml"), "utf8"), "metadata.yaml");
    expect(old.versions.map((x) => x.rejected?.reason)).toEqual(RTS.map((rt) => `withdrawn by ${rt}`));
    // The signed snapshot agrees: every version listed, the three rejections in the bin.
    const snap = parseSnapshot(readFileSync(join(reg, "snapshot.json"), "utf8"), "snapshot.json");
    const records = Object.assign({}, ...Object.keys(snap.bins).map((id) => parseBin(readFileSync(join(reg, "snapshot", "bins", `${id}.json`), "utf8"), id, id)));
    expect(Object.keys(records).sort()).toEqual(["race--old", "race--p0", "race--p1", "race--p2"]);
    expect(Object.values(records["race--old"].versions).map((x) => (x as { rejected: { reason: string } | null }).rejected?.reason)).toEqual(RTS.map((rt) => `withdrawn by ${rt}`));
    const log = readFileSync(join(reg, "audit.log"), "utf8");
    expect(verifyAuditChain(log)).toMatchObject({ ok: true });
    const events = parseAuditEvents(log);
    expect(events.filter((e) => e.event === "snapshot.sign").map((e) => (e.details as { serial: number }).serial)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(events.filter((e) => e.event === "version.reject").length).toBe(3);
    expect(events.filter((e) => e.event === "package.publish").length).toBe(3 + RTS.length * PER);
    const leftovers = readdirSync(reg).filter((n) => n.endsWith(".tmp") || [".aam-registry.lock", ".aam-journal.json"].some((f) => n.startsWith(f)));
    expect(leftovers).toEqual([]);
  }, 180_000);
});

describe("reliability: concurrent --offline-prepare", () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir("aam-conc-cache-");
    const run = (args: string[]) => aam("bun", args, { cwd: dir, home: dir });
    expect(run(["registry", "init", "reg", "--default"]).code).toBe(0);
    expect(run(["key", "generate", "--no-passphrase"]).code).toBe(0);
    for (const v of ["1.0.0", "1.1.0"]) {
      makePackage(join(dir, `p${v}`), "@cache/c", v);
      expect(run(["pkg", "publish", `p${v}`, "--sign"]).code).toBe(0);
    }
  });
  afterAll(() => removeDir(dir));

  test("verify --offline-prepare from 6 processes at once (2 per runtime) leaves whole, usable entries", async () => {
    const runs = (["node", "bun", "deno", "node", "bun", "deno"] as RuntimeName[]).map((rt) =>
      aamAsync(rt, ["verify", "--offline-prepare", "@cache/c@1.0.0", "@cache/c@1.1.0"], { cwd: dir, home: dir }),
    );
    const results = await Promise.all(runs);
    for (const r of results) expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    const cacheDir = join(dir, ".aam", "cache", "offline", "cache--c");
    expect(readdirSync(cacheDir).sort()).toEqual(["1.0.0", "1.1.0"]);
    for (const v of ["1.0.0", "1.1.0"]) {
      expect(existsSync(join(cacheDir, v, "entry.json"))).toBe(true);
      const r = aam("deno", ["verify", "--offline", `@cache/c@${v}`, "--require-signature"], { cwd: dir, home: dir, offline: true });
      expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    }
  }, 120_000);
});

/**
 * Crash safety of `registry attest` (SPEC §4, §5a): an attest killed with SIGKILL at a random instant
 * leaves a registry that `registry verify` accepts at once and the next write finishes, whose snapshot.json
 * parses, names bins whose bytes match it, agrees with every metadata.yaml (no mix-and-match), and
 * carries the serial of the last `snapshot.sign` event, serials going up by one.
 */
import { describe, test, expect } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, tempDir, removeDir, makePackage, ROOT } from "../helpers.ts";
import { parseSnapshot } from "../../src/attest/snapshot_doc.ts";
import { parseBin } from "../../src/attest/bin_doc.ts";
import { mergeWithBin } from "../../src/attest/merge.ts";
import { checksumOf } from "../../src/encoding/sha256.ts";
import { parseMetadata } from "../../src/registry/metadata.ts";

const TRIALS = 14;

function attestKilledAfter(dir: string, delayMs: number): Promise<boolean> {
  return killedAfter(dir, ["registry", "attest", "--key", "regkey", "--all"], delayMs);
}

/** Runs the CLI under Node with `args` and kills it with SIGKILL after `delayMs`; answers whether it was still running. */
function killedAfter(dir: string, args: string[], delayMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("node", [join(ROOT, "dist", "cli.js"), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: dir, AAM_HOME: join(dir, ".aam"), NO_COLOR: "1" },
      stdio: "ignore",
    });
    let exited = false;
    child.on("exit", () => (exited = true));
    setTimeout(() => {
      const killed = !exited && child.kill("SIGKILL");
      child.on("close", () => resolve(killed));
      if (exited) resolve(false);
    }, delayMs);
  });
}

describe("reliability: registry attest killed at random instants", () => {
  test(`an attest killed with SIGKILL (${TRIALS} trials, Node) leaves a consistent snapshot after the next write`, async () => {
    const dir = tempDir();
    try {
      const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir });
      expect(run(["registry", "init", "reg", "--name", "crash", "--default"]).code).toBe(0);
      expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
      const reg = (...p: string[]) => join(dir, "reg", ...p);
      let seed = 11;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      let killed = 0;
      let underLock = 0;
      for (let t = 0; t < TRIALS; t++) {
        for (const name of ["@c/a", "@c/b", "@c/d", "@c/e", "@c/f"]) {
          makePackage(join(dir, "pkg"), name, `1.0.${t}`);
          expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
        }
        if (await attestKilledAfter(dir, 100 + Math.floor(rnd() * 220))) killed++;
        // Killed holding the registry lock: inside the write, not in start-up.
        if (existsSync(reg(".aam-registry.lock"))) underLock++;
        // Before any write finishes it, the registry as left verifies (a pending journal is read as applied).
        const left = run(["registry", "verify"]);
        expect({ code: left.code, stderr: left.code === 0 ? "" : left.stderr }).toEqual({ code: 0, stderr: "" });
        // The next write finishes an interrupted change (or leaves a clean one alone).
        const next = run(["registry", "attest", "--key", "regkey", "--all"]);
        expect(next.stderr).not.toContain("    at ");
        expect(next.code).toBe(0);
        expect(run(["registry", "verify"]).code).toBe(0);
        expect(existsSync(reg(".aam-journal.json"))).toBe(false);

        const snap = parseSnapshot(readFileSync(reg("snapshot.json"), "utf8"), "snapshot.json");
        for (const [id, hash] of Object.entries(snap.bins)) {
          const bytes = readFileSync(reg("snapshot", "bins", `${id}.json`));
          expect(checksumOf(new Uint8Array(bytes))).toBe(hash);
          const bin = parseBin(bytes.toString("utf8"), id, id);
          for (const [fsName, record] of Object.entries(bin)) {
            const meta = parseMetadata(readFileSync(reg("packages", fsName, "metadata.yaml"), "utf8"), fsName);
            expect(mergeWithBin(meta, record, fsName).pending).toEqual([]);
          }
        }
        const signs = readFileSync(reg("audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.event === "snapshot.sign");
        expect(signs.map((e) => e.details.serial)).toEqual(signs.map((_, i) => i + 1));
        expect(snap.serial).toBe(signs.length);
      }
      expect(readdirSync(reg("snapshot", "bins")).length).toBeGreaterThan(0);
      // Most kills must land while the attest runs, or only start-up was tested.
      expect(killed).toBeGreaterThanOrEqual(TRIALS / 3);
      expect(underLock).toBeGreaterThanOrEqual(1);
      console.log(`attest crash trials: ${killed} of ${TRIALS} killed, ${underLock} while holding the registry lock`);
    } finally {
      removeDir(dir);
    }
  }, 240_000);
});

describe("reliability: owner changes killed at random instants", () => {
  test(`owner add/rm killed with SIGKILL (${TRIALS} trials, Node) leaves owners that registry verify and attest accept`, async () => {
    const dir = tempDir();
    try {
      const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir });
      expect(run(["registry", "init", "reg", "--name", "owners", "--default"]).code).toBe(0);
      for (const k of ["regkey", "alice"]) expect(run(["key", "generate", "--name", k, "--no-passphrase"]).code).toBe(0);
      const keys = JSON.parse(run(["key", "list", "--json"]).stdout).keys as { name: string; fingerprint: string }[];
      const alice = keys.find((k) => k.name === "alice")!.fingerprint;
      makePackage(join(dir, "pkg"), "@c/a", "1.0.0");
      expect(run(["pkg", "publish", "pkg", "--sign", "--key", "alice"]).code).toBe(0);
      expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
      expect(run(["owner", "add", "@c/a", alice, "--key", "regkey"]).code).toBe(0);
      const owners = () => JSON.parse(run(["owner", "ls", "@c/a", "--json"]).stdout).owners as string[];
      let seed = 5;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      let killed = 0;
      let underLock = 0;
      let applied = 0;
      for (let t = 0; t < TRIALS; t++) {
        const other = `${t.toString(16).padStart(2, "0")}${"ab".repeat(31)}`;
        if (await killedAfter(dir, ["owner", "add", "@c/a", other, "--key", "alice"], 150 + Math.floor(rnd() * 300))) killed++;
        if (existsSync(join(dir, "reg", ".aam-registry.lock"))) underLock++;
        // As left (a pending journal reads as applied), the owners are reached by signed transfers.
        const left = run(["registry", "verify"]);
        expect({ code: left.code, stderr: left.code === 0 ? "" : left.stderr }).toEqual({ code: 0, stderr: "" });
        const now = owners();
        // Either the change happened whole or not at all; the next write completes or repeats it.
        expect([[alice], [alice, other].sort()]).toContainEqual(now);
        if (now.length === 1) expect(run(["owner", "add", "@c/a", other, "--key", "alice"]).code).toBe(0);
        else applied++;
        expect(run(["owner", "rm", "@c/a", other, "--key", "alice"]).code).toBe(0);
        expect(owners()).toEqual([alice]);
        expect(run(["registry", "verify"]).code).toBe(0);
        expect(existsSync(join(dir, "reg", ".aam-journal.json"))).toBe(false);
      }
      // Attest accepts the whole history of changes; a non-owner still cannot publish.
      expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
      makePackage(join(dir, "pkg"), "@c/a", "1.1.0");
      expect(run(["pkg", "publish", "pkg", "--sign", "--key", "regkey"]).code).toBe(15);
      expect(killed).toBeGreaterThanOrEqual(TRIALS / 3);
      // Some kills must land inside the write (lock held) or after it, or only start-up was tested.
      expect(underLock + applied).toBeGreaterThanOrEqual(1);
      console.log(`owner crash trials: ${killed} of ${TRIALS} killed, ${underLock} holding the registry lock, ${applied} after the change was made`);
    } finally {
      removeDir(dir);
    }
  }, 240_000);
});

describe("reliability: registry attest racing publishers", () => {
  test("attests, publishes and owner changes from several processes at once lose nothing and leave a consistent snapshot", async () => {
    const dir = tempDir();
    try {
      const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir });
      expect(run(["registry", "init", "reg", "--name", "race", "--default"]).code).toBe(0);
      for (const k of ["regkey", "alice"]) expect(run(["key", "generate", "--name", k, "--no-passphrase"]).code).toBe(0);
      // A package with an owner, whose owners change while the others publish and attest.
      const alice = JSON.parse(run(["key", "list", "--json"]).stdout).keys.find((k: { name: string }) => k.name === "alice").fingerprint;
      makePackage(join(dir, "own"), "@race/owned", "1.0.0");
      expect(run(["pkg", "publish", "own", "--sign", "--key", "alice"]).code).toBe(0);
      expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
      expect(run(["owner", "add", "@race/owned", alice, "--key", "regkey"]).code).toBe(0);
      const jobs: Promise<{ code: number; stderr: string }>[] = [];
      jobs.push(
        (async () => {
          for (let i = 0; i < 3; i++) {
            for (const op of ["add", "rm"]) {
              const r = await aamAsync("node", ["owner", op, "@race/owned", `${i}${"cd".repeat(31)}d`, "--key", "alice"], { cwd: dir, home: dir });
              if (r.code !== 0) return r;
            }
          }
          return { code: 0, stderr: "" };
        })(),
      );
      for (let w = 0; w < 3; w++) {
        const pkg = join(dir, `pkg${w}`);
        jobs.push(
          (async () => {
            for (let v = 0; v < 4; v++) {
              makePackage(pkg, `@race/p${w}`, `1.0.${v}`);
              const r = await aamAsync("node", ["pkg", "publish", pkg], { cwd: dir, home: dir });
              if (r.code !== 0) return r;
            }
            return { code: 0, stderr: "" };
          })(),
        );
      }
      for (let a = 0; a < 4; a++) jobs.push(aamAsync(a % 2 ? "bun" : "node", ["registry", "attest", "--key", "regkey", "--all"], { cwd: dir, home: dir }));
      for (const r of await Promise.all(jobs)) expect({ code: r.code, stderr: r.code === 0 ? "" : r.stderr }).toEqual({ code: 0, stderr: "" });
      expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
      const v = JSON.parse(run(["registry", "verify", "--json"]).stdout);
      expect(v).toMatchObject({ ok: true, versions: 13, snapshot: { serial: 6, pending: [] } });
      expect(JSON.parse(run(["owner", "ls", "@race/owned", "--json"]).stdout).owners).toEqual([alice]);
      expect(readFileSync(join(dir, "reg", "audit.log"), "utf8").split("\n").filter((l) => l.includes('"ownership.transfer"')).length).toBe(7);
      const signs = readFileSync(join(dir, "reg", "audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.event === "snapshot.sign");
      expect(signs.map((e) => e.details.serial)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      removeDir(dir);
    }
  }, 120_000);
});

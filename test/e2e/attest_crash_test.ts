/**
 * Crash safety of `registry attest` and `registry reject` (SPEC §4, §5a): one killed with SIGKILL at a
 * random instant leaves a registry that `registry verify` accepts at once and the next write finishes,
 * whose snapshot.json parses, names bins whose bytes match it, agrees with every metadata.yaml (no
 * mix-and-match), and carries the serial of the last `snapshot.sign` event, serials going up by one.
 * A killed reject is applied whole or not at all (metadata.yaml, bin, .sig and audit log agree).
 */
import { describe, test, expect } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aam, aamAsync, tempDir, removeDir, makePackage } from "../helpers.ts";
import { killedDuring as killTrial, type KillTrial } from "../helpers/kill_trial.ts";
import { parseSnapshot } from "../../src/attest/snapshot_doc.ts";
import { parseBin } from "../../src/attest/bin_doc.ts";
import { mergeWithBin } from "../../src/attest/merge.ts";
import { checksumOf } from "../../src/encoding/sha256.ts";
import { parseMetadata } from "../../src/registry/metadata.ts";

const TRIALS = 14;

/** Kills `aam <args>` as kill_trial.ts says, timed from taking the registry lock. */
function killedDuring(dir: string, args: string[], delayMs: number, fromStart: boolean): Promise<KillTrial> {
  return killTrial(dir, join(dir, "reg", ".aam-registry.lock"), args, delayMs, fromStart);
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
      const attest = ["registry", "attest", "--key", "regkey", "--all"];
      const publishAll = (version: string) => {
        for (const name of ["@c/a", "@c/b", "@c/d", "@c/e", "@c/f"]) {
          makePackage(join(dir, "pkg"), name, version);
          expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
        }
      };
      // A first attest, not killed, times the command on this machine.
      publishAll("0.0.1");
      const timing = await killedDuring(dir, attest, Infinity, false);
      expect(timing).toMatchObject({ killed: false });
      expect(timing.lockedAt).toBeGreaterThanOrEqual(0);
      for (let t = 0; t < TRIALS; t++) {
        publishAll(`1.0.${t}`);
        // Two trials in three are timed from taking the lock, the others from the start, each drawn
        // over how long the uninterrupted attest took (the machine's speed varies).
        const fromStart = t % 3 === 2;
        const k = await killedDuring(dir, attest, Math.floor(rnd() * 1.1 * (fromStart ? timing.exitedAt : timing.exitedAt - timing.lockedAt)), fromStart);
        if (k.killed) killed++;
        // Killed holding the registry lock: inside the write, not in start-up.
        if (k.underLock) underLock++;
        // Before any write finishes it, the registry as left verifies (a pending journal is read as applied).
        const left = run(["registry", "verify"]);
        expect({ code: left.code, stderr: left.code === 0 ? "" : left.stderr }).toEqual({ code: 0, stderr: "" });
        // The next write finishes an interrupted change (or leaves a clean one alone).
        const next = run(attest);
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
      expect(underLock).toBeGreaterThanOrEqual(TRIALS / 3);
      console.log(`attest crash trials: ${killed} of ${TRIALS} killed, ${underLock} while holding the registry lock`);
    } finally {
      removeDir(dir);
    }
  }, 240_000);
});

describe("reliability: registry reject killed at random instants", () => {
  test(`a reject killed with SIGKILL (${TRIALS} trials, Node) is applied whole or not at all, and the registry verifies`, async () => {
    const dir = tempDir();
    try {
      const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir });
      expect(run(["registry", "init", "reg", "--name", "crash", "--default"]).code).toBe(0);
      expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
      const reg = (...p: string[]) => join(dir, "reg", ...p);
      const events = () => readFileSync(reg("audit.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      let seed = 23;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      let killed = 0;
      let underLock = 0;
      let applied = 0;
      // A first reject, not killed, times the command on this machine.
      makePackage(join(dir, "pkg"), "@c/r", "0.0.1");
      expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
      expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
      let timing = await killedDuring(dir, ["registry", "reject", "@c/r@0.0.1", "--reason", "timing", "--key", "regkey"], Infinity, false);
      expect(timing.lockedAt).toBeGreaterThanOrEqual(0);
      for (let t = 0; t < TRIALS; t++) {
        const version = `1.0.${t}`;
        for (const name of ["@c/r", "@c/other"]) {
          makePackage(join(dir, "pkg"), name, version);
          expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
        }
        expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
        const reject = ["registry", "reject", `@c/r@${version}`, "--reason", `trial ${t}`, "--key", "regkey"];
        // Two trials in three are timed from taking the lock, the others from the start, each drawn
        // over how long an uninterrupted reject took here (the machine's speed varies).
        const fromStart = t % 3 === 2;
        const k = await killedDuring(dir, reject, Math.floor(rnd() * 1.1 * (fromStart ? timing.exitedAt : timing.exitedAt - timing.lockedAt)), fromStart);
        if (k.killed) killed++;
        if (k.underLock) underLock++;
        const left = run(["registry", "verify"]);
        expect({ trial: t, code: left.code, stderr: left.code === 0 ? "" : left.stderr }).toEqual({ trial: t, code: 0, stderr: "" });
        // The next write (a re-sign) finishes an interrupted reject, or leaves a clean state alone.
        const next = run(["registry", "attest", "--key", "regkey"]);
        expect({ trial: t, code: next.code, stderr: next.stderr }).toEqual({ trial: t, code: 0, stderr: "" });
        expect(existsSync(reg(".aam-journal.json"))).toBe(false);

        const state = () => {
          const meta = parseMetadata(readFileSync(reg("packages", "c--r", "metadata.yaml"), "utf8"), "metadata.yaml");
          const snap = parseSnapshot(readFileSync(reg("snapshot.json"), "utf8"), "snapshot.json");
          const bins = Object.keys(snap.bins).map((id) => parseBin(readFileSync(reg("snapshot", "bins", `${id}.json`), "utf8"), id, id));
          const record = bins.find((b) => b["c--r"] !== undefined)!["c--r"];
          // An unsigned version's .sig held only the attestation: reject removes the file with it.
          const sigFile = reg("packages", "c--r", `${version}.sig`);
          const sig = existsSync(sigFile) ? JSON.parse(readFileSync(sigFile, "utf8")) : { signatures: [] };
          return {
            metadata: meta.versions.find((v) => v.version === version)?.rejected?.reason ?? null,
            bin: record.versions[version]?.rejected?.reason ?? null,
            attested: (sig.signatures as { algorithm: string }[]).some((e) => e.algorithm === "registry-attestation"),
            logged: events().filter((e) => e.event === "version.reject" && e.version === version).length,
          };
        };
        const after = state();
        type State = ReturnType<typeof state>;
        const whole: State = { metadata: `trial ${t}`, bin: `trial ${t}`, attested: false, logged: 1 };
        const none: State = { metadata: null, bin: null, attested: true, logged: 0 };
        expect([whole, none]).toContainEqual(after);
        if (after.metadata !== null) applied++;
        else {
          timing = await killedDuring(dir, reject, Infinity, false);
          expect(timing).toMatchObject({ killed: false });
          expect(timing.lockedAt).toBeGreaterThanOrEqual(0);
        }
        expect(state()).toEqual(whole);
        expect(run(["registry", "verify"]).code).toBe(0);
        const snap = parseSnapshot(readFileSync(reg("snapshot.json"), "utf8"), "snapshot.json");
        const signs = events().filter((e) => e.event === "snapshot.sign");
        expect(signs.map((e) => e.details.serial)).toEqual(signs.map((_, i) => i + 1));
        expect(snap.serial).toBe(signs.length);
      }
      expect(killed).toBeGreaterThanOrEqual(TRIALS / 3);
      expect(underLock).toBeGreaterThanOrEqual(TRIALS / 3);
      console.log(`reject crash trials: ${killed} of ${TRIALS} killed, ${underLock} while holding the registry lock, ${applied} applied whole before the kill or by the next write`);
    } finally {
      removeDir(dir);
    }
  }, 300_000);
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
      // One owner change, not killed, times the command on this machine (then undone).
      const timing = await killedDuring(dir, ["owner", "add", "@c/a", "ff" + "ab".repeat(31), "--key", "alice"], Infinity, false);
      expect(timing.lockedAt).toBeGreaterThanOrEqual(0);
      expect(run(["owner", "rm", "@c/a", "ff" + "ab".repeat(31), "--key", "alice"]).code).toBe(0);
      for (let t = 0; t < TRIALS; t++) {
        const other = `${t.toString(16).padStart(2, "0")}${"ab".repeat(31)}`;
        // As the reject trials: two in three timed from taking the lock, over an uninterrupted run's times.
        const fromStart = t % 3 === 2;
        const k = await killedDuring(dir, ["owner", "add", "@c/a", other, "--key", "alice"], Math.floor(rnd() * 1.1 * (fromStart ? timing.exitedAt : timing.exitedAt - timing.lockedAt)), fromStart);
        if (k.killed) killed++;
        if (k.underLock) underLock++;
        // As left (a pending journal reads as applied), the owners are reached by signed transfers.
        const left = run(["registry", "verify"]);
        expect({ code: left.code, stderr: left.code === 0 ? "" : left.stderr + left.stdout }).toEqual({ code: 0, stderr: "" });
        const now = owners();
        // Either the change happened whole or not at all; the next write completes or repeats it.
        expect([[alice], [alice, other].sort()]).toContainEqual(now);
        if (now.length === 1) {
          // Readers see the state before a pending journal; this write first finishes it, and then finds
          // the owner there (killed after the commit point) or adds it (killed before).
          const again = run(["owner", "add", "@c/a", other, "--key", "alice"]);
          if (again.code === 2 && again.stderr.includes("already an owner")) applied++;
          else expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: "" });
        } else applied++;
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

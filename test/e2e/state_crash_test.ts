/**
 * The client's snapshot state (SPEC §5a step 2: `$AAM_HOME/state/`, raised under a lock, never
 * lowered) survives a reader killed with SIGKILL at a random instant: the file always parses, its
 * serial never goes down, the next command takes the lock again (stale-lock recovery), and a roll-back
 * to an older signed snapshot is still refused afterwards (positive control: the current one reads).
 */
import { describe, test, expect } from "bun:test";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { aam, tempDir, removeDir, makePackage, errorName } from "../helpers.ts";
import { killedDuring as killTrial, type KillTrial } from "../helpers/kill_trial.ts";

const TRIALS = 12;

/** Kills `aam <args>` as kill_trial.ts says, timed from taking the state lock. */
function killedDuring(dir: string, args: string[], delayMs: number, fromStart: boolean): Promise<KillTrial> {
  return killTrial(dir, join(dir, ".aam", "state", "snapshot-serials.json.lock"), args, delayMs, fromStart);
}

describe("reliability: the snapshot state under a killed reader", () => {
  test(`a verify killed with SIGKILL while raising the serial (${TRIALS} trials, Node) never loses or lowers it`, async () => {
    const dir = tempDir();
    try {
      const run = (args: string[]) => aam("node", args, { cwd: dir, home: dir });
      const reg = (...p: string[]) => join(dir, "reg", ...p);
      expect(run(["registry", "init", "reg", "--name", "acme", "--default"]).code).toBe(0);
      expect(run(["key", "generate", "--name", "regkey", "--no-passphrase"]).code).toBe(0);
      makePackage(join(dir, "pkg"), "@acme/hello", "1.0.0");
      expect(run(["pkg", "publish", "pkg"]).code).toBe(0);
      expect(run(["registry", "attest", "--key", "regkey", "--all"]).code).toBe(0);
      const fp = JSON.parse(readFileSync(reg("snapshot.json"), "utf8")).signatures[0].key_fingerprint as string;
      expect(run(["registry", "trust", "acme", fp]).code).toBe(0);
      copyFileSync(reg("snapshot.json"), join(dir, "snapshot-1.json"));
      const stored = () => {
        const doc = JSON.parse(readFileSync(join(dir, ".aam", "state", "snapshot-serials.json"), "utf8"));
        const serials = Object.values(doc.registries as Record<string, { serial: number }>).map((e) => e.serial);
        expect(serials.length).toBe(1);
        return serials[0];
      };
      const verify = ["verify", "@acme/hello@1.0.0"];
      expect(run(verify).code).toBe(0);
      expect(stored()).toBe(1);
      let timing = await killedDuring(dir, verify, Infinity, false);
      let seed = 11;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      let killed = 0;
      let underLock = 0;
      for (let t = 0; t < TRIALS; t++) {
        // The maintainer re-signs: serial t + 2. The reader sees it for the first time and raises its state.
        expect(run(["registry", "attest", "--key", "regkey"]).code).toBe(0);
        const before = stored();
        // Two trials in three from taking the lock, drawn over how long it was held (a few ms: the
        // write of one small file); the others from the start, over the whole run.
        const fromStart = t % 3 === 2 || timing.lockedAt < 0;
        const held = Math.max(1, (timing.releasedAt < 0 ? timing.exitedAt : timing.releasedAt) - timing.lockedAt);
        const k = await killedDuring(dir, verify, Math.floor(rnd() * 1.5 * (fromStart ? timing.exitedAt : held)), fromStart);
        if (k.killed) killed++;
        if (k.underLock) underLock++;
        const after = stored(); // parses: written whole or not at all
        expect([before, t + 2]).toContain(after);
        // The next reader takes the lock (a killed holder's lock is stale) and ends at the new serial.
        const next = run(verify);
        expect({ trial: t, code: next.code, error: errorName(next.stderr) }).toEqual({ trial: t, code: 0, error: undefined });
        expect(stored()).toBe(t + 2);
        if (!k.killed) timing = k;
      }
      // The roll-back stays refused after all the kills; the current snapshot still reads.
      copyFileSync(reg("snapshot.json"), join(dir, "snapshot-now.json"));
      copyFileSync(join(dir, "snapshot-1.json"), reg("snapshot.json"));
      const back = run(verify);
      expect({ code: back.code, name: errorName(back.stderr) }).toEqual({ code: 18, name: "StaleMetadata" });
      copyFileSync(join(dir, "snapshot-now.json"), reg("snapshot.json"));
      expect(run(verify).code).toBe(0);
      expect(killed).toBeGreaterThanOrEqual(TRIALS / 3);
      console.log(`state crash trials: ${killed} of ${TRIALS} killed, ${underLock} while holding the state lock`);
    } finally {
      removeDir(dir);
    }
  }, 300_000);
});

/**
 * Crash safety (SPEC §4): publishers killed with SIGKILL at random instants. After every kill the
 * registry must verify clean, keep every version reported published, and take the next publish at once.
 * Longer series: `npx bun scripts/crash_trials.ts --trials 1000 --runtime node,bun,deno`.
 */
import { describe, test, expect } from "bun:test";
import { runCrashTrials, type CrashRuntime } from "../../scripts/crash_trials.ts";

const SERIES: { runtime: CrashRuntime; trials: number }[] = [
  { runtime: "node", trials: 100 },
  { runtime: "bun", trials: 20 },
];

describe("reliability: publish killed at random instants", () => {
  test.each(SERIES)("publishVersion() killed with SIGKILL under $runtime ($trials trials) leaves a registry that verifies and takes the next publish", async ({ runtime, trials }) => {
    const s = await runCrashTrials({ trials, runtime, seed: 7, maxDelayMs: 300, lanes: 2 });
    expect(s.problems).toEqual([]);
    expect(s).toMatchObject({ trials, versionsLost: 0, verifyFailures: 0, nextPublishFailures: 0 });
    // The kill must have landed in most trials (a worker that finished its list was not crashed).
    expect(s.killed).toBeGreaterThanOrEqual(trials * 0.9);
    // Kills must also land after some publishes completed, or nothing is being tested but start-up.
    expect(s.versionsReported).toBeGreaterThan(trials / 4);
  }, 180_000);
});

/**
 * SIGKILL at a chosen instant, for the crash trials: runs `aam <args>` under Node and kills it
 * `delayMs` after `lock` appears (the command took its lock), or after it starts when `fromStart`;
 * Infinity never kills (a timing run). Answers whether it was killed, whether it held the lock then,
 * and when it took and released the lock and exited (ms from the start; -1 when it never did).
 * A kill timed from the start alone mostly lands in start-up for a short write, hence the lock polling.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../helpers.ts";

export interface KillTrial {
  killed: boolean;
  underLock: boolean;
  lockedAt: number;
  releasedAt: number;
  exitedAt: number;
}

export function killedDuring(dir: string, lock: string, args: string[], delayMs: number, fromStart: boolean): Promise<KillTrial> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("node", [join(ROOT, "dist", "cli.js"), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: dir, AAM_HOME: join(dir, ".aam"), NO_COLOR: "1" },
      stdio: "ignore",
    });
    let exited = false;
    let underLock = false;
    let lockedAt = -1;
    let releasedAt = -1;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const kill = () => {
      underLock = existsSync(lock);
      if (!exited) child.kill("SIGKILL");
    };
    const poll = setInterval(() => {
      const held = existsSync(lock);
      if (lockedAt < 0 && held) lockedAt = Date.now() - started;
      if (lockedAt >= 0 && releasedAt < 0 && !held) releasedAt = Date.now() - started;
      if (timer === undefined && delayMs !== Infinity && (fromStart || lockedAt >= 0)) timer = setTimeout(kill, delayMs);
    }, 1);
    child.on("exit", (_code, signal) => {
      exited = true;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      resolve({ killed: signal === "SIGKILL", underLock: signal === "SIGKILL" && underLock, lockedAt, releasedAt, exitedAt: Date.now() - started });
    });
  });
}

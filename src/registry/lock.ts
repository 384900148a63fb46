/**
 * The registry-wide write lock (SPEC §4): a file created exclusively, holding pid, host and time.
 * A lock whose holder is dead (same host) or that is older than STALE_MS is taken over.
 */
import { AamError } from "../errors.ts";
import { fs, proc } from "../runtime/index.ts";

export const STALE_MS = 5 * 60 * 1000;

export interface LockOptions {
  /** How long to wait for a held lock before giving up. */
  timeoutMs?: number;
  now?: () => number;
}

interface LockInfo {
  pid: number;
  host: string;
  time: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isStale(info: LockInfo | null, now: number): boolean {
  if (info === null) return true; // unreadable or torn: its writer died mid-write
  if (now - info.time > STALE_MS) return true;
  return info.host === proc.hostname() && !proc.isProcessAlive(info.pid);
}

async function readLock(path: string): Promise<LockInfo | null | "absent"> {
  const text = await fs.readTextIfExists(path);
  if (text === null) return "absent";
  try {
    const v = JSON.parse(text);
    return typeof v.pid === "number" && typeof v.time === "number" ? (v as LockInfo) : null;
  } catch {
    return null; // torn write
  }
}

const TAKEOVER_STALE_MS = 10_000;

/**
 * Removes a stale lock. Only the holder of `<lock>.takeover` may remove it, and only while it still holds
 * the same stale content, so two processes recovering at once never delete a fresh lock.
 */
async function takeOverStale(path: string, seen: LockInfo | null, now: () => number): Promise<void> {
  const guard = `${path}.takeover`;
  if (!(await fs.createExclusive(guard, String(proc.pid())))) {
    const st = await fs.stat(guard);
    // A recoverer that died mid-takeover leaves its guard behind; it is short-lived otherwise.
    if (st && now() - st.mtimeMs > TAKEOVER_STALE_MS) await fs.remove(guard);
    return;
  }
  try {
    const again = await readLock(path);
    if (again !== "absent" && JSON.stringify(again) === JSON.stringify(seen)) await fs.remove(path);
  } finally {
    await fs.remove(guard);
  }
}

/** Runs `fn` while holding the lock file at `path`. */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeout = opts.timeoutMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const start = now();
  let delay = 5;
  const body = () => JSON.stringify({ pid: proc.pid(), host: proc.hostname(), time: now() });
  for (;;) {
    if (await fs.createExclusive(path, body())) break;
    const info = await readLock(path);
    if (info !== "absent" && isStale(info, now())) {
      await takeOverStale(path, info, now);
      continue;
    }
    if (now() - start > timeout) {
      const holder = info !== "absent" && info !== null ? `process ${info.pid} on ${info.host} since ${new Date(info.time).toISOString()}` : "another process";
      throw new AamError("Error", `Cannot lock the registry: held by ${holder}`, {
        file: path,
        hint: `wait for the other publish to finish; if no aam process is running, delete "${path}"`,
      });
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 200);
  }
  try {
    return await fn();
  } finally {
    await fs.remove(path);
  }
}

/**
 * The registry-wide write lock (SPEC §4): a file created exclusively, holding pid, host and time.
 * A lock whose holder is dead (same host) is taken over at once; one older than STALE_MS (any host)
 * too. Waiting is bounded, with jittered backoff, and ends in an error naming the holder.
 *
 * The lock's content is written before the lock appears (fs.createExclusiveComplete: temp file,
 * then link), so a reader never sees a half-written lock and mistakes a live holder for a dead one.
 */
import { AamError } from "../errors.ts";
import { fs, proc } from "../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export const STALE_MS = 5 * 60 * 1000;
/** A takeover guard is held for a few file operations; one older than this was left by a killed process. */
const TAKEOVER_STALE_MS = 10_000;
/** Unreadable lock content can only come from a hand edit or an old writer; give it this long first. */
const UNREADABLE_STALE_MS = 2_000;
/** Leftover temp files of lock candidates are swept when their writer is dead or they are this old. */
const CANDIDATE_STALE_MS = 60_000;

export interface LockOptions {
  /** How long to wait for a held lock before giving up (default: $AAM_LOCK_TIMEOUT_MS, else 60 s). */
  timeoutMs?: number;
  now?: () => number;
}

interface LockInfo {
  pid: number;
  host: string;
  time: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text);
    return typeof v === "object" && v !== null && typeof v.pid === "number" && typeof v.time === "number"
      ? { pid: v.pid, host: String(v.host ?? ""), time: v.time }
      : null;
  } catch {
    return null;
  }
}

/** The lock's raw text and what it says; "absent" when there is no lock. */
async function readLock(path: string): Promise<{ text: string; info: LockInfo | null; mtimeMs: number } | "absent"> {
  const [text, st] = await Promise.all([fs.readTextIfExists(path, DOCUMENT_LIMIT), fs.stat(path)]);
  if (text === null || st === null) return "absent";
  return { text, info: parseLock(text), mtimeMs: st.mtimeMs };
}

function holderIsGone(info: LockInfo): boolean {
  return info.host === proc.hostname() && !proc.isProcessAlive(info.pid);
}

function isStale(lock: { info: LockInfo | null; mtimeMs: number }, now: number): boolean {
  if (lock.info === null) return now - lock.mtimeMs > UNREADABLE_STALE_MS;
  // The holder's own clock wrote `time`; the file's mtime guards against a far-future `time`.
  if (now - Math.min(lock.info.time, lock.mtimeMs) > STALE_MS) return true;
  return holderIsGone(lock.info);
}

/**
 * Removes a stale lock. Only the holder of `<lock>.takeover` may remove it, and only while it still
 * holds the same stale text, so two processes recovering at once never delete a fresh lock.
 */
async function takeOverStale(path: string, seenText: string, now: () => number): Promise<void> {
  const guard = `${path}.takeover`;
  const body = JSON.stringify({ pid: proc.pid(), host: proc.hostname(), time: now() });
  if (!(await fs.createExclusiveComplete(guard, body))) {
    const g = await readLock(guard);
    // A recoverer killed mid-takeover leaves its guard behind; otherwise a guard lives for milliseconds.
    if (g !== "absent" && ((g.info !== null && holderIsGone(g.info)) || now() - g.mtimeMs > TAKEOVER_STALE_MS)) {
      await removeIfUnchanged(guard, g.text);
    }
    return;
  }
  try {
    const again = await readLock(path);
    if (again !== "absent" && again.text === seenText) await fs.remove(path);
  } finally {
    await removeIfUnchanged(guard, body);
  }
}

async function removeIfUnchanged(path: string, text: string): Promise<void> {
  if ((await fs.readTextIfExists(path, DOCUMENT_LIMIT)) === text) await fs.remove(path);
}

/** Removes temp files of lock candidates whose writer was killed between writing and linking them. */
async function sweepCandidates(path: string, now: number): Promise<void> {
  const dir = fs.path.dirname(path);
  const prefix = `.${fs.path.basename(path)}.`;
  for (const e of await fs.readDirIfExists(dir)) {
    if (!e.name.startsWith(prefix) || !fs.isTempName(e.name)) continue;
    const p = fs.path.join(dir, e.name);
    const pid = fs.tempNamePid(e.name);
    const st = await fs.stat(p);
    if (st === null) continue;
    if ((pid !== null && !proc.isProcessAlive(pid)) || now - st.mtimeMs > CANDIDATE_STALE_MS) await fs.remove(p);
  }
}

/** `AAM_LOCK_TIMEOUT_MS`: a longer wait for slow shared folders, a shorter one for scripts and tests. */
function envTimeout(): number | undefined {
  const v = Number(proc.env("AAM_LOCK_TIMEOUT_MS"));
  return Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** True for the temp files the lock itself writes in the registry root; other writers leave them alone. */
export function isLockCandidate(name: string, lockFile: string): boolean {
  return name.startsWith(`.${lockFile}.`) && fs.isTempName(name);
}

/**
 * Runs `fn` while holding the lock file at `path`.
 * @throws {AamError} Error when the lock is still held by a live process after `timeoutMs`
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const timeout = opts.timeoutMs ?? envTimeout() ?? 60_000;
  const now = opts.now ?? Date.now;
  const start = now();
  let delay = 5;
  let body = "";
  for (;;) {
    body = JSON.stringify({ pid: proc.pid(), host: proc.hostname(), time: now() });
    if (await fs.createExclusiveComplete(path, body)) break;
    const lock = await readLock(path);
    if (lock !== "absent" && isStale(lock, now())) {
      await takeOverStale(path, lock.text, now);
      continue;
    }
    if (now() - start > timeout) {
      const info = lock === "absent" ? null : lock.info;
      const holder = info ? `process ${info.pid} on ${info.host} since ${new Date(info.time).toISOString()}` : "another process";
      throw new AamError("Error", `Cannot lock the registry: held by ${holder}`, {
        file: path,
        hint: `wait for the other write to finish and try again; if no aam process is running, delete "${path}"`,
      });
    }
    if (lock === "absent") continue; // released between our attempt and our look: try again at once
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
  try {
    await sweepCandidates(path, now());
    return await fn();
  } finally {
    // Release only our own lock: after a (wrongful) takeover by time it belongs to someone else.
    await removeIfUnchanged(path, body);
  }
}

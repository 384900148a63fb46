import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { fs, proc } from "../runtime/index.ts";
import { AamError } from "../errors.ts";
import { withLock, isLockCandidate, STALE_MS } from "./lock.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

let dir: string;
let lock: string;
beforeEach(async () => {
  dir = await fs.makeTempDir("aam-lock-");
  lock = fs.path.join(dir, ".aam-registry.lock");
});
afterEach(async () => await fs.remove(dir));

const DEAD_PID = 2 ** 22 + 4321; // above Linux's pid_max default, so never alive
const write = (p: string, s: string) => fs.writeFileAtomic(p, s);

describe("withLock()", () => {
  test("withLock() never lets two holders overlap (40 contenders in one process)", async () => {
    let inside = 0;
    let maxInside = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        withLock(lock, async () => {
          maxInside = Math.max(maxInside, ++inside);
          await new Promise((r) => setTimeout(r, 1));
          inside--;
          done++;
        }),
      ),
    );
    expect({ maxInside, done }).toEqual({ maxInside: 1, done: 40 });
    expect(await fs.stat(lock)).toBeNull();
  });

  test("withLock() records pid, host and time in the lock while held", async () => {
    const seen = await withLock(lock, async () => JSON.parse((await fs.readTextIfExists(lock, DOCUMENT_LIMIT))!));
    expect(seen).toMatchObject({ pid: proc.pid(), host: proc.hostname(), time: expect.any(Number) });
  });

  test("withLock() takes over at once a lock whose holder is dead on this host", async () => {
    await write(lock, JSON.stringify({ pid: DEAD_PID, host: proc.hostname(), time: Date.now() }));
    const started = Date.now();
    expect(await withLock(lock, async () => "ran", { timeoutMs: 10_000 })).toBe("ran");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test("withLock() takes over a lock older than STALE_MS from another host", async () => {
    await write(lock, JSON.stringify({ pid: 1, host: "elsewhere", time: Date.now() - STALE_MS - 1000 }));
    const st = await fs.stat(lock);
    // mtime is recent, so the lock only looks old to a clock moved past STALE_MS.
    const now = () => st!.mtimeMs + STALE_MS + 1000;
    expect(await withLock(lock, async () => "ran", { timeoutMs: 1_000, now })).toBe("ran");
  });

  test("withLock() throws Error naming the holder when a live holder keeps the lock past the timeout", async () => {
    await write(lock, JSON.stringify({ pid: proc.pid(), host: proc.hostname(), time: Date.now() }));
    let err: unknown;
    try {
      await withLock(lock, async () => "ran", { timeoutMs: 100 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AamError);
    expect(err).toMatchObject({ code: "Error", details: { file: lock, hint: expect.any(String) } });
    expect((err as AamError).message).toContain(String(proc.pid()));
    expect(await fs.readTextIfExists(lock, DOCUMENT_LIMIT)).not.toBeNull(); // someone else's lock stays
  });

  test("withLock() leaves unreadable lock content alone at first, then treats it as stale", async () => {
    await write(lock, "{torn");
    await expect(withLock(lock, async () => "ran", { timeoutMs: 50 })).rejects.toMatchObject({ code: "Error" });
    const st = await fs.stat(lock);
    expect(await withLock(lock, async () => "ran", { timeoutMs: 1_000, now: () => st!.mtimeMs + 5_000 })).toBe("ran");
  });

  test("withLock() does not remove a lock that another process took over while it held it", async () => {
    const other = JSON.stringify({ pid: proc.pid(), host: "other", time: Date.now() });
    await withLock(lock, async () => {
      await write(lock, other);
    });
    expect(await fs.readTextIfExists(lock, DOCUMENT_LIMIT)).toBe(other);
  });

  test("withLock() sweeps lock candidates left by dead processes but keeps other files", async () => {
    const dead = fs.path.join(dir, `..aam-registry.lock.${DEAD_PID}.0123456789ab.tmp`);
    const other = fs.path.join(dir, "index.yaml");
    await write(dead, "x");
    await write(other, "x");
    await withLock(lock, async () => {});
    expect(await fs.stat(dead)).toBeNull();
    expect(await fs.stat(other)).not.toBeNull();
  });
});

describe("isLockCandidate()", () => {
  test("isLockCandidate() answers true only for the lock's own temp files", () => {
    expect(isLockCandidate("..aam-registry.lock.123.abcdef012345.tmp", ".aam-registry.lock")).toBe(true);
    expect(isLockCandidate(".index.yaml.123.abcdef012345.tmp", ".aam-registry.lock")).toBe(false);
    expect(isLockCandidate(".aam-registry.lock", ".aam-registry.lock")).toBe(false);
  });
});

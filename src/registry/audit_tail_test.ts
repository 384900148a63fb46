import { describe, test, expect, beforeEach, afterEach } from "bun:test";
import { INDEX_LIMIT } from "../read_limits.ts";
import { fs } from "../runtime/index.ts";
import { appendEvents, verifyAuditChain } from "./audit_log.ts";
import { applyAuditAppend, planAuditAppend } from "./audit_tail.ts";
import { catchAamError } from "../../test/helpers/errors.ts";

let dir: string;
let log: string;
beforeEach(async () => {
  dir = await fs.makeTempDir("aam-audit-tail-");
  log = fs.path.join(dir, "audit.log");
});
afterEach(async () => await fs.remove(dir));

const now = new Date("2026-11-21T10:00:00Z");
const ev = (version: string, details: Record<string, unknown> = {}) => ({ event: "package.publish", package: "@a/b", version, actor: "t", details });

/** A log of `n` events written the whole-text way: what the tail must continue exactly. */
function wholeLog(n: number, details: Record<string, unknown> = {}): string {
  return appendEvents("", Array.from({ length: n }, (_, i) => ev(`1.0.${i}`, details)), now);
}

async function appendViaTail(version: string): Promise<void> {
  await applyAuditAppend(log, await planAuditAppend(log, [ev(version)], now));
}

describe("planAuditAppend()", () => {
  test("planAuditAppend() continues the chain exactly as appending to the whole text does", async () => {
    for (const n of [0, 1, 3000]) {
      await fs.writeFileAtomic(log, wholeLog(n));
      await appendViaTail("9.9.9");
      const text = await fs.readText(log, INDEX_LIMIT);
      expect(text).toBe(appendEvents(wholeLog(n), [ev("9.9.9")], now));
      expect(verifyAuditChain(text)).toEqual({ ok: true, events: n + 1 });
    }
  });

  test("planAuditAppend() reads only the tail: the text it plans does not depend on the log's length", async () => {
    await fs.writeFileAtomic(log, wholeLog(20_000)); // ~4 MiB
    const plan = await planAuditAppend(log, [ev("9.9.9")], now);
    expect(plan.offset).toBe((await fs.stat(log))!.size);
    expect(JSON.parse(plan.text).seq).toBe(20_001);
  });

  test("planAuditAppend() finds a last line longer than the first tail it reads (up to 1 MiB)", async () => {
    await fs.writeFileAtomic(log, wholeLog(3, { note: "x".repeat(200_000) }));
    await appendViaTail("9.9.9");
    expect(verifyAuditChain(await fs.readText(log, INDEX_LIMIT))).toEqual({ ok: true, events: 4 });
  });

  test("planAuditAppend() adds the missing newline of a log cut mid-line, so the break stays where verify names it", async () => {
    const whole = wholeLog(3);
    await fs.writeFileAtomic(log, whole.slice(0, whole.length - 20));
    await appendViaTail("9.9.9");
    const text = await fs.readText(log, INDEX_LIMIT);
    expect(text.split("\n").length).toBe(5);
    expect(verifyAuditChain(text).ok).toBe(false);
  });
});

describe("applyAuditAppend()", () => {
  test("applyAuditAppend() applied twice (a journal replayed after a crash) appends once", async () => {
    await fs.writeFileAtomic(log, wholeLog(2));
    const plan = await planAuditAppend(log, [ev("9.9.9")], now);
    await applyAuditAppend(log, plan);
    await applyAuditAppend(log, plan);
    expect(await fs.readText(log, INDEX_LIMIT)).toBe(appendEvents(wholeLog(2), [ev("9.9.9")], now));
  });

  test("applyAuditAppend() refuses a log shorter than when the write began, naming the file", async () => {
    await fs.writeFileAtomic(log, wholeLog(2));
    const plan = await planAuditAppend(log, [ev("9.9.9")], now);
    await fs.writeFileAtomic(log, wholeLog(1));
    const err = await catchAamError(applyAuditAppend(log, plan));
    expect(err.message).toContain("shorter than when the write began");
    expect(await fs.readText(log, INDEX_LIMIT)).toBe(wholeLog(1));
  });
});

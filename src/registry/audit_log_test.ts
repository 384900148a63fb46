import { describe, test, expect } from "bun:test";
import { appendEvents, verifyAuditChain, parseAuditEvents, GENESIS } from "./audit_log.ts";

const now = new Date("2026-11-21T10:00:00Z");
const ev = (event: string, version: string) => ({ event, package: "@a/b", version, actor: "t", details: {} });

function threeLines(): string {
  return appendEvents(appendEvents("", [ev("package.publish", "1.0.0")], now), [ev("tag.set", "1.0.0"), ev("version.yank", "1.0.0")], now);
}

describe("audit log", () => {
  test("appendEvents() chains each line to the hash of the previous one, starting from 64 zeros", () => {
    const text = threeLines();
    const events = parseAuditEvents(text);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[0].prev).toBe(GENESIS);
    expect(events[1].prev).not.toBe(GENESIS);
    expect(verifyAuditChain(text)).toEqual({ ok: true, events: 3 });
  });

  test("verifyAuditChain() names the first edited line", () => {
    const lines = threeLines().split("\n");
    lines[1] = lines[1].replace('"tag.set"', '"tag.remove"');
    const r = verifyAuditChain(lines.join("\n"));
    expect(r.ok).toBe(false);
    expect(r.brokenLine).toBe(3); // line 2's bytes changed, so line 3's prev no longer matches
  });

  test("verifyAuditChain() catches reordered lines", () => {
    const lines = threeLines().trimEnd().split("\n");
    const r = verifyAuditChain([lines[0], lines[2], lines[1]].join("\n") + "\n");
    expect(r).toMatchObject({ ok: false, brokenLine: 2 });
  });

  test("verifyAuditChain() catches a deleted line and a truncated last line", () => {
    const lines = threeLines().trimEnd().split("\n");
    expect(verifyAuditChain([lines[0], lines[2]].join("\n") + "\n")).toMatchObject({ ok: false, brokenLine: 2 });
    const text = threeLines();
    expect(verifyAuditChain(text.slice(0, -10)).ok).toBe(false);
  });

  test("verifyAuditChain() accepts an empty log", () => {
    expect(verifyAuditChain("")).toEqual({ ok: true, events: 0 });
  });
});

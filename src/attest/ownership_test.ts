import { describe, test, expect } from "bun:test";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import type { AuditEvent } from "../registry/audit_log.ts";
import { ownershipMessage } from "./messages.ts";
import { mayChangeOwners, replayOwnership, signTransfer, verifyTransfer } from "./ownership.ts";

const reg = await generateEd25519();
const alice = await generateEd25519();
const bob = await generateEd25519();
const [R, A, B] = [reg, alice, bob].map((k) => fingerprint(k.publicKey));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

let seq = 0;
const ev = (event: string, details: unknown, pkg = "@acme/tool", version: string | null = null): AuditEvent => ({ seq: ++seq, time: "", event, package: pkg, version, actor: "t", details: details as Record<string, unknown>, prev: "" });

test("ownershipMessage() signs the sorted, comma-joined list", () => {
  expect(text(ownershipMessage("acme", "@acme/tool", ["b", "a", "b"]))).toBe("aam-ownership-v1:acme:@acme/tool:a,b");
  expect(text(ownershipMessage("acme", "@acme/tool", []))).toBe("aam-ownership-v1:acme:@acme/tool:");
  expect(() => ownershipMessage("acme", "@acme/tool", ["a,b"])).toThrow(TypeError);
  expect(() => ownershipMessage("Not A Name", "@acme/tool", [])).toThrow(TypeError);
});

describe("verifyTransfer()", () => {
  test("answers the owners and signer of a good event; refuses another registry, package or list", async () => {
    const d = await signTransfer("acme", "@acme/tool", [B, A], [], reg);
    expect(await verifyTransfer("acme", "@acme/tool", d)).toEqual({ owners: [A, B].sort(), signer: R });
    expect(await verifyTransfer("other", "@acme/tool", d)).toHaveProperty("reason");
    expect(await verifyTransfer("acme", "@acme/else", d)).toEqual({ reason: "signature does not verify" });
    expect(await verifyTransfer("acme", "@acme/tool", { ...d, owners: [A] })).toEqual({ reason: "signature does not verify" });
    expect(await verifyTransfer("acme", "@acme/tool", { ...d, key_fingerprint: A })).toEqual({ reason: "key_fingerprint does not match public_key" });
    expect(await verifyTransfer("acme", "@acme/tool", null)).toHaveProperty("reason");
  });
});

test("mayChangeOwners(): an owner's key, or an attestation key while there are none", () => {
  const keys = new Set([R]);
  expect(mayChangeOwners(R, [], keys)).toBe(true);
  expect(mayChangeOwners(A, [], keys)).toBe(false);
  expect(mayChangeOwners(A.toUpperCase(), [A], keys)).toBe(true);
  expect(mayChangeOwners(R, [A], keys)).toBe(false);
});

describe("replayOwnership()", () => {
  test("applies allowed transfers in order and records publishes under owners", async () => {
    const events = [
      ev("package.publish", {}, "@acme/tool", "1.0.0"),
      ev("ownership.transfer", await signTransfer("acme", "@acme/tool", [A], [], reg)),
      ev("package.publish", {}, "@acme/tool", "1.1.0"),
      ev("ownership.transfer", await signTransfer("acme", "@acme/tool", [A, B], [A], alice)),
      ev("package.publish", {}, "@acme/other", "9.0.0"),
      ev("ownership.transfer", await signTransfer("acme", "@acme/tool", [B], [A, B], bob)),
    ];
    const r = await replayOwnership("acme", "@acme/tool", [], events, new Set([R]));
    expect(r.problems).toEqual([]);
    expect(r.owners).toEqual([B]);
    expect([...r.publishedUnder]).toEqual([["1.1.0", [A]]]);
  });
  test("a transfer by a key not allowed then is not applied and is reported", async () => {
    const bad = ev("ownership.transfer", await signTransfer("acme", "@acme/tool", [B], [A], bob));
    const r = await replayOwnership("acme", "@acme/tool", [A], [bad], new Set([R]));
    expect(r.owners).toEqual([A]);
    expect(r.problems).toEqual([{ seq: bad.seq, reason: `signed by ${B}, which is not an owner's key at that point` }]);
    const first = await replayOwnership("acme", "@acme/tool", [], [ev("ownership.transfer", await signTransfer("acme", "@acme/tool", [A], [], alice))], new Set([R]));
    expect(first.owners).toEqual([]);
    expect(first.problems[0].reason).toContain("not a registry attestation key");
  });
});

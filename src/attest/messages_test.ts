import { describe, test, expect } from "bun:test";
import { createHash } from "node:crypto";
import { attestationMessage, snapshotDigest, snapshotMessage } from "./messages.ts";
import type { Snapshot, UnsignedSnapshot } from "./types.ts";

const HASH = `sha256:${"ab".repeat(32)}`;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const ROOT: UnsignedSnapshot = {
  version: 1,
  registry: "acme",
  serial: 7,
  created_at: "2026-12-01T10:00:00Z",
  expires_at: "2026-12-31T10:00:00Z",
  registry_yaml: `sha256:${"11".repeat(32)}`,
  audit_head: { seq: 12, sha256: "22".repeat(32) },
  bins: { ff: `sha256:${"44".repeat(32)}`, "0a": `sha256:${"33".repeat(32)}` },
};

describe("attestationMessage()", () => {
  test("attestationMessage() is aam-registry-attestation-v1:<registry>:<package>@<version>:<hash>", () => {
    expect(text(attestationMessage("acme", "@author/pkg", "1.0.0", HASH))).toBe(`aam-registry-attestation-v1:acme:@author/pkg@1.0.0:${HASH}`);
  });
  test("attestationMessage() differs for another registry, package or version (no copying an attestation)", () => {
    const base = text(attestationMessage("acme", "@a/b", "1.0.0", HASH));
    expect(text(attestationMessage("acme2", "@a/b", "1.0.0", HASH))).not.toBe(base);
    expect(text(attestationMessage("acme", "a--b", "1.0.0", HASH))).not.toBe(base);
    expect(text(attestationMessage("acme", "@a/b", "1.0.1", HASH))).not.toBe(base);
  });
  test("attestationMessage() refuses a registry name or package name that could shift the fields", () => {
    expect(() => attestationMessage("acme:@a/b", "c", "1.0.0", HASH)).toThrow(TypeError);
    expect(() => attestationMessage("acme", "@a/b@1.0.0:x", "1.0.0", HASH)).toThrow(TypeError);
    expect(() => attestationMessage("acme", "@a/b", "1.0", HASH)).toThrow(TypeError);
    expect(() => attestationMessage("acme", "@a/b", "1.0.0", "sha256:AB")).toThrow(TypeError);
  });
});

describe("snapshotMessage()", () => {
  test("snapshotMessage() signs the SHA-256 of the RFC 8785 form of the root without signatures", () => {
    // The canonical text written out by hand: members sorted, no whitespace.
    const jcs =
      `{"audit_head":{"seq":12,"sha256":"${"22".repeat(32)}"},"bins":{"0a":"sha256:${"33".repeat(32)}","ff":"sha256:${"44".repeat(32)}"},` +
      `"created_at":"2026-12-01T10:00:00Z","expires_at":"2026-12-31T10:00:00Z","registry":"acme","registry_yaml":"sha256:${"11".repeat(32)}",` +
      `"serial":7,"version":1}`;
    const digest = createHash("sha256").update(jcs, "utf8").digest("hex");
    expect(snapshotDigest(ROOT)).toBe(digest);
    expect(text(snapshotMessage(ROOT))).toBe(`aam-snapshot-v1:${digest}`);
  });
  test("snapshotMessage() ignores the signatures and the member order", () => {
    const signed: Snapshot = { ...ROOT, signatures: [{ key_fingerprint: "55".repeat(32), public_key: "x", signature: "y" }] };
    const reordered = Object.fromEntries(Object.entries(ROOT).reverse()) as unknown as UnsignedSnapshot;
    expect(snapshotDigest(signed)).toBe(snapshotDigest(ROOT));
    expect(snapshotDigest(reordered)).toBe(snapshotDigest(ROOT));
  });
  test("snapshotMessage() changes with every signed field", () => {
    const base = snapshotDigest(ROOT);
    const variants: UnsignedSnapshot[] = [
      { ...ROOT, registry: "acme2" },
      { ...ROOT, serial: 8 },
      { ...ROOT, created_at: "2026-12-01T10:00:01Z" },
      { ...ROOT, expires_at: "2027-01-31T10:00:00Z" },
      { ...ROOT, registry_yaml: `sha256:${"12".repeat(32)}` },
      { ...ROOT, audit_head: { seq: 13, sha256: ROOT.audit_head.sha256 } },
      { ...ROOT, bins: { ...ROOT.bins, "0b": `sha256:${"33".repeat(32)}` } },
    ];
    for (const v of variants) expect(snapshotDigest(v)).not.toBe(base);
  });
});

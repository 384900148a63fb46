import { describe, test, expect } from "bun:test";
import { createHash } from "node:crypto";
import { catchAamError } from "../../test/helpers/errors.ts";
import { parseSnapshot, serializeSnapshot } from "./snapshot_doc.ts";
import type { Snapshot } from "./types.ts";

const PUB = new Uint8Array(32).fill(7);
const PUB64 = btoa(String.fromCharCode(...PUB));
const FP = createHash("sha256").update(PUB).digest("hex");
const SIG64 = btoa(String.fromCharCode(...new Uint8Array(64).fill(9)));
const good = (): Snapshot => ({
  version: 1,
  registry: "acme.example",
  serial: 3,
  created_at: "2026-12-01T10:00:00Z",
  expires_at: "2026-12-31T10:00:00Z",
  registry_yaml: `sha256:${"11".repeat(32)}`,
  audit_head: { seq: 0, sha256: "0".repeat(64) },
  bins: { "0a": `sha256:${"33".repeat(32)}` },
  signatures: [{ key_fingerprint: FP, public_key: PUB64, signature: SIG64 }],
});

describe("parseSnapshot()", () => {
  test("parseSnapshot() reads back what serializeSnapshot() writes", () => {
    expect(parseSnapshot(serializeSnapshot(good()), "snapshot.json")).toEqual(good());
  });

  const cases: [string, (d: any) => void, string][] = [
    ["an unknown top-level field", (d) => (d.note = "x"), "note"],
    ["version 2", (d) => (d.version = 2), "version"],
    ["a registry name with a colon", (d) => (d.registry = "acme:evil"), "registry"],
    ["serial 0", (d) => (d.serial = 0), "serial"],
    ["a fractional serial", (d) => (d.serial = 1.5), "serial"],
    ["a serial past 2^53", (d) => (d.serial = 2 ** 60), "serial"],
    ["a created_at with an offset", (d) => (d.created_at = "2026-12-01T10:00:00+01:00"), "created_at"],
    ["expires_at before created_at", (d) => (d.expires_at = "2026-11-01T10:00:00Z"), "expires_at"],
    ["a bad registry_yaml hash", (d) => (d.registry_yaml = "sha256:xyz"), "registry_yaml"],
    ["a negative audit seq", (d) => (d.audit_head.seq = -1), "audit_head.seq"],
    ["an uppercase audit hash", (d) => (d.audit_head.sha256 = "AB".repeat(32)), "audit_head.sha256"],
    ["an extra audit_head field", (d) => (d.audit_head.x = 1), "audit_head.x"],
    ["a bin id that is a path", (d) => (d.bins["../x"] = d.bins["0a"]), "bins.../x"],
    ["a bin hash that is not a checksum", (d) => (d.bins["0a"] = "00"), "bins.0a"],
    ["a fingerprint of another key", (d) => (d.signatures[0].key_fingerprint = "ab".repeat(32)), "signatures[0].key_fingerprint"],
    ["a 31-byte public key", (d) => (d.signatures[0].public_key = btoa("x".repeat(31))), "signatures[0].public_key"],
    ["a signature of 63 bytes", (d) => (d.signatures[0].signature = btoa("x".repeat(63))), "signatures[0].signature"],
    ["a signature with an extra field", (d) => (d.signatures[0].signed_at = "x"), "signatures[0].signed_at"],
    ["seventeen signatures", (d) => (d.signatures = Array(17).fill(d.signatures[0])), "signatures"],
  ];
  test.each(cases)("parseSnapshot() refuses %s with TamperedPackage and its field path", (_what, mutate, field) => {
    const d = JSON.parse(serializeSnapshot(good()));
    mutate(d);
    const err = catchAamError(() => parseSnapshot(JSON.stringify(d), "snapshot.json"));
    expect(err).toMatchObject({ code: "TamperedPackage", details: { file: "snapshot.json" } });
    expect(err.details.problems!.map((p) => p.path)).toContain(field);
  });

  test("parseSnapshot() refuses base64 that decodes to the key but is spelt another way", () => {
    const d = JSON.parse(serializeSnapshot(good()));
    // "CQ==" and "CR==" both decode to 0x09: the padding bits differ. One signature, one spelling.
    expect(d.signatures[0].signature.endsWith("CQ==")).toBe(true);
    d.signatures[0].signature = d.signatures[0].signature.slice(0, -3) + "R==";
    expect(catchAamError(() => parseSnapshot(JSON.stringify(d), "s")).code).toBe("TamperedPackage");
  });

  test("parseSnapshot() answers only TamperedPackage for any mangled input (seeded)", () => {
    const base = serializeSnapshot(good());
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 500; i++) {
      const chars = [...base];
      for (let j = 0; j < 3; j++) chars[Math.floor(rnd() * chars.length)] = String.fromCharCode(Math.floor(rnd() * 128));
      try {
        parseSnapshot(chars.join(""), "s");
      } catch (e) {
        expect((e as { code?: string }).code).toBe("TamperedPackage");
      }
    }
    for (const t of ["", "null", "[]", '"x"', "{}", "\uFEFF{}"]) expect(catchAamError(() => parseSnapshot(t, "s")).code).toBe("TamperedPackage");
  });
});

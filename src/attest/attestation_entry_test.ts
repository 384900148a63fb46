import { describe, test, expect } from "bun:test";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { parseSigFile, serializeSigFile, type SigFile } from "../signing/sig_file.ts";
import { catchAamError } from "../../test/helpers/errors.ts";
import { createAttestationEntry, verifyAttestationEntry, withAttestation, withoutAttestations, type AttestationSubject } from "./attestation_entry.ts";

const NOW = new Date("2026-12-01T10:00:00Z");
const HASH = `sha256:${"ab".repeat(32)}`;
const SUBJECT: AttestationSubject = { registry: "acme", package: "@a/pkg", version: "1.0.0", packageHash: HASH };
const key = await generateEd25519();
const other = await generateEd25519();
const AUTHOR = {
  algorithm: "ed25519" as const,
  key_fingerprint: "00".repeat(32),
  public_key: "",
  signature: "",
  signed_at: "2026-12-01T10:00:00Z",
};
const base = (): SigFile => ({ version: 1, package: "@a/pkg", package_version: "1.0.0", package_hash: HASH, signatures: [] });

describe("createAttestationEntry() and verifyAttestationEntry()", () => {
  test("an attestation verifies for its registry, package, version and hash", async () => {
    const e = await createAttestationEntry(SUBJECT, key, NOW);
    expect(e).toMatchObject({ algorithm: "registry-attestation", registry: "acme", signed_at: "2026-12-01T10:00:00Z" });
    expect(await verifyAttestationEntry(e, SUBJECT)).toBe(true);
  });

  const copies: [string, Partial<AttestationSubject>][] = [
    ["another registry name", { registry: "acme2" }],
    ["another package", { package: "@a/other" }],
    ["another version", { version: "1.0.1" }],
    ["another archive", { packageHash: `sha256:${"cd".repeat(32)}` }],
  ];
  test.each(copies)("an attestation copied onto %s does not verify", async (_what, change) => {
    const e = await createAttestationEntry(SUBJECT, key, NOW);
    expect(await verifyAttestationEntry(e, { ...SUBJECT, ...change })).toBe(false);
    // Relabelling the entry's registry does not help either: the name is in the signed message.
    if (change.registry) expect(await verifyAttestationEntry({ ...e, registry: change.registry }, { ...SUBJECT, ...change })).toBe(false);
  });

  test("an attestation whose key was swapped for another's does not verify", async () => {
    const e = await createAttestationEntry(SUBJECT, key, NOW);
    const forged = await createAttestationEntry(SUBJECT, other, NOW);
    expect(await verifyAttestationEntry({ ...forged, signature: e.signature }, SUBJECT)).toBe(false);
    expect(await verifyAttestationEntry({ ...e, key_fingerprint: forged.key_fingerprint }, SUBJECT)).toBe(false);
  });
});

describe("attestations in a .sig", () => {
  test("parseSigFile() keeps attestations apart from author signatures and serializeSigFile() writes both", async () => {
    const e = await createAttestationEntry(SUBJECT, key, NOW);
    const text = serializeSigFile(withAttestation(base(), e));
    expect(JSON.parse(text).signatures.map((s: { algorithm: string }) => s.algorithm)).toEqual(["registry-attestation"]);
    const back = parseSigFile(text, "x.sig");
    expect(back.signatures).toEqual([]); // the author pipeline sees an unsigned version
    expect(back.attestations).toEqual([e]);
    expect(await verifyAttestationEntry(back.attestations![0], SUBJECT)).toBe(true);
  });

  test("parseSigFile() refuses an attestation with a bad registry name or a mismatched fingerprint", async () => {
    const e = await createAttestationEntry(SUBJECT, key, NOW);
    const bad1 = serializeSigFile(withAttestation(base(), { ...e, registry: "Acme:x" }));
    expect(catchAamError(() => parseSigFile(bad1, "x.sig"))).toMatchObject({ code: "MalformedSignature", details: { field: "signatures[0].registry" } });
    const bad2 = serializeSigFile(withAttestation(base(), { ...e, key_fingerprint: "11".repeat(32) }));
    expect(catchAamError(() => parseSigFile(bad2, "x.sig")).details.field).toBe("signatures[0].key_fingerprint");
  });

  test("withAttestation() replaces the same registry's entry by the same key and keeps others", async () => {
    const a1 = await createAttestationEntry(SUBJECT, key, NOW);
    const a2 = await createAttestationEntry(SUBJECT, key, new Date("2026-12-02T10:00:00Z"));
    const b = await createAttestationEntry({ ...SUBJECT, registry: "mirror" }, key, NOW);
    const c = await createAttestationEntry(SUBJECT, other, NOW);
    const sig = [a1, b, c, a2].reduce(withAttestation, { ...base(), signatures: [AUTHOR] });
    expect(sig.attestations).toEqual([b, c, a2]);
    expect(sig.signatures).toEqual([AUTHOR]);
  });

  test("withoutAttestations() removes only the named registry's attestations (reject)", async () => {
    const a = await createAttestationEntry(SUBJECT, key, NOW);
    const b = await createAttestationEntry({ ...SUBJECT, registry: "mirror" }, key, NOW);
    const sig = withAttestation(withAttestation({ ...base(), signatures: [AUTHOR] }, a), b);
    expect(withoutAttestations(sig, "acme").attestations).toEqual([b]);
    expect(withoutAttestations(withoutAttestations(sig, "acme"), "mirror")).toEqual({ ...base(), signatures: [AUTHOR] });
  });
});

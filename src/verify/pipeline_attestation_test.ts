/**
 * The pipeline with registry attestations (SPEC §5a, §6 table): an attestation counts only through
 * `VerifyInput.attestation` (a pinned, trusted registry whose snapshot lists the version), never
 * through trusted_keys, never for a loose file, and never when forged or copied.
 */
import { describe, test, expect, beforeAll } from "bun:test";
import { generateEd25519 } from "../signing/ed25519/sign.ts";
import { serializeSigFile, type RegistryAttestationEntry, type SigEntry } from "../signing/sig_file.ts";
import { fingerprint } from "../signing/ed25519/public_key.ts";
import { createAttestationEntry } from "../attest/attestation_entry.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import { verifyPackage, type AttestationPin, type VerifyInput } from "./pipeline.ts";
import { fileInput } from "./inputs.ts";
import { settle, signedPromptPackage, testPolicy } from "../../test/helpers/pipeline_fixtures.ts";

const NOW = new Date("2026-12-01T10:00:00Z");
let archive: Uint8Array;
let checksum: string;
let authorEntry: SigEntry;
let authorFp: string;
let registryKey: { seed: Uint8Array; publicKey: Uint8Array };
let registryFp: string;
let attested: RegistryAttestationEntry;

const policy = (p: Partial<TrustPolicy> = {}): TrustPolicy => testPolicy([authorFp], p);
const pin = (p: Partial<AttestationPin> = {}): AttestationPin => ({ registry: "acme", keys: [registryFp], listed: true, ...p });
const sigOf = (signatures: SigEntry[], attestations: RegistryAttestationEntry[]) =>
  serializeSigFile({ version: 1, package: "@a/p", package_version: "1.0.0", package_hash: checksum, signatures, ...(attestations.length ? { attestations } : {}) });
const input = (p: Partial<VerifyInput> = {}): VerifyInput => ({
  name: "@a/p",
  version: "1.0.0",
  archive,
  expectedChecksum: checksum,
  sigText: sigOf([authorEntry], [attested]),
  files: { archive: "p.aam", sig: "p.sig" },
  attestation: pin(),
  ...p,
});
/** The outcome, or the error code. */
async function result(p: Promise<{ outcome: string }>): Promise<string> {
  const r = await settle(p);
  return "code" in r ? r.code : r.value.outcome;
}

beforeAll(async () => {
  const packed = await signedPromptPackage("@a/p", "1.0.0", NOW);
  archive = packed.bytes;
  checksum = packed.checksum;
  authorFp = packed.fp;
  authorEntry = packed.entry;
  registryKey = await generateEd25519();
  registryFp = fingerprint(registryKey.publicKey);
  attested = await createAttestationEntry({ registry: "acme", package: "@a/p", version: "1.0.0", packageHash: checksum }, registryKey, NOW);
});

// [tra, rra, author: trusted | untrusted | absent, attestation: valid | absent, expected outcome or code]
type Row = [boolean, boolean, "trusted" | "untrusted" | "absent", "valid" | "absent", string];
const TABLE: Row[] = [
  // off/off: as before attestations existed; an attestation changes nothing.
  [false, false, "trusted", "absent", "verified"],
  [false, false, "untrusted", "valid", "UntrustedSigner"],
  [false, false, "absent", "valid", "unsigned"],
  // on/off: either side.
  [true, false, "trusted", "absent", "verified"],
  [true, false, "absent", "valid", "verified"],
  [true, false, "untrusted", "valid", "verified"],
  [true, false, "untrusted", "absent", "UntrustedSigner"],
  [true, false, "absent", "absent", "unsigned"],
  // off/on: both sides.
  [false, true, "trusted", "valid", "verified"],
  [false, true, "trusted", "absent", "SignatureNotFound"],
  [false, true, "untrusted", "valid", "UntrustedSigner"],
  // on/on: the attestation decides; an author signature is optional.
  [true, true, "absent", "valid", "verified"],
  [true, true, "untrusted", "valid", "verified"],
  [true, true, "trusted", "absent", "SignatureNotFound"],
  [true, true, "absent", "absent", "SignatureNotFound"],
];

describe("verifyPackage() with registry attestations", () => {
  test.each(TABLE)("tra %p, rra %p, author %p, attestation %p -> %p", async (tra, rra, author, attestation, expected) => {
    const sigText = sigOf(author === "absent" ? [] : [authorEntry], attestation === "valid" ? [attested] : []);
    const p = policy({ trustRegistryAttestations: tra, requireRegistryAttestation: rra, trustedKeys: author === "trusted" ? [authorFp] : [] });
    expect(await result(verifyPackage(input({ sigText }), p, { now: NOW }))).toBe(expected);
  });

  test("the report lists the attestation with its kind, registry and why it counts", async () => {
    const r = await verifyPackage(input({ sigText: sigOf([], [attested]) }), policy({ trustRegistryAttestations: true }), { now: NOW });
    expect(r.checks).toEqual({ checksum: "passed", identity: "passed", signature: "passed", trust: "passed" });
    expect(r.signers).toEqual([
      { algorithm: "registry-attestation", registry: "acme", key_fingerprint: registryFp, signed_at: "2026-12-01T10:00:00Z", valid: true, trusted: true, trust_reason: 'key is pinned for registry "acme"' },
    ]);
  });

  test("a missing required attestation goes through on_signature_failure; require_signature still makes it an error", async () => {
    const noAttestation = input({ sigText: sigOf([authorEntry], []) });
    const warned = await verifyPackage(noAttestation, policy({ requireRegistryAttestation: true, onSignatureFailure: "warn" }), { now: NOW });
    expect(warned.outcome).toBe("warned");
    expect(warned.warnings[0]).toContain("registry attestation is required");
    expect(await result(verifyPackage(noAttestation, policy({ requireRegistryAttestation: true, onSignatureFailure: "ignore" }), { now: NOW }))).toBe("skipped");
    expect(await result(verifyPackage(noAttestation, policy({ requireRegistryAttestation: true, onSignatureFailure: "warn", requireSignature: true }), { now: NOW }))).toBe("SignatureNotFound");
    // An unsigned, unattested version under require_signature with attestations trusted: still refused.
    expect(await result(verifyPackage(input({ sigText: null }), policy({ trustRegistryAttestations: true, requireSignature: true }), { now: NOW }))).toBe("SignatureNotFound");
    // ... and an attested one is accepted: the attestation is the trusted signature.
    expect(await result(verifyPackage(input({ sigText: sigOf([], [attested]) }), policy({ trustRegistryAttestations: true, requireSignature: true }), { now: NOW }))).toBe("verified");
  });

  describe("an attestation that must not count", () => {
    test("forged with a key not pinned: UntrustedSigner, even when that key is in trusted_keys", async () => {
      const forger = await generateEd25519();
      const forged = await createAttestationEntry({ registry: "acme", package: "@a/p", version: "1.0.0", packageHash: checksum }, forger, NOW);
      const sigText = sigOf([], [forged]);
      const tra = policy({ trustRegistryAttestations: true });
      expect(await result(verifyPackage(input({ sigText }), tra, { now: NOW }))).toBe("UntrustedSigner");
      expect(await result(verifyPackage(input({ sigText }), { ...tra, trustedKeys: [authorFp, fingerprint(forger.publicKey)] }, { now: NOW }))).toBe("UntrustedSigner");
      expect(await result(verifyPackage(input({ sigText }), policy({ trustRegistryAttestations: true, requireRegistryAttestation: true }), { now: NOW }))).toBe("UntrustedSigner");
      const r = await verifyPackage(input({ sigText }), { ...tra, onSignatureFailure: "warn" }, { now: NOW });
      expect(r.outcome).toBe("warned");
      expect(r.signers[0]).toMatchObject({ algorithm: "registry-attestation", valid: true, trusted: false, trust_reason: 'key is not pinned for registry "acme"' });
      // Positive control: the same .sig shape with the pinned key's entry counts.
      expect(await result(verifyPackage(input({ sigText: sigOf([], [attested]) }), tra, { now: NOW }))).toBe("verified");
    });

    test("a registry key in trusted_keys does not make its attestation count without a pin", async () => {
      const p = policy({ trustRegistryAttestations: true, trustedKeys: [registryFp] });
      expect(await result(verifyPackage(input({ sigText: sigOf([], [attested]), attestation: undefined }), p, { now: NOW }))).toBe("UntrustedSigner");
    });

    const copies: [string, { registry?: string; package?: string; version?: string }][] = [
      ["another package", { package: "@a/other" }],
      ["another version", { version: "1.0.1" }],
    ];
    test.each(copies)("copied from %s: not valid (InvalidSignature once attestations count)", async (_what, change) => {
      const elsewhere = await createAttestationEntry({ registry: "acme", package: "@a/p", version: "1.0.0", packageHash: checksum, ...change }, registryKey, NOW);
      const sigText = sigOf([], [elsewhere]);
      expect(await result(verifyPackage(input({ sigText }), policy({ trustRegistryAttestations: true }), { now: NOW }))).toBe("InvalidSignature");
      expect(await result(verifyPackage(input({ sigText }), policy({ requireRegistryAttestation: true, trustRegistryAttestations: true }), { now: NOW }))).toBe("InvalidSignature");
      const r = await verifyPackage(input({ sigText }), policy({ trustRegistryAttestations: true, onSignatureFailure: "warn" }), { now: NOW });
      expect(r.signers[0]).toMatchObject({ algorithm: "registry-attestation", valid: false, trusted: false });
      // Attestations off: the copy is ignored as before, the version reads as unsigned.
      expect(await result(verifyPackage(input({ sigText }), policy(), { now: NOW }))).toBe("unsigned");
    });

    test("copied onto another registry name: relabelled, it does not verify; as it was, it is not the pinned registry's", async () => {
      const other = await createAttestationEntry({ registry: "other", package: "@a/p", version: "1.0.0", packageHash: checksum }, registryKey, NOW);
      const tra = policy({ trustRegistryAttestations: true, onSignatureFailure: "warn" });
      const relabelled = await verifyPackage(input({ sigText: sigOf([], [{ ...other, registry: "acme" }]) }), tra, { now: NOW });
      expect(relabelled.outcome).toBe("warned");
      expect(relabelled.signers[0]).toMatchObject({ registry: "acme", valid: false });
      const asIs = await verifyPackage(input({ sigText: sigOf([], [other]) }), tra, { now: NOW });
      expect(asIs.outcome).toBe("warned");
      expect(asIs.signers[0]).toMatchObject({ registry: "other", valid: true, trusted: false, trust_reason: 'made for registry "other", not the pinned "acme"' });
      expect(await result(verifyPackage(input({ sigText: sigOf([], [other]) }), policy({ trustRegistryAttestations: true }), { now: NOW }))).toBe("UntrustedSigner");
    });

    test("a version the snapshot does not list (pending, rejected): not counted", async () => {
      const sigText = sigOf([], [attested]);
      const unlisted = input({ sigText, attestation: pin({ listed: false }) });
      expect(await result(verifyPackage(unlisted, policy({ trustRegistryAttestations: true }), { now: NOW }))).toBe("unsigned");
      expect(await result(verifyPackage(unlisted, policy({ trustRegistryAttestations: true, requireSignature: true }), { now: NOW }))).toBe("SignatureNotFound");
      expect(await result(verifyPackage(unlisted, policy({ trustRegistryAttestations: true, requireRegistryAttestation: true }), { now: NOW }))).toBe("SignatureNotFound");
      const r = await verifyPackage(unlisted, policy({ trustRegistryAttestations: true }), { now: NOW });
      expect(r.signers[0]).toMatchObject({ valid: true, trusted: false });
      expect(r.signers[0].trust_reason).toContain("does not list this version");
    });

    test("a revoked pinned key: not counted", async () => {
      expect(await result(verifyPackage(input({ sigText: sigOf([], [attested]) }), policy({ trustRegistryAttestations: true, revokedKeys: [registryFp] }), { now: NOW }))).toBe("UntrustedSigner");
    });

    test("verify --file never counts an attestation", async () => {
      const loose = fileInput({ name: "@a/p", version: "1.0.0" }, archive, sigOf([], [attested]), { archive: "p.aam", sig: "p.sig" }, { publicKeys: [], managedKeys: [], verifyTransparencyLog: true });
      expect(loose.attestation).toBeUndefined();
      expect(await result(verifyPackage(loose, policy({ trustRegistryAttestations: true }), { now: NOW }))).toBe("UntrustedSigner");
      expect(await result(verifyPackage(loose, policy({ trustRegistryAttestations: true, requireRegistryAttestation: true }), { now: NOW }))).toBe("UntrustedSigner");
      expect(await result(verifyPackage(loose, policy(), { now: NOW }))).toBe("unsigned");
    });
  });
});

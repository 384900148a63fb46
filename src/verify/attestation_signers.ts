/**
 * The `registry-attestation` entries of a `.sig` at steps 5 and 6 (SPEC §5a, §6): does each verify
 * for this package, version and archive, and does it count? It counts only through a registry's
 * pin (`VerifyInput.attestation`, set by a read path after the snapshot checks passed), never
 * through `security.trusted_keys`, and never without a pin (a loose file, an unpinned registry).
 */
import type { RegistryAttestationEntry } from "../signing/sig_file.ts";
import type { AttestationState } from "../trust/attestation_table.ts";
import { normalizeFingerprint } from "../trust/policy.ts";

/** A registry pinned and trusted by this machine, after its snapshot checks passed (the pipeline's contract with the read paths). */
export interface AttestationPin {
  /** The pinned signed registry name. */
  registry: string;
  /** The pinned attestation key fingerprints (lowercase hex). */
  keys: string[];
  /** The valid snapshot lists this version and does not reject it. */
  listed: boolean;
}

/** One attestation as the report shows it: the signer fields of author entries, plus `registry`. */
export interface AttestationReport {
  algorithm: "registry-attestation";
  registry: string;
  key_fingerprint: string;
  signed_at: string;
  valid: boolean;
  reason?: string;
  trusted: boolean;
  trust_reason: string;
}

export interface AttestationVerdict {
  reports: AttestationReport[];
  /** The registry side of SPEC §6's table. */
  state: AttestationState;
  /** Some entry's signature does not verify for this package, version and archive (forged, or copied from another). */
  anyInvalid: boolean;
}

const NOT_PINNED = "attestations count only for a registry pinned with `aam registry trust` and listed in security.trusted_registries";

/**
 * Checks each attestation against this version (`packageHash` is the archive's, from step 1) and
 * the pin. An entry names its own registry; verifying against that name means an entry whose name
 * was edited (copied onto another registry) does not verify.
 */
export async function checkAttestations(
  entries: readonly RegistryAttestationEntry[],
  subject: { package: string; version: string; packageHash: string },
  pin: AttestationPin | undefined,
  revokedKeys: readonly string[],
): Promise<AttestationVerdict> {
  const reports: AttestationReport[] = [];
  let state: AttestationState = "absent";
  for (const e of entries) {
    // Loaded only for a .sig that carries attestations (JCS, snapshot messages): most carry none.
    const { verifyAttestationEntry } = await import("../attest/attestation_entry.ts");
    const valid = await verifyAttestationEntry(e, { registry: e.registry, ...subject });
    const base = { algorithm: "registry-attestation" as const, registry: e.registry, key_fingerprint: e.key_fingerprint, signed_at: e.signed_at, valid };
    if (!valid) {
      reports.push({ ...base, reason: "signature does not verify for this registry, package, version and archive", trusted: false, trust_reason: "not valid" });
      continue;
    }
    const t = judge(e, pin, revokedKeys);
    reports.push({ ...base, trusted: t.trusted, trust_reason: t.reason });
    if (t.trusted) state = "valid";
    else if (t.untrusted && state === "absent") state = "untrusted";
  }
  return { reports, state, anyInvalid: reports.some((r) => !r.valid) };
}

/** Step 6 for one valid attestation. `untrusted`: the signer is not one this machine pinned (UntrustedSigner); otherwise it is pinned but cannot count for this version yet. */
function judge(e: RegistryAttestationEntry, pin: AttestationPin | undefined, revokedKeys: readonly string[]): { trusted: boolean; untrusted: boolean; reason: string } {
  if (pin === undefined) return { trusted: false, untrusted: true, reason: NOT_PINNED };
  if (e.registry !== pin.registry) return { trusted: false, untrusted: true, reason: `made for registry "${e.registry}", not the pinned "${pin.registry}"` };
  const fp = normalizeFingerprint(e.key_fingerprint);
  if (!pin.keys.some((k) => normalizeFingerprint(k) === fp)) return { trusted: false, untrusted: true, reason: `key is not pinned for registry "${pin.registry}"` };
  if (revokedKeys.some((k) => normalizeFingerprint(k) === fp)) return { trusted: false, untrusted: true, reason: "key is revoked (security.revoked_keys)" };
  if (!pin.listed) return { trusted: false, untrusted: false, reason: `registry "${pin.registry}"'s snapshot does not list this version (pending, or rejected)` };
  return { trusted: true, untrusted: false, reason: `key is pinned for registry "${pin.registry}"` };
}

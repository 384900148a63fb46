/**
 * `registry-attestation` entries of a `.sig` (SPEC §5a): the registry's Ed25519 signature over
 * `aam-registry-attestation-v1:<registry>:<package>@<version>:<package_hash>`. Whether an entry
 * counts is decided by the registry's pinned keys and its snapshot, never by the entry's key.
 */
import { fromBase64, toBase64 } from "../encoding/base64.ts";
import { isoSeconds } from "../encoding/iso_seconds.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import { signChecked } from "../signing/ed25519/sign_checked.ts";
import { verifyEd25519 } from "../signing/ed25519/verify.ts";
import type { RegistryAttestationEntry, SigFile } from "../signing/sig_file.ts";
import { attestationMessage } from "./messages.ts";

export interface AttestationSubject {
  registry: string;
  package: string;
  version: string;
  /** `sha256:<hex>` of the archive. */
  packageHash: string;
}

/**
 * Signs an attestation with an attestation key (checked and verified before it is returned, see signChecked).
 * @throws {AamError} Error for a weak or inconsistent key. TypeError for an invalid subject.
 */
export async function createAttestationEntry(subject: AttestationSubject, key: { seed: Uint8Array; publicKey: Uint8Array }, now: Date): Promise<RegistryAttestationEntry> {
  const message = attestationMessage(subject.registry, subject.package, subject.version, subject.packageHash);
  const signature = await signChecked(key.seed, key.publicKey, message);
  return {
    algorithm: "registry-attestation",
    registry: subject.registry,
    key_fingerprint: fingerprint(key.publicKey),
    public_key: toBase64(key.publicKey),
    signature: toBase64(signature),
    signed_at: isoSeconds(now),
  };
}

/**
 * Does the entry's signature verify for this registry, package, version and hash? An entry made
 * for another registry name, package, version or archive answers false (it was copied). It does not
 * say whether the key is trusted: that is the pinned keys' business.
 */
export async function verifyAttestationEntry(entry: RegistryAttestationEntry, subject: AttestationSubject): Promise<boolean> {
  if (entry.registry !== subject.registry) return false;
  const pub = fromBase64(entry.public_key);
  const sig = fromBase64(entry.signature);
  if (!pub || !sig || pub.length !== 32 || fingerprint(pub) !== entry.key_fingerprint.toLowerCase()) return false;
  return await verifyEd25519(pub, attestationMessage(subject.registry, subject.package, subject.version, subject.packageHash), sig);
}

/** The `.sig` with `entry` added; an earlier attestation by the same registry and key is replaced. */
export function withAttestation(sig: SigFile, entry: RegistryAttestationEntry): SigFile {
  const rest = (sig.attestations ?? []).filter((a) => !(a.registry === entry.registry && a.key_fingerprint === entry.key_fingerprint));
  return { ...sig, attestations: [...rest, entry] };
}

/** The `.sig` without the attestations of `registry` (what `aam registry reject` does). */
export function withoutAttestations(sig: SigFile, registry: string): SigFile {
  const rest = (sig.attestations ?? []).filter((a) => a.registry !== registry);
  const out: SigFile = { ...sig };
  if (rest.length > 0) out.attestations = rest;
  else delete out.attestations;
  return out;
}

/**
 * Managed-key Sigstore bundles (SPEC §5: `cosign sign-blob --key … --bundle`): the bundle carries
 * no certificate, only a hint naming the key (cosign: base64 of the SHA-256 of the key's
 * SubjectPublicKeyInfo DER). The verifier supplies the key; its fingerprint, SPEC §5's lowercase
 * hex SHA-256 of that DER, is what `trusted_keys` holds. Pure apart from hashing.
 */
import { publicKeyDerFromPem } from "../../encoding/pem.ts";
import { sha256Hex } from "../../encoding/sha256.ts";
import { fromHex } from "../../encoding/hex.ts";
import { toBase64 } from "../../encoding/base64.ts";

export interface ManagedKey {
  /** SubjectPublicKeyInfo DER. */
  der: Uint8Array;
  /** Lowercase hex SHA-256 of `der` (SPEC §5). */
  fingerprint: string;
  /** Where the key came from, for messages. */
  source: string;
}

/** @throws {AamError} UsageError when `pem` holds no PEM public key. */
export function managedKeyFromPem(pem: string, source: string): ManagedKey {
  const der = publicKeyDerFromPem(pem, source);
  return { der, fingerprint: sha256Hex(der), source };
}

/**
 * Answers whether a bundle's key hint names another key than `key`: a hint in cosign's form (the
 * base64 or hex SHA-256 of a DER key) that is not this key's. An empty hint, or one in a form we
 * do not know, names nothing; then the signature alone decides.
 */
export function hintNamesOtherKey(hint: string, key: ManagedKey): boolean {
  if (hint === "") return false;
  const b64 = toBase64(fromHex(key.fingerprint));
  if (hint === b64 || hint.toLowerCase() === key.fingerprint) return false;
  return /^[A-Za-z0-9+/]{43}=$/.test(hint) || /^[0-9a-fA-F]{64}$/.test(hint);
}

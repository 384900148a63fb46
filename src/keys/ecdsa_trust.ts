/**
 * `aam key trust <pub.pem>` for the ECDSA keys of managed-key Sigstore bundles (SPEC §5: P-256 and
 * P-384, as `cosign generate-key-pair` makes them): checks the key is one, stores it as
 * `$AAM_HOME/keys/<fingerprint>.sigstore.pem` so `sigstore` entries signed with it can be checked
 * offline, and answers its fingerprint (hex SHA-256 of the SPKI DER) for `security.trusted_keys`.
 * As for OpenPGP keys, trust is the fingerprint; the stored key only lets signatures be checked.
 */
import { AamError } from "../errors.ts";
import { managedKeyFromPem } from "../signing/sigstore/managed_key.ts";
import { publicKeyDerToPem } from "../encoding/pem.ts";
import { MANAGED_KEY_EXT, writePublicKeyFile } from "./store.ts";

export interface TrustedEcdsaKey {
  fingerprint: string;
  curve: "P-256" | "P-384";
  file: string;
}

/** The key's curve, when WebCrypto reads the DER as an ECDSA P-256 or P-384 public key; else null. */
async function ecdsaCurve(der: Uint8Array): Promise<TrustedEcdsaKey["curve"] | null> {
  for (const namedCurve of ["P-256", "P-384"] as const) {
    try {
      await crypto.subtle.importKey("spki", new Uint8Array(der), { name: "ECDSA", namedCurve }, true, ["verify"]);
      return namedCurve;
    } catch {
      // not this curve (or not an EC key): try the next one, then refuse
    }
  }
  return null;
}

/** @throws {AamError} UsageError when `pem` is not an ECDSA P-256 or P-384 public key. */
export async function trustEcdsaKey(home: string, pem: string, path: string): Promise<TrustedEcdsaKey> {
  const key = managedKeyFromPem(pem, path);
  const curve = await ecdsaCurve(key.der);
  if (!curve) {
    throw new AamError("UsageError", `Cannot trust "${path}": it is neither an Ed25519 nor an ECDSA P-256/P-384 public key`, {
      file: path,
      hint: "aam key trust takes an Ed25519 PEM public key, an ECDSA P-256/P-384 PEM public key (cosign.pub), an armoured OpenPGP public key, or a fingerprint",
    });
  }
  // Stored in a canonical form (our own PEM of the DER), whatever the given file's layout.
  const file = await writePublicKeyFile(home, key.fingerprint, publicKeyDerToPem(key.der), MANAGED_KEY_EXT);
  return { fingerprint: key.fingerprint, curve, file };
}

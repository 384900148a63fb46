/** Ed25519 key fingerprints (SPEC §5), apart from public_key.ts so verification need not load its curve arithmetic. */
import { sha256Hex } from "../../encoding/sha256.ts";

/**
 * The key's fingerprint (SPEC §5): lowercase hex SHA-256 of the 32 raw public key bytes.
 * @throws {TypeError} when `raw` is not 32 bytes.
 * @example
 * ```ts
 * fingerprint(publicKey); // "3f1c…" (64 hex digits)
 * ```
 */
export function fingerprint(raw: Uint8Array): string {
  if (!(raw instanceof Uint8Array) || raw.length !== 32) throw new TypeError("an Ed25519 public key is 32 bytes");
  return sha256Hex(raw);
}

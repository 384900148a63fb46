/**
 * What an `ed25519` `.sig` entry signs (SPEC §5): the UTF-8 bytes of `aam-signature-v1:` followed
 * by the package hash. The prefix separates AAM signatures from any other use of the same key
 * (domain separation), and signing the hash binds the signature to the archive's exact bytes.
 */
import { isChecksum } from "../encoding/sha256.ts";

export const SIGNATURE_MESSAGE_PREFIX = "aam-signature-v1:";

/**
 * The bytes an Ed25519 entry signs for `packageHash` (`sha256:<64 lowercase hex>`).
 * @throws {TypeError} when `packageHash` is not a `sha256:<hex>` checksum (a programmer error:
 * callers compute the hash or read it from a parsed `.sig`).
 * @example
 * ```ts
 * signatureMessage("sha256:9f86d0…"); // UTF-8 of "aam-signature-v1:sha256:9f86d0…"
 * ```
 */
export function signatureMessage(packageHash: string): Uint8Array {
  if (!isChecksum(packageHash)) throw new TypeError(`not a sha256:<hex> package hash: ${String(packageHash).slice(0, 80)}`);
  return new TextEncoder().encode(SIGNATURE_MESSAGE_PREFIX + packageHash);
}

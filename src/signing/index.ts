/**
 * Signing (SPEC §5): the `.sig` envelope, the signed message, and strict Ed25519 keys and
 * signatures (key files and the key store live in keys/). Pure: bytes and values in, bytes and
 * values out; the caller does the I/O.
 * @module
 */
export { signatureMessage, SIGNATURE_MESSAGE_PREFIX } from "./message.ts";
export {
  parseSigFile,
  serializeSigFile,
  addEntry,
  MAX_SIG_FILE_BYTES,
  type SigFile,
  type SigEntry,
  type SigAlgorithm,
  type Ed25519Entry,
  type OpenPgpEntry,
  type SigstoreEntry,
} from "./sig_file.ts";
export { createEd25519Entry, type CreateEd25519EntryOptions } from "./ed25519/entry.ts";
export { assertStrictPublicKey, isStrictPublicKey, fingerprint } from "./ed25519/public_key.ts";
export { verifyEd25519 } from "./ed25519/verify.ts";
export { signEd25519, generateEd25519, publicKeyOf } from "./ed25519/sign.ts";

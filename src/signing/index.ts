/**
 * Signing (SPEC §5): the `.sig` envelope, the signed message, and strict Ed25519 keys, signatures
 * and key files. Pure: bytes and values in, bytes and values out; the caller does the I/O.
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
export { createEd25519Entry, type CreateEd25519EntryOptions } from "./create_ed25519_entry.ts";
export { assertStrictPublicKey, isStrictPublicKey, fingerprint } from "./ed25519/public_key.ts";
export { verifyEd25519 } from "./ed25519/verify.ts";
export { signEd25519, generateEd25519, publicKeyOf } from "./ed25519/sign.ts";
export {
  encryptKeyFile,
  decryptKeyFile,
  parseKeyFile,
  DEFAULT_SCRYPT,
  KEY_FILE_FORMAT,
  type KeyFile,
  type Ed25519KeyFile,
  type ScryptEncryption,
  type ScryptParams,
  type EncryptKeyOptions,
  type DecryptedKey,
} from "./ed25519/key_store.ts";

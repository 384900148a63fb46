/**
 * The private key file of `$AAM_HOME/keys/<fingerprint>.key` (SPEC §5), encoded and decoded here;
 * the caller reads and writes the file. JSON:
 *
 * ```json
 * { "format": "aam-key-v1", "algorithm": "ed25519", "name": "release",
 *   "fingerprint": "<64 hex>", "public_key": "<base64, 32 bytes>", "created_at": "2025-01-01T00:00:00Z",
 *   "encryption": { "kdf": "scrypt", "N": 32768, "r": 8, "p": 1, "salt": "<b64>", "cipher": "aes-256-gcm", "iv": "<b64>" },
 *   "private_key": "<base64: AES-256-GCM ciphertext + tag of the 32-byte seed>" }
 * ```
 * or `"encryption": "none"` with `private_key` the base64 seed (`--no-passphrase`).
 *
 * Choices: scrypt N = 2^15, r = 8, p = 1 (32 MiB, 120–200 ms on Node, Bun and Deno with
 * @noble/hashes; RFC 7914's interactive-login setting, as the passphrase is typed at most once per
 * command). The 256-bit key it derives encrypts the seed with AES-256-GCM from WebCrypto under a
 * fresh 16-byte salt and 12-byte IV; the format, algorithm, fingerprint and name are additional
 * authenticated data, so they cannot be swapped or edited without the passphrase. The passphrase
 * is Unicode NFC-normalised first, so the same phrase typed on different systems unlocks the key.
 * `algorithm` is a discriminant: OpenPGP secret keys will get their own variant.
 */
import { AamError } from "../errors.ts";
import { fromBase64, toBase64 } from "../encoding/base64.ts";
import { fingerprint as fingerprintOf, isStrictPublicKey } from "../signing/ed25519/public_key.ts";
import { publicKeyOf } from "../signing/ed25519/sign.ts";
import { isoSeconds } from "../encoding/iso_seconds.ts";
import { DEFAULT_SCRYPT, type ScryptEncryption, type ScryptParams } from "./seal.ts";
import { KEY_FILE_FORMAT, corruptKeyFile, keyFileAad, parseEncryptionField, parseKeyFileJson, sealPrivatePart, unlockPrivatePart } from "./_key_file.ts";

export { KEY_FILE_FORMAT } from "./_key_file.ts";

export { DEFAULT_SCRYPT, type ScryptEncryption, type ScryptParams } from "./seal.ts";

export interface Ed25519KeyFile {
  format: typeof KEY_FILE_FORMAT;
  algorithm: "ed25519";
  name: string;
  fingerprint: string;
  public_key: string;
  created_at: string;
  encryption: "none" | ScryptEncryption;
  private_key: string;
}

/** Every kind of key file; discriminated on `algorithm`. */
export type KeyFile = Ed25519KeyFile;

export interface EncryptKeyOptions {
  name: string;
  /** null stores the seed unencrypted (`--no-passphrase`). */
  passphrase: string | null;
  now: Date;
  /** scrypt cost; defaults to DEFAULT_SCRYPT (tests lower it). */
  scrypt?: ScryptParams;
}

export interface DecryptedKey {
  seed: Uint8Array;
  publicKey: Uint8Array;
  name: string;
  fingerprint: string;
}

/**
 * Encodes a key file for `seed` and `publicKey`, encrypting the seed when a passphrase is given.
 * @throws {AamError} UsageError for an empty passphrase; Error when the seed does not derive
 * `publicKey`. TypeError for wrong argument shapes.
 */
export async function encryptKeyFile(seed: Uint8Array, publicKey: Uint8Array, opts: EncryptKeyOptions): Promise<string> {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new TypeError("an Ed25519 private key is a 32-byte seed");
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new TypeError("an Ed25519 public key is 32 bytes");
  if (typeof opts.name !== "string") throw new TypeError("a key name is a string");
  if (!(await matches(seed, publicKey))) {
    throw new AamError("Error", `Cannot store key "${opts.name}": its private key does not match its public key`, {
      hint: "this is a bug in the caller; report it",
    });
  }
  const fingerprint = fingerprintOf(publicKey);
  const head = {
    format: KEY_FILE_FORMAT,
    algorithm: "ed25519",
    name: opts.name,
    fingerprint,
    public_key: toBase64(publicKey),
    created_at: isoSeconds(opts.now),
  } as const;
  const file: Ed25519KeyFile = { ...head, ...(await sealPrivatePart(seed, opts.passphrase, additionalData(head.fingerprint, head.name), opts.scrypt ?? DEFAULT_SCRYPT)) };
  return JSON.stringify(file, null, 2) + "\n";
}

/**
 * Decodes and checks a key file's public parts without touching the private key (for listings).
 * @throws {AamError} Error naming `file` (and the field) when it is not a well-formed key file.
 */
export function parseKeyFile(text: string, file: string): KeyFile {
  const corrupt = corruptKeyFile(file, "the key file is damaged; restore it from a backup, or make a new key with `aam key generate`");
  const j = parseKeyFileJson(text, 64 * 1024, corrupt);
  if (j.algorithm !== "ed25519") throw corrupt(`unsupported algorithm ${JSON.stringify(j.algorithm)}`, "algorithm");
  if (typeof j.name !== "string") throw corrupt("name is not a string", "name");
  if (typeof j.created_at !== "string") throw corrupt("created_at is not a string", "created_at");
  const pub = typeof j.public_key === "string" ? fromBase64(j.public_key) : null;
  if (!pub || pub.length !== 32) throw corrupt("public_key is not 32 bytes of base64", "public_key");
  if (!isStrictPublicKey(pub)) throw corrupt("public_key is not a valid Ed25519 key", "public_key");
  if (typeof j.fingerprint !== "string" || j.fingerprint.toLowerCase() !== fingerprintOf(pub)) {
    throw corrupt("fingerprint does not match public_key", "fingerprint");
  }
  if (typeof j.private_key !== "string" || fromBase64(j.private_key) === null) throw corrupt("private_key is not base64", "private_key");
  const encryption = parseEncryptionField(j.encryption, corrupt);
  const privLen = fromBase64(j.private_key)!.length;
  if (privLen !== (encryption === "none" ? 32 : 48)) throw corrupt(`private_key has the wrong length (${privLen} bytes)`, "private_key");
  return {
    format: KEY_FILE_FORMAT,
    algorithm: "ed25519",
    name: j.name,
    fingerprint: fingerprintOf(pub),
    public_key: j.public_key as string,
    created_at: j.created_at,
    encryption,
    private_key: j.private_key,
  };
}

/**
 * Decodes a key file and unlocks its seed. The caller owns the returned seed and should wipe it
 * (`seed.fill(0)`) after use.
 * @param passphrase null when none is available; ignored for an unencrypted file.
 * @param file The key file's path, named in errors.
 * @throws {AamError} UsageError when the key is encrypted and `passphrase` is null; Error for a
 * wrong passphrase (or an edited file: AES-GCM cannot tell them apart), a damaged file, or a seed
 * that does not derive the stored public key.
 */
export async function decryptKeyFile(text: string, passphrase: string | null, file: string): Promise<DecryptedKey> {
  const k = parseKeyFile(text, file);
  const publicKey = fromBase64(k.public_key)!;
  const seed = await unlockPrivatePart(k, passphrase, additionalData(k.fingerprint, k.name), file);
  if (seed.length !== 32 || !(await matches(seed, publicKey))) {
    seed.fill(0);
    throw new AamError("Error", `Cannot use key file "${file}": its private key does not match its public key`, {
      file,
      field: "private_key",
      hint: "the key file is damaged or was tampered with; restore it from a backup, or make a new key with `aam key generate`",
    });
  }
  return { seed, publicKey, name: k.name, fingerprint: k.fingerprint };
}

function additionalData(fingerprint: string, name: string): Uint8Array<ArrayBuffer> {
  return keyFileAad("ed25519", fingerprint, name);
}

async function matches(seed: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  const derived = await publicKeyOf(seed);
  let diff = derived.length ^ publicKey.length;
  for (let i = 0; i < derived.length; i++) diff |= derived[i] ^ publicKey[i];
  return diff === 0;
}

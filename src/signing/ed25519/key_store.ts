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
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { AamError } from "../../errors.ts";
import { fromBase64, toBase64 } from "../../encoding/base64.ts";
import { fingerprint as fingerprintOf, isStrictPublicKey } from "./public_key.ts";
import { publicKeyOf } from "./sign.ts";
import { isoSeconds } from "../_iso_seconds.ts";

export const KEY_FILE_FORMAT = "aam-key-v1";

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** The defaults new key files use (see the module comment for why). */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = { N: 2 ** 15, r: 8, p: 1 };

// Bounds applied to files read back: a key file is untrusted input, and scrypt's cost is whatever
// the file says, so an edited N or r must not be able to exhaust memory or time.
const MIN_N = 2 ** 10;
const MAX_N = 2 ** 20;
const MAX_MEM = 256 * 1024 * 1024;

export interface ScryptEncryption {
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  cipher: "aes-256-gcm";
  iv: string;
}

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
  let file: Ed25519KeyFile;
  if (opts.passphrase === null) {
    file = { ...head, encryption: "none", private_key: toBase64(seed) };
  } else {
    if (typeof opts.passphrase !== "string" || opts.passphrase.length === 0) {
      throw new AamError("UsageError", `Cannot protect key "${opts.name}": the passphrase is empty`, {
        hint: "give a non-empty passphrase (AAM_PASSPHRASE or --passphrase-file), or --no-passphrase to store the key unencrypted",
      });
    }
    const params = opts.scrypt ?? DEFAULT_SCRYPT;
    if (!scryptParamsOk(params)) throw new TypeError(`scrypt parameters out of range: N=${params.N} r=${params.r} p=${params.p}`);
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const key = await deriveKey(opts.passphrase, salt, params, "encrypt");
    const aad = additionalData(head.fingerprint, head.name);
    const ct = new Uint8Array(await subtle().encrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, key, seed.slice()));
    file = {
      ...head,
      encryption: { kdf: "scrypt", N: params.N, r: params.r, p: params.p, salt: toBase64(salt), cipher: "aes-256-gcm", iv: toBase64(iv) },
      private_key: toBase64(ct),
    };
  }
  return JSON.stringify(file, null, 2) + "\n";
}

/**
 * Decodes and checks a key file's public parts without touching the private key (for listings).
 * @throws {AamError} Error naming `file` (and the field) when it is not a well-formed key file.
 */
export function parseKeyFile(text: string, file: string): KeyFile {
  const corrupt = (detail: string, field?: string) =>
    new AamError("Error", `Cannot read key file "${file}": ${detail}`, {
      file,
      field,
      hint: "the key file is damaged; restore it from a backup, or make a new key with `aam key generate`",
    });
  if (typeof text !== "string" || text.length > 64 * 1024) throw corrupt("not a key file (too large)");
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw corrupt("not valid JSON"); // untrusted bytes: never let a SyntaxError escape
  }
  if (!isObject(j)) throw corrupt("not a JSON object");
  if (j.format !== KEY_FILE_FORMAT) throw corrupt(`unknown format ${JSON.stringify(j.format)} (expected "${KEY_FILE_FORMAT}")`, "format");
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
  let encryption: KeyFile["encryption"];
  if (j.encryption === "none") encryption = "none";
  else {
    const e = j.encryption;
    if (!isObject(e) || e.kdf !== "scrypt" || e.cipher !== "aes-256-gcm") throw corrupt('encryption is neither "none" nor scrypt + aes-256-gcm', "encryption");
    const params = { N: e.N, r: e.r, p: e.p };
    if (!scryptParamsOk(params)) throw corrupt("scrypt parameters out of range", "encryption");
    const salt = typeof e.salt === "string" ? fromBase64(e.salt) : null;
    const iv = typeof e.iv === "string" ? fromBase64(e.iv) : null;
    if (!salt || salt.length < 16 || salt.length > 64) throw corrupt("salt is not 16–64 bytes of base64", "encryption.salt");
    if (!iv || iv.length !== 12) throw corrupt("iv is not 12 bytes of base64", "encryption.iv");
    encryption = { kdf: "scrypt", N: params.N as number, r: params.r as number, p: params.p as number, salt: e.salt as string, cipher: "aes-256-gcm", iv: e.iv as string };
  }
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
  const label = k.name || k.fingerprint.slice(0, 16);
  const publicKey = fromBase64(k.public_key)!;
  let seed: Uint8Array;
  if (k.encryption === "none") {
    seed = fromBase64(k.private_key)!;
  } else {
    if (passphrase === null || passphrase === undefined) {
      throw new AamError("UsageError", `Cannot unlock key "${label}": it is encrypted and no passphrase was given`, {
        file,
        hint: "set AAM_PASSPHRASE, pass --passphrase-file <file>, or run on a terminal to be prompted",
      });
    }
    const e = k.encryption;
    const key = await deriveKey(passphrase, fromBase64(e.salt)!, e, "decrypt");
    try {
      const aad = additionalData(k.fingerprint, k.name);
      const pt = await subtle().decrypt({ name: "AES-GCM", iv: own(fromBase64(e.iv)!), additionalData: aad, tagLength: 128 }, key, own(fromBase64(k.private_key)!));
      seed = new Uint8Array(pt);
    } catch {
      // The GCM tag failed: the passphrase is wrong, or the file's bound fields were edited.
      throw new AamError("Error", `Cannot unlock key "${label}": wrong passphrase`, {
        file,
        hint: "check AAM_PASSPHRASE or --passphrase-file; if the passphrase is right, the key file was altered",
      });
    }
  }
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

function scryptParamsOk(x: { N: unknown; r: unknown; p: unknown }): x is ScryptParams {
  const { N, r, p } = x;
  if (!Number.isSafeInteger(N) || !Number.isSafeInteger(r) || !Number.isSafeInteger(p)) return false;
  const n = N as number;
  if (n < MIN_N || n > MAX_N || (n & (n - 1)) !== 0) return false;
  if ((r as number) < 1 || (r as number) > 32 || (p as number) < 1 || (p as number) > 16) return false;
  return 128 * n * (r as number) <= MAX_MEM;
}

async function deriveKey(passphrase: string, salt: Uint8Array, params: ScryptParams, use: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const pw = new TextEncoder().encode(passphrase.normalize("NFC"));
  let dk: Uint8Array | undefined;
  try {
    dk = await scryptAsync(pw, salt, { N: params.N, r: params.r, p: params.p, dkLen: 32, maxmem: MAX_MEM + 64 * 1024 });
    return await subtle().importKey("raw", dk.slice(), { name: "AES-GCM" }, false, [use]);
  } finally {
    // Wipe what we can; the JS string passphrase itself cannot be wiped.
    pw.fill(0);
    dk?.fill(0);
  }
}

function additionalData(fingerprint: string, name: string): Uint8Array<ArrayBuffer> {
  // JSON array framing: unambiguous, so no (fingerprint, name) pair can collide with another.
  return new TextEncoder().encode(JSON.stringify([KEY_FILE_FORMAT, "ed25519", fingerprint, name]));
}

async function matches(seed: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  const derived = await publicKeyOf(seed);
  let diff = derived.length ^ publicKey.length;
  for (let i = 0; i < derived.length; i++) diff |= derived[i] ^ publicKey[i];
  return diff === 0;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new AamError("Error", "Cannot protect keys: this runtime has no WebCrypto (crypto.subtle)", {
      hint: "use Node 20 or later, Bun or Deno",
    });
  }
  return s;
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto's BufferSource type asks. */
function own(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

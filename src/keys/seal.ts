/**
 * Encryption at rest for private keys in `$AAM_HOME/keys/` (SPEC §5), Ed25519 and OpenPGP alike:
 * scrypt (N = 2^15, r = 8, p = 1 by default) derives an AES-256-GCM key from the NFC-normalised
 * passphrase; a fresh 16-byte salt and 12-byte IV per file; the caller's additional data binds the
 * file's public fields to the ciphertext.
 */
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { AamError } from "../errors.ts";
import { fromBase64, toBase64 } from "../encoding/base64.ts";

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** scrypt N = 2^15, r = 8, p = 1: 32 MiB and about 150 ms here, so a stolen file resists guessing. */
export const DEFAULT_SCRYPT: Readonly<ScryptParams> = { N: 2 ** 15, r: 8, p: 1 };

export interface ScryptEncryption {
  kdf: "scrypt";
  N: number;
  r: number;
  p: number;
  salt: string;
  cipher: "aes-256-gcm";
  iv: string;
}

// Bounds applied to files read back: a key file is untrusted input, and scrypt's cost is whatever
// the file says, so an edited N or r must not be able to exhaust memory or time.
const MIN_N = 2 ** 10;
const MAX_N = 2 ** 20;
const MAX_MEM = 256 * 1024 * 1024;

export interface Sealed {
  encryption: ScryptEncryption;
  /** AES-256-GCM ciphertext followed by the 16-byte tag. */
  ciphertext: Uint8Array;
}

/**
 * Encrypts `plain` under `passphrase`.
 * @throws {AamError} UsageError for an empty passphrase. TypeError for out-of-range scrypt parameters.
 */
export async function seal(plain: Uint8Array, passphrase: string, aad: Uint8Array, params: ScryptParams = DEFAULT_SCRYPT): Promise<Sealed> {
  if (typeof passphrase !== "string" || passphrase.length === 0) {
    throw new AamError("UsageError", "Cannot protect the key: the passphrase is empty", {
      hint: "give a non-empty passphrase (AAM_PASSPHRASE or --passphrase-file), or --no-passphrase to store the key unencrypted",
    });
  }
  if (!scryptParamsOk(params)) throw new TypeError(`scrypt parameters out of range: N=${params.N} r=${params.r} p=${params.p}`);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = await deriveKey(passphrase, salt, params, "encrypt");
  const ct = await subtle().encrypt({ name: "AES-GCM", iv, additionalData: copy(aad), tagLength: 128 }, key, copy(plain));
  return {
    encryption: { kdf: "scrypt", N: params.N, r: params.r, p: params.p, salt: toBase64(salt), cipher: "aes-256-gcm", iv: toBase64(iv) },
    ciphertext: new Uint8Array(ct),
  };
}

/**
 * Decrypts what `seal` made. Answers null when the tag does not verify: a wrong passphrase or an
 * edited file (AES-GCM cannot tell them apart). The caller owns the result and should wipe it.
 */
export async function unseal(ciphertext: Uint8Array, passphrase: string, encryption: ScryptEncryption, aad: Uint8Array): Promise<Uint8Array | null> {
  const salt = fromBase64(encryption.salt);
  const iv = fromBase64(encryption.iv);
  if (!salt || !iv || !scryptParamsOk(encryption)) return null;
  const key = await deriveKey(passphrase, salt, encryption, "decrypt");
  try {
    return new Uint8Array(await subtle().decrypt({ name: "AES-GCM", iv: copy(iv), additionalData: copy(aad), tagLength: 128 }, key, copy(ciphertext)));
  } catch {
    return null; // the GCM tag failed; the caller words the error
  }
}

/** A problem with an `encryption` object read from a file: what is wrong, and the field it concerns. */
export interface EncryptionProblem {
  message: string;
  field: string;
}

/** Checks an `encryption` object read from a file; answers it typed, or what is wrong with it. */
export function checkEncryption(e: unknown): ScryptEncryption | EncryptionProblem {
  const bad = (message: string, field = "encryption"): EncryptionProblem => ({ message, field });
  if (typeof e !== "object" || e === null || Array.isArray(e)) return bad("not an object");
  const o = e as Record<string, unknown>;
  if (o.kdf !== "scrypt" || o.cipher !== "aes-256-gcm") return bad('neither "none" nor scrypt + aes-256-gcm');
  if (!scryptParamsOk({ N: o.N, r: o.r, p: o.p })) return bad("scrypt parameters out of range");
  const salt = typeof o.salt === "string" ? fromBase64(o.salt) : null;
  const iv = typeof o.iv === "string" ? fromBase64(o.iv) : null;
  if (!salt || salt.length < 16 || salt.length > 64) return bad("salt is not 16–64 bytes of base64", "encryption.salt");
  if (!iv || iv.length !== 12) return bad("iv is not 12 bytes of base64", "encryption.iv");
  return { kdf: "scrypt", N: o.N as number, r: o.r as number, p: o.p as number, salt: o.salt as string, cipher: "aes-256-gcm", iv: o.iv as string };
}

export function isEncryptionProblem(v: ScryptEncryption | EncryptionProblem): v is EncryptionProblem {
  return "message" in v;
}

function scryptParamsOk(x: { N: unknown; r: unknown; p: unknown }): boolean {
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
  let raw: Uint8Array | undefined;
  try {
    dk = await scryptAsync(pw, salt, { N: params.N, r: params.r, p: params.p, dkLen: 32, maxmem: MAX_MEM + 64 * 1024 });
    raw = copy(dk);
    return await subtle().importKey("raw", raw as Uint8Array<ArrayBuffer>, { name: "AES-GCM" }, false, [use]);
  } finally {
    // Wipe what we can; the JS string passphrase itself cannot be wiped.
    pw.fill(0);
    dk?.fill(0);
    raw?.fill(0);
  }
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) {
    throw new AamError("Error", "Cannot protect keys: this runtime has no WebCrypto (crypto.subtle)", { hint: "use Node 20 or later, Bun or Deno" });
  }
  return s;
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto's BufferSource type asks. */
function copy(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b);
}

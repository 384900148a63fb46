/**
 * The key file of an imported OpenPGP secret key, `$AAM_HOME/keys/<FINGERPRINT>.key` (SPEC §5). The
 * same `aam-key-v1` family as Ed25519 key files, with `algorithm: "openpgp"`:
 *
 * ```json
 * { "format": "aam-key-v1", "algorithm": "openpgp", "name": "release",
 *   "fingerprint": "<40 or 64 uppercase hex: the primary key's>", "user_id": "Jane <jane@example.org>",
 *   "public_key": "-----BEGIN PGP PUBLIC KEY BLOCK-----...", "created_at": "2025-01-01T00:00:00Z",
 *   "encryption": { "kdf": "scrypt", ..., "cipher": "aes-256-gcm", "iv": "<b64>" },
 *   "private_key": "<base64: AES-256-GCM of the binary OpenPGP secret key packets>" }
 * ```
 * or `"encryption": "none"` with `private_key` the base64 of the packets (`--no-passphrase`).
 *
 * The secret key is kept as binary packets whose own OpenPGP protection was removed at import:
 * AAM's scrypt + AES-GCM layer protects it instead, so one passphrase unlocks it and the bytes can
 * be wiped after use. Format, algorithm, fingerprint and name are the additional authenticated data.
 * Pure: the caller reads and writes the file; nothing here needs openpgp.js.
 */
import { AamError } from "../errors.ts";
import { fromBase64 } from "../encoding/base64.ts";
import { KEY_FILE_FORMAT, corruptKeyFile, keyFileAad, parseEncryptionField, parseKeyFileJson, sealPrivatePart, unlockPrivatePart } from "./_key_file.ts";
import { isoSeconds } from "../encoding/iso_seconds.ts";
import type { ScryptEncryption, ScryptParams } from "./seal.ts";

/** A key file larger than this is refused before parsing (an RSA 4096 key with many user ids is far smaller). */
const MAX_KEY_FILE_CHARS = 512 * 1024;

export interface OpenPgpKeyFile {
  format: typeof KEY_FILE_FORMAT;
  algorithm: "openpgp";
  name: string;
  fingerprint: string;
  user_id: string;
  public_key: string;
  created_at: string;
  encryption: "none" | ScryptEncryption;
  private_key: string;
}

export interface OpenPgpKeyMeta {
  name: string;
  /** The primary key's fingerprint, hex (stored uppercase). */
  fingerprint: string;
  userId: string;
  /** The armoured public key. */
  publicKey: string;
}

export interface EncodeOpenPgpKeyOptions {
  /** null stores the secret key unencrypted (`--no-passphrase`). */
  passphrase: string | null;
  now: Date;
  /** scrypt cost; defaults to DEFAULT_SCRYPT (tests lower it). */
  scrypt?: ScryptParams;
}

/**
 * Encodes a key file for the unprotected binary secret key `secretKey`.
 * @throws {AamError} UsageError for an empty passphrase. TypeError for wrong argument shapes.
 */
export async function encodeOpenPgpKeyFile(secretKey: Uint8Array, meta: OpenPgpKeyMeta, opts: EncodeOpenPgpKeyOptions): Promise<string> {
  if (!(secretKey instanceof Uint8Array) || secretKey.length === 0) throw new TypeError("an OpenPGP secret key is non-empty bytes");
  if (!/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(meta.fingerprint)) throw new TypeError("an OpenPGP fingerprint is 40 or 64 hex digits");
  const head = {
    format: KEY_FILE_FORMAT,
    algorithm: "openpgp",
    name: meta.name,
    fingerprint: meta.fingerprint.toUpperCase(),
    user_id: meta.userId,
    public_key: meta.publicKey,
    created_at: isoSeconds(opts.now),
  } as const;
  const file: OpenPgpKeyFile = { ...head, ...(await sealPrivatePart(secretKey, opts.passphrase, additionalData(head.fingerprint, head.name), opts.scrypt)) };
  return JSON.stringify(file, null, 2) + "\n";
}

/**
 * Decodes and checks a key file's form without touching the secret key.
 * @throws {AamError} Error naming `file` (and the field) when it is not a well-formed OpenPGP key file.
 */
export function parseOpenPgpKeyFile(text: string, file: string): OpenPgpKeyFile {
  const corrupt = corruptKeyFile(file, "the key file is damaged; restore it from a backup, or import the key again with `aam key import`");
  const o = parseKeyFileJson(text, MAX_KEY_FILE_CHARS, corrupt);
  if (o.algorithm !== "openpgp") throw corrupt(`not an OpenPGP key file (algorithm ${JSON.stringify(o.algorithm)})`, "algorithm");
  for (const k of ["name", "user_id", "created_at"] as const) if (typeof o[k] !== "string") throw corrupt(`${k} is not a string`, k);
  if (typeof o.fingerprint !== "string" || !/^([0-9A-F]{40}|[0-9A-F]{64})$/.test(o.fingerprint)) throw corrupt("fingerprint is not 40 or 64 uppercase hex digits", "fingerprint");
  if (typeof o.public_key !== "string" || !o.public_key.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) throw corrupt("public_key is not an armoured OpenPGP public key", "public_key");
  if (typeof o.private_key !== "string" || !fromBase64(o.private_key)?.length) throw corrupt("private_key is not base64", "private_key");
  const encryption = parseEncryptionField(o.encryption, corrupt);
  return {
    format: KEY_FILE_FORMAT,
    algorithm: "openpgp",
    name: o.name as string,
    fingerprint: o.fingerprint,
    user_id: o.user_id as string,
    public_key: o.public_key,
    created_at: o.created_at as string,
    encryption,
    private_key: o.private_key,
  };
}

/**
 * Decodes a key file and unlocks its secret key packets. The caller owns `secretKey` and should
 * wipe it (`fill(0)`) after use, and must check that the packets are the key `fingerprint` names
 * (an unencrypted file has no tag binding them).
 * @param passphrase null when none is available; ignored for an unencrypted file.
 * @throws {AamError} UsageError when the key is encrypted and `passphrase` is null; Error for a wrong
 * passphrase (or an edited file) and a damaged file.
 */
export async function openOpenPgpKeyFile(text: string, passphrase: string | null, file: string): Promise<{ key: OpenPgpKeyFile; secretKey: Uint8Array }> {
  const key = parseOpenPgpKeyFile(text, file);
  return { key, secretKey: await unlockPrivatePart(key, passphrase, additionalData(key.fingerprint, key.name), file) };
}

function additionalData(fingerprint: string, name: string): Uint8Array {
  return keyFileAad("openpgp", fingerprint, name);
}

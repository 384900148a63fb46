/**
 * What the `aam-key-v1` key files of every algorithm share (SPEC §5): their JSON envelope, the
 * sealed private part, the additional data binding the public fields, and unlocking.
 */
import { AamError } from "../errors.ts";
import { fromBase64, toBase64 } from "../encoding/base64.ts";
import { seal, unseal, checkEncryption, isEncryptionProblem, type ScryptEncryption, type ScryptParams } from "./seal.ts";

export const KEY_FILE_FORMAT = "aam-key-v1";

export type KeyFileAlgorithm = "ed25519" | "openpgp";

/** The fields unlocking reads. */
interface SealedPart {
  name: string;
  fingerprint: string;
  encryption: "none" | ScryptEncryption;
  private_key: string;
}

/** Builds the error for a damaged key file `file`, with the field it concerns. */
export type Corrupt = (detail: string, field?: string) => AamError;

export function corruptKeyFile(file: string, hint: string): Corrupt {
  return (detail, field) => new AamError("Error", `Cannot read key file "${file}": ${detail}`, { file, field, hint });
}

/** The additional data: JSON array framing is unambiguous, so no (fingerprint, name) pair can collide with another. */
export function keyFileAad(algorithm: KeyFileAlgorithm, fingerprint: string, name: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify([KEY_FILE_FORMAT, algorithm, fingerprint, name]));
}

/** The `encryption` and `private_key` fields: sealed under `passphrase`, or in the clear when it is null. */
export async function sealPrivatePart(plain: Uint8Array, passphrase: string | null, aad: Uint8Array, scrypt?: ScryptParams): Promise<Pick<SealedPart, "encryption" | "private_key">> {
  if (passphrase === null) return { encryption: "none", private_key: toBase64(plain) };
  const s = await seal(plain, passphrase, aad, scrypt);
  return { encryption: s.encryption, private_key: toBase64(s.ciphertext) };
}

/** Parses a key file's JSON object and checks its format (untrusted text). @throws {AamError} Error via `corrupt`. */
export function parseKeyFileJson(text: string, maxChars: number, corrupt: Corrupt): Record<string, unknown> {
  if (typeof text !== "string" || text.length > maxChars) throw corrupt("not a key file (too large)");
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw corrupt("not valid JSON"); // untrusted bytes: never let a SyntaxError escape
  }
  if (typeof j !== "object" || j === null || Array.isArray(j)) throw corrupt("not a JSON object");
  const o = j as Record<string, unknown>;
  if (o.format !== KEY_FILE_FORMAT) throw corrupt(`unknown format ${JSON.stringify(o.format)} (expected "${KEY_FILE_FORMAT}")`, "format");
  return o;
}

/** Checks an `encryption` field read from a file. @throws {AamError} Error via `corrupt`. */
export function parseEncryptionField(v: unknown, corrupt: Corrupt): "none" | ScryptEncryption {
  if (v === "none") return "none";
  const checked = checkEncryption(v);
  if (isEncryptionProblem(checked)) throw corrupt(checked.message, checked.field);
  return checked;
}

/**
 * The private part in the clear; the caller owns and wipes it.
 * @throws {AamError} UsageError when it is encrypted and `passphrase` is null; Error for a wrong
 * passphrase (or an edited file: AES-GCM cannot tell them apart).
 */
export async function unlockPrivatePart(k: SealedPart, passphrase: string | null, aad: Uint8Array, file: string): Promise<Uint8Array> {
  const label = k.name || k.fingerprint.slice(0, 16);
  const body = fromBase64(k.private_key)!;
  if (k.encryption === "none") return body;
  if (passphrase === null || passphrase === undefined) {
    throw new AamError("UsageError", `Cannot unlock key "${label}": it is encrypted and no passphrase was given`, {
      file,
      hint: "set AAM_PASSPHRASE, pass --passphrase-file <file>, or run on a terminal to be prompted",
    });
  }
  const opened = await unseal(body, passphrase, k.encryption, aad);
  if (opened === null) {
    // The GCM tag failed: the passphrase is wrong, or the file's bound fields were edited.
    throw new AamError("Error", `Cannot unlock key "${label}": wrong passphrase`, {
      file,
      hint: "check AAM_PASSPHRASE or --passphrase-file; if the passphrase is right, the key file was altered",
    });
  }
  return opened;
}

/**
 * Reading OpenPGP keys with openpgp.js (SPEC §5): armoured public and secret keys, their primary
 * fingerprints (v4: 40 hex, v6: 64 hex; AAM writes them uppercase), user ids and state (revoked,
 * expired) at a given time. Load this module only through a dynamic import: openpgp.js is large.
 *
 * Keys are untrusted input: every parse failure becomes an AamError. A key read here is never
 * trusted by being read; trust is the fingerprint's presence in `security.trusted_keys`.
 */
import * as openpgp from "openpgp";
import { AamError } from "../../errors.ts";

/** Armoured key files larger than this are refused before parsing. */
export const MAX_ARMOURED_KEY_CHARS = 1024 * 1024;

/** The primary key's fingerprint, uppercase hex; subkeys map to their primary key. */
export function fingerprintOf(key: openpgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

/**
 * Reads every public key in an armoured (or binary) block.
 * @throws {AamError} UsageError naming `file` when the text holds no readable public key, or holds
 * a secret key (which `aam key import` takes).
 */
export async function readPublicKeys(text: string, file: string): Promise<openpgp.PublicKey[]> {
  const bad = (detail: string, hint = "export it with `gpg --armor --export <key id>` and try again") =>
    new AamError("UsageError", `Cannot read OpenPGP public key "${file}": ${detail}`, { file, hint });
  if (typeof text !== "string" || text.length > MAX_ARMOURED_KEY_CHARS) throw bad("too large");
  if (text.includes("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
    throw bad("this is a secret key", "to sign with it use `aam key import <file>`; to trust it, export its public key with `gpg --armor --export <key id>`");
  }
  const keys: openpgp.Key[] = [];
  for (const block of armourBlocks(text, "PUBLIC KEY")) {
    try {
      keys.push(...(await openpgp.readKeys({ armoredKeys: block })));
    } catch (e) {
      // Untrusted bytes: openpgp.js's parse errors end as a coded error naming the file.
      throw bad(firstLine(e));
    }
  }
  const pub = keys.filter((k): k is openpgp.PublicKey => !k.isPrivate());
  if (pub.length === 0) throw bad("no public key in it");
  return pub;
}

/**
 * Reads one secret key from an armoured block.
 * @throws {AamError} UsageError naming `file` when it holds no secret key, or more than one.
 */
export async function readSecretKey(text: string, file: string): Promise<openpgp.PrivateKey> {
  const bad = (detail: string) =>
    new AamError("UsageError", `Cannot read OpenPGP secret key "${file}": ${detail}`, {
      file,
      hint: "export one key with `gpg --armor --export-secret-keys <key id> > key.asc` and import that file",
    });
  if (typeof text !== "string" || text.length > MAX_ARMOURED_KEY_CHARS) throw bad("too large");
  const keys: openpgp.PrivateKey[] = [];
  for (const block of armourBlocks(text, "PRIVATE KEY")) {
    try {
      keys.push(...(await openpgp.readPrivateKeys({ armoredKeys: block })));
    } catch (e) {
      throw bad(firstLine(e)); // untrusted bytes: never a stack trace
    }
  }
  if (keys.length !== 1) throw bad(`it holds ${keys.length} secret keys; import one at a time`);
  return keys[0];
}

/**
 * Removes a secret key's own OpenPGP passphrase protection (AAM re-encrypts it at rest).
 * @throws {AamError} UsageError when it is protected and no passphrase was given; Error for a wrong passphrase.
 */
export async function unlockSecretKey(key: openpgp.PrivateKey, passphrase: string | null, label: string): Promise<openpgp.PrivateKey> {
  if (key.isDecrypted()) return key;
  if (passphrase === null) {
    throw new AamError("UsageError", `Cannot unlock OpenPGP key "${label}": it is passphrase-protected and no passphrase was given`, {
      hint: "set AAM_PASSPHRASE, pass --passphrase-file <file>, or run on a terminal to be prompted",
    });
  }
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch (e) {
    throw new AamError("Error", `Cannot unlock OpenPGP key "${label}": wrong passphrase or unsupported protection (${firstLine(e)})`, {
      hint: "give the passphrase gpg asks for (AAM_PASSPHRASE or --passphrase-file)",
      cause: e,
    });
  }
}

/** A public key with other people's certifications dropped: what a `.sig` entry and `keys/` carry. */
export function minimalPublicKey(key: openpgp.Key): openpgp.PublicKey {
  // A fresh key object over the same packets: dropping certifications must not touch `key`.
  const pub = new openpgp.PublicKey(key.toPublic().toPacketList());
  for (const u of pub.users) u.otherCertifications = [];
  return pub;
}

export interface KeyState {
  fingerprint: string;
  /** The primary user id ("Name <email>"), or "" when the key has none that is valid. */
  userId: string;
  /** Revoked by its owner (a key revocation signature), at `now` (hard revocations always). */
  revoked: boolean;
  /** When the primary key expires; null when it never does. */
  expiresAt: Date | null;
  expired: boolean;
}

/** What a key is at `now`: fingerprint, user id, revoked, expired. Never throws for a readable key. */
export async function keyState(key: openpgp.Key, now: Date): Promise<KeyState> {
  const revoked = await key.isRevoked(undefined, undefined, now).catch(() => false);
  const exp = await key.getExpirationTime().catch(() => null);
  const expiresAt = exp instanceof Date ? exp : null;
  return { fingerprint: fingerprintOf(key), userId: await userIdOf(key, now), revoked, expiresAt, expired: expiresAt !== null && expiresAt.getTime() <= now.getTime() };
}

/** The primary user id at `at`, else the first valid one at any time, else the first listed. */
export async function userIdOf(key: openpgp.Key, at: Date): Promise<string> {
  for (const d of [at, null]) {
    try {
      const u = await key.getPrimaryUser(d as Date);
      if (u.user.userID?.userID) return u.user.userID.userID;
    } catch {
      // no valid self-certified user id at that time: try the next fallback
    }
  }
  return key.getUserIDs()[0] ?? "";
}

/**
 * The armour blocks of one kind in `text`, each from its BEGIN to its END line. openpgp.js reads
 * only the first block of a text, and `cat alice.asc bob.asc` makes several.
 */
export function armourBlocks(text: string, kind: "PUBLIC KEY" | "PRIVATE KEY"): string[] {
  const begin = `-----BEGIN PGP ${kind} BLOCK-----`;
  const end = `-----END PGP ${kind} BLOCK-----`;
  const out: string[] = [];
  let from = text.indexOf(begin);
  while (from >= 0) {
    const stop = text.indexOf(end, from);
    if (stop < 0) {
      out.push(text.slice(from)); // unterminated: let the parser say what is wrong
      break;
    }
    out.push(text.slice(from, stop + end.length) + "\n");
    from = text.indexOf(begin, stop);
  }
  return out;
}

export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

/**
 * Step 5 of SPEC §6 for an `openpgp` entry (SPEC §5): does its armoured detached signature verify
 * over the `.aam` file's bytes, in-process with openpgp.js? Never runs `gpg`, so it works on a
 * machine without GnuPG and under `deno run` without `--allow-run`.
 *
 * The key: every copy of the key named by `key_fingerprint` (the PRIMARY key's fingerprint) found
 * in the entry's own `public_key`, then in `ctx.publicKeys` (keys/ of $AAM_HOME, an offline cache
 * entry), merged into one, so a revocation or a new expiry date known locally wins over a stale
 * copy carried by the `.sig`. A key with any other fingerprint is never used. Presence grants no
 * trust: step 6 asks whether the fingerprint is in `security.trusted_keys`.
 *
 * Invalid (with a reason): a signature over other bytes; one not made by that key or its signing
 * subkeys; a key revoked by its owner; a key or signing subkey expired at signing time or now
 * (as apt judges expired keys: an expired key no longer vouches for anything); a signature that
 * is not one binary-document signature.
 */
import * as openpgp from "openpgp";
import type { SigEntry } from "../sig_file.ts";
import type { EntryContext, EntryResult, StreamContext, StreamedEntryCheck } from "../entry_types.ts";
import { isoSeconds } from "../../encoding/iso_seconds.ts";
import { fingerprintOf, keyState, userIdOf, firstLine, armourBlocks, MAX_ARMOURED_KEY_CHARS } from "./public_key.ts";
import { refusedSigner } from "./key_rules.ts";
import { startSignedHash } from "./signed_hash.ts";

/** The outcome of checking one detached signature against one key. */
export interface DetachedCheck {
  valid: boolean;
  reason?: string;
  /** The signature's own creation time (signed), ISO 8601 to the second. */
  signedAt?: string;
  /** Fingerprint of the (sub)key that made the signature, uppercase. */
  signingKey?: string;
  userId: string;
}

/** Verifies an `openpgp` `.sig` entry over the archive's bytes. Answers valid or not with a reason; never throws for bad input. */
export async function verifyOpenPgpEntry(entry: SigEntry, ctx: EntryContext): Promise<EntryResult> {
  const key = await entryKey(entry, ctx);
  if ("result" in key) return key.result;
  return entryResult(key.base, await checkDetachedSignature(ctx.archive, key.signature, key.key, ctx.now));
}

/**
 * The same check, started before the archive is read and fed its chunks as they stream (the
 * pipeline's single read): the signature's hash is made natively as they pass (signed_hash.ts).
 */
export async function startOpenPgpEntryCheck(entry: SigEntry, ctx: StreamContext): Promise<StreamedEntryCheck> {
  const key = await entryKey(entry, ctx);
  if ("result" in key) return { wantsBytes: false, update: () => undefined, finish: async () => key.result };
  const sig = await readDetachedSignature(key.signature);
  const packets = typeof sig === "string" ? [] : [...sig.packets];
  // Several packets, or another signature type: refused by checkSignature before anything is hashed.
  const hash = packets.length === 1 ? await startSignedHash(packets[0] as openpgp.SignaturePacket) : null;
  return {
    wantsBytes: false,
    update: (chunk) => hash?.update(chunk),
    async finish() {
      hash?.finish();
      const r = typeof sig === "string" ? { valid: false, reason: sig, userId: await userIdOf(key.key, ctx.now) } : await checkSignature(sig, "hashed", key.key, ctx.now);
      return entryResult(key.base, r);
    },
  };
}

type EntryBase = { algorithm: string; key_fingerprint: string; signed_at?: string };

/** The entry's key (every local and carried copy, merged), or the answer when there is none. */
async function entryKey(entry: SigEntry, ctx: StreamContext): Promise<{ result: EntryResult } | { base: EntryBase; key: openpgp.PublicKey; signature: string }> {
  if (entry.algorithm !== "openpgp") return { result: { algorithm: entry.algorithm, valid: false, reason: "not an openpgp entry" } };
  const fp = entry.key_fingerprint.toUpperCase();
  const base = { algorithm: "openpgp", key_fingerprint: fp, signed_at: entry.signed_at };
  const found = await findKey(fp, [entry.public_key, ...(ctx.publicKeys ?? [])], ctx.now);
  if (typeof found === "string") return { result: { ...base, valid: false, reason: found } };
  return { base, key: found, signature: entry.signature };
}

function entryResult(base: EntryBase, r: DetachedCheck): EntryResult {
  return {
    ...base,
    signed_at: r.signedAt ?? base.signed_at,
    valid: r.valid,
    ...(r.reason ? { reason: r.reason } : {}),
    info: { user_id: r.userId, ...(r.signingKey ? { signing_key: r.signingKey } : {}) },
  };
}

/**
 * Finds and merges every copy of the key whose primary fingerprint is `fp` in `texts` (armoured
 * blocks, each with one or more keys). Answers the key, or a reason when none is there.
 */
export async function findKey(fp: string, texts: (string | undefined)[], now: Date): Promise<openpgp.PublicKey | string> {
  const want = fp.toUpperCase();
  let merged: openpgp.PublicKey | undefined;
  let subkeyHit = false;
  const blocks = texts.flatMap((t) => (typeof t === "string" && t.length <= MAX_ARMOURED_KEY_CHARS ? armourBlocks(t, "PUBLIC KEY") : []));
  for (const block of blocks) {
    let keys: openpgp.Key[];
    try {
      keys = await openpgp.readKeys({ armoredKeys: block });
    } catch {
      continue; // an unreadable copy (damaged file, hostile .sig) is skipped; others may serve
    }
    for (const k of keys) {
      if (fingerprintOf(k) !== want) {
        if (k.subkeys.some((s) => s.getFingerprint().toUpperCase() === want)) subkeyHit = true;
        continue;
      }
      const pub = k.isPrivate() ? k.toPublic() : (k as openpgp.PublicKey);
      try {
        merged = merged ? await merged.update(pub, now) : pub;
      } catch {
        // a copy that cannot be merged is left out; the others still decide
      }
    }
  }
  if (merged) return merged;
  if (subkeyHit) return `key_fingerprint ${want} is a subkey's; an openpgp entry names its primary key`;
  return `no public key for ${want}: the .sig carries none and none is known locally (aam key trust <key.asc>)`;
}

/**
 * Checks one armoured detached signature over `data` against `key` at time `now`. Used by the
 * verifier and by both signers, which check each new signature before writing it.
 */
export async function checkDetachedSignature(data: Uint8Array, armouredSignature: string, key: openpgp.PublicKey, now: Date): Promise<DetachedCheck> {
  const sig = await readDetachedSignature(armouredSignature);
  if (typeof sig === "string") return { valid: false, reason: sig, userId: await userIdOf(key, now) };
  return await checkSignature(sig, data, key, now);
}

/** The armoured signature, or why it cannot be read. */
async function readDetachedSignature(armouredSignature: string): Promise<openpgp.Signature | string> {
  try {
    return await openpgp.readSignature({ armoredSignature: armouredSignature });
  } catch (e) {
    // Untrusted bytes: a parse failure is an invalid entry, never an exception.
    return `signature is not a readable OpenPGP signature (${firstLine(e)})`;
  }
}

/**
 * Checks a read signature over `document`: its bytes, or "hashed" when its packet already holds
 * the hash of the bytes (signed_hash.ts; a packet without one fails as over an empty document).
 */
async function checkSignature(sig: openpgp.Signature, document: Uint8Array | "hashed", key: openpgp.PublicKey, now: Date): Promise<DetachedCheck> {
  const fp = fingerprintOf(key);
  const packets = [...sig.packets];
  if (packets.length !== 1) return { valid: false, reason: `the signature block holds ${packets.length} signatures; expected one`, userId: await userIdOf(key, now) };
  const p = packets[0];
  const created = p.created instanceof Date ? p.created : null;
  const at = created ?? now;
  const userId = await userIdOf(key, at);
  const signedAt = created ? isoSeconds(created) : undefined;
  if (p.signatureType !== openpgp.enums.signature.binary) {
    return { valid: false, reason: `not a binary-document signature (type 0x${(p.signatureType ?? 0).toString(16).padStart(2, "0")})`, userId, signedAt };
  }
  const signer = key.getKeys(p.issuerKeyID)[0];
  if (!signer) {
    return { valid: false, reason: `made by key ID ${p.issuerKeyID.toHex().toUpperCase()}, which is not part of key ${fp}`, userId, signedAt };
  }
  const signingKey = signer.getFingerprint().toUpperCase();
  const out = { userId, signedAt, signingKey };
  let failure: string | null = null;
  try {
    const message = await openpgp.createMessage({ binary: document === "hashed" ? new Uint8Array(0) : document });
    const r = await openpgp.verify({ message, signature: sig, verificationKeys: key, date: now, expectSigned: false, format: "binary" });
    if (r.signatures.length !== 1) failure = "the signature was not checked";
    else await r.signatures[0].verified;
  } catch (e) {
    failure = firstLine(e);
  }
  // Name the key's state first: it is the cause a user can act on, whatever openpgp.js reported.
  const state = await keyState(key, now);
  if (state.revoked) return { ...out, valid: false, reason: `key ${fp} is revoked by its owner` };
  if (state.expiresAt && created && created.getTime() >= state.expiresAt.getTime()) {
    return { ...out, valid: false, reason: `signature made ${isoSeconds(created)}, after key ${fp} expired (${isoSeconds(state.expiresAt)})` };
  }
  if (failure !== null) {
    // A key AAM's rules refuse (RSA < 2048, DSA, secp256k1): name that, not openpgp.js's wording.
    const never = refusedSigner(key, signer);
    return { ...out, valid: false, reason: never ? `signature does not verify: key ${fp} can never verify under AAM's rules: ${never}` : `signature does not verify (${failure})` };
  }
  if (state.expired) return { ...out, valid: false, reason: `key ${fp} expired ${isoSeconds(state.expiresAt!)}` };
  try {
    // The signing subkey must still be valid now, not only when it signed.
    await key.getSigningKey(p.issuerKeyID, now);
  } catch (e) {
    return { ...out, valid: false, reason: `signing key ${signingKey} is no longer valid (${firstLine(e)})` };
  }
  return { ...out, valid: true };
}

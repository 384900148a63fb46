/**
 * Turns a fresh detached OpenPGP signature into an `openpgp` `.sig` entry (SPEC §5), for both
 * signers (gpg and openpgp.js). Like minisign, the new signature is verified, in-process, by the
 * same check `aam verify` runs, before anything is written: a signature gpg made that openpgp.js
 * would refuse (SHA-1, a text-mode signature, an expired key) fails here, not at the user's users.
 */
import type * as openpgp from "openpgp";
import { AamError } from "../../errors.ts";
import type { OpenPgpEntry } from "../sig_file.ts";
import { checkDetachedSignature } from "./verify_entry.ts";
import { fingerprintOf, minimalPublicKey } from "./public_key.ts";

export interface MadeEntry {
  entry: OpenPgpEntry;
  /** The armoured public key, published as the registry's keys/<FP>.asc. */
  keys: { fileName: string; text: string; fingerprint: string }[];
  userId: string;
}

/**
 * @param how Names the signer in errors ("gpg", "openpgp").
 * @throws {AamError} Error when the new signature does not verify with the key.
 */
export async function makeOpenPgpEntry(archive: Uint8Array, armouredSignature: string, key: openpgp.Key, now: Date, how: string): Promise<MadeEntry> {
  const pub = minimalPublicKey(key);
  const fp = fingerprintOf(pub);
  const r = await checkDetachedSignature(archive, armouredSignature, pub, now);
  if (!r.valid || !r.signedAt) {
    throw new AamError("Error", `Cannot sign with ${how}: the new signature does not verify: ${r.reason ?? "no signature time"}`, {
      actual: r.reason,
      hint:
        how === "gpg"
          ? "check the key with `gpg --list-secret-keys` (expired or revoked?) and gpg.conf (no textmode, no SHA-1 digest-algo), then sign again"
          : "check the key (expired or revoked?) with `aam key list`, or import a valid one with `aam key import`",
    });
  }
  const text = pub.armor();
  const entry: OpenPgpEntry = { algorithm: "openpgp", key_fingerprint: fp, public_key: text, signature: armouredSignature, signed_at: r.signedAt };
  return { entry, keys: [{ fileName: `${fp}.asc`, text, fingerprint: fp }], userId: r.userId };
}

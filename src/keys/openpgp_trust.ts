/**
 * `aam key trust <public-key.asc>` for OpenPGP keys (SPEC §5, §6 step 6): stores each key of an
 * armoured block as `$AAM_HOME/keys/<FP>.asc` (merged with any copy already there, so a revocation
 * or a new expiry date learnt earlier is kept), for verification without the registry or `gpg`.
 * The caller adds the primary fingerprints to `security.trusted_keys`: trust is the fingerprint,
 * the stored key only lets signatures be checked. Loaded only through a dynamic import.
 */
import * as openpgp from "openpgp";
import { fs } from "../runtime/index.ts";
import { keysDir, writePublicKeyFile } from "./store.ts";
import { readPublicKeys, keyState, minimalPublicKey, fingerprintOf } from "../signing/openpgp/public_key.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";
import { neverVerifiesReason, sha1Warning } from "../signing/openpgp/key_rules.ts";

export interface TrustedOpenPgpKey {
  /** The primary key's fingerprint, uppercase: what goes into security.trusted_keys. */
  fingerprint: string;
  userId: string;
  revoked: boolean;
  expired: boolean;
  /** Why none of its signatures can verify under AAM's rules (RSA < 2048, DSA, secp256k1…), if so. */
  neverVerifies: string | null;
  /** A warning for a key that leans on SHA-1, if it does. */
  sha1: string | null;
  file: string;
}

/**
 * @param text Armoured public key(s) (untrusted).
 * @throws {AamError} UsageError when the text holds no readable public key, or a secret key.
 */
/** @param home `$AAM_HOME`, whose keys/ receives the merged public keys. */
export async function trustOpenPgpKeys(home: string, now: Date, text: string, path: string): Promise<TrustedOpenPgpKey[]> {
  const out: TrustedOpenPgpKey[] = [];
  for (const key of await readPublicKeys(text, path)) {
    const fp = fingerprintOf(key);
    const merged = await mergedPublicKeyText(home, fp, minimalPublicKey(key).armor(), now);
    const file = await writePublicKeyFile(home, fp, merged);
    const stored = await openpgp.readKey({ armoredKey: merged });
    const state = await keyState(stored, now);
    const neverVerifies = state.revoked || state.expired ? null : await neverVerifiesReason(stored, now);
    out.push({ fingerprint: fp, userId: state.userId, revoked: state.revoked, expired: state.expired, neverVerifies, sha1: sha1Warning(stored), file });
  }
  return out;
}

/**
 * The armoured text to store for key `fp`: `armoured` merged into the copy already in
 * `keys/<fp>.asc`, or `armoured` alone when there is none or it cannot be read.
 */
export async function mergedPublicKeyText(home: string, fp: string, armoured: string, now: Date): Promise<string> {
  const existing = await fs.readTextIfExists(fs.path.join(keysDir(home), `${fp}.asc`), DOCUMENT_LIMIT);
  if (existing === null) return armoured;
  try {
    const [a, b] = await Promise.all([openpgp.readKey({ armoredKey: existing }), openpgp.readKey({ armoredKey: armoured })]);
    if (fingerprintOf(a) !== fp.toUpperCase()) return armoured;
    return (await a.toPublic().update(b.toPublic(), now)).armor();
  } catch {
    return armoured; // the old copy is damaged: replace it
  }
}

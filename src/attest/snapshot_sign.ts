/**
 * Signs a snapshot root with the registry's attestation keys (SPEC §5a): each signature is over
 * `aam-snapshot-v1:<hex SHA-256 of the RFC 8785 form of the root without signatures>`.
 */
import { toBase64 } from "../encoding/base64.ts";
import { fingerprint } from "../signing/ed25519/fingerprint.ts";
import { signChecked } from "../signing/ed25519/sign_checked.ts";
import type { Ed25519KeyAccess } from "../signing/signer.ts";
import { snapshotMessage } from "./messages.ts";
import { unsignedPart } from "./snapshot_doc.ts";
import type { Snapshot, SnapshotSignature, UnsignedSnapshot } from "./types.ts";

/**
 * Signs `root` with each key (a key given twice signs once). Each signature is verified before it
 * is returned; the seeds are wiped after use.
 * @throws {AamError} Error for a weak or inconsistent key (see signChecked). TypeError without keys.
 */
export async function signSnapshot(root: UnsignedSnapshot, keys: readonly Ed25519KeyAccess[]): Promise<Snapshot> {
  if (keys.length === 0) throw new TypeError("a snapshot needs at least one attestation key");
  const unsigned = unsignedPart(root);
  const message = snapshotMessage(unsigned);
  const signatures: SnapshotSignature[] = [];
  for (const access of keys) {
    const k = await access.unlock();
    try {
      const fp = fingerprint(k.publicKey);
      if (signatures.some((s) => s.key_fingerprint === fp)) continue;
      const sig = await signChecked(k.seed, k.publicKey, message);
      signatures.push({ key_fingerprint: fp, public_key: toBase64(k.publicKey), signature: toBase64(sig) });
    } finally {
      k.seed.fill(0);
    }
  }
  return { ...unsigned, signatures };
}

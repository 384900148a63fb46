/** The Ed25519 entry of a `.sig` file (SPEC §5): signs `aam-signature-v1:<package_hash>` and checks the result. */
import { toBase64 } from "../../encoding/base64.ts";
import { isoSeconds } from "../../encoding/iso_seconds.ts";
import { fingerprint as ed25519Fingerprint } from "./fingerprint.ts";
import { signChecked } from "./sign_checked.ts";
import { signatureMessage } from "../message.ts";
import type { Ed25519Entry } from "../sig_file.ts";

export interface CreateEd25519EntryOptions {
  seed: Uint8Array;
  publicKey: Uint8Array;
  /** `sha256:<hex>` of the archive. */
  packageHash: string;
  now: Date;
}

/**
 * Signs `aam-signature-v1:<packageHash>` and returns the `.sig` entry. Like minisign, it verifies
 * the new signature before handing it out, so a broken key or signer never writes a bad `.sig`.
 * @throws {AamError} Error when the key pair is inconsistent or weak, or the new signature does
 * not verify. TypeError for a malformed `packageHash` or seed.
 */
export async function createEd25519Entry(opts: CreateEd25519EntryOptions): Promise<Ed25519Entry> {
  const { seed, publicKey, packageHash, now } = opts;
  const signature = await signChecked(seed, publicKey, signatureMessage(packageHash));
  return {
    algorithm: "ed25519",
    key_fingerprint: ed25519Fingerprint(publicKey),
    public_key: toBase64(publicKey),
    signature: toBase64(signature),
    signed_at: isoSeconds(now),
  };
}

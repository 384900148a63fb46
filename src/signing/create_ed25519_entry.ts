/**
 * Making an Ed25519 `.sig` entry (SPEC §5): sign `aam-signature-v1:<packageHash>` with a key pair,
 * check the pair and the new signature first. The signing code loads on first use only.
 */
import { AamError } from "../errors.ts";
import { toBase64 } from "../encoding/base64.ts";
import { fingerprint as ed25519Fingerprint } from "./ed25519/fingerprint.ts";
import { verifyEd25519 } from "./ed25519/verify.ts";
import { signatureMessage } from "./message.ts";
import { isoSeconds } from "./_iso_seconds.ts";
import type { Ed25519Entry } from "./sig_file.ts";

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
  const message = signatureMessage(packageHash);
  // Loaded here, not at the top: verifying never needs the signing code or its curve arithmetic.
  const { isStrictPublicKey } = await import("./ed25519/public_key.ts");
  const { publicKeyOf, signEd25519 } = await import("./ed25519/sign.ts");
  if (!isStrictPublicKey(publicKey)) {
    throw new AamError("Error", "Cannot sign: the signing key's public key is not a valid Ed25519 key", {
      hint: "make a new key with `aam key generate`",
    });
  }
  const derived = await publicKeyOf(seed);
  if (toBase64(derived) !== toBase64(publicKey)) {
    throw new AamError("Error", "Cannot sign: the private key does not match its public key", {
      hint: "the key file is damaged; restore it from a backup, or make a new key with `aam key generate`",
    });
  }
  const signature = await signEd25519(seed, message);
  if (!(await verifyEd25519(publicKey, message, signature))) {
    throw new AamError("Error", "Cannot sign: the new signature does not verify", {
      hint: "the signer or key is broken; report this, and do not publish this version unsigned without checking",
    });
  }
  return {
    algorithm: "ed25519",
    key_fingerprint: ed25519Fingerprint(publicKey),
    public_key: toBase64(publicKey),
    signature: toBase64(signature),
    signed_at: isoSeconds(now),
  };
}

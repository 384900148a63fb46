/**
 * Signing as minisign does it: the key pair is checked first and the new signature is verified
 * before it is handed out, so a broken key or signer never writes a bad signature. Shared by every
 * Ed25519 message AAM signs (`.sig` entries, registry attestations, snapshots).
 */
import { AamError } from "../../errors.ts";
import { equalBytes } from "../../encoding/bytes.ts";
import { verifyEd25519 } from "./verify.ts";

/**
 * Signs `message` with the seed after checking it belongs to `publicKey`, then verifies the result.
 * @returns the 64-byte signature.
 * @throws {AamError} Error when the public key is weak or invalid, the seed does not match it, or
 * the new signature does not verify. TypeError for a seed that is not 32 bytes.
 */
export async function signChecked(seed: Uint8Array, publicKey: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  // Loaded here, not at the top: verifying never needs the signing code or its curve arithmetic.
  const { isStrictPublicKey } = await import("./public_key.ts");
  const { publicKeyOf, signEd25519 } = await import("./sign.ts");
  if (!isStrictPublicKey(publicKey)) {
    throw new AamError("Error", "Cannot sign: the signing key's public key is not a valid Ed25519 key", {
      hint: "make a new key with `aam key generate`",
    });
  }
  if (!equalBytes(await publicKeyOf(seed), publicKey)) {
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
  return signature;
}

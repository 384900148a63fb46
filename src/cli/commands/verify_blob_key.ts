/**
 * `aam verify-blob <file> --signature <f.sig> --key <pub.pem>`: a detached Ed25519 signature by a
 * known key over any file, such as the SHA256SUMS of a release (scripts/build_release.ts). The
 * signature is the 64 raw bytes an `ed25519` `.sig` entry holds in base64, over the same message
 * (SPEC §5: `aam-signature-v1:` + the file's `sha256:<hex>`), so OpenSSL alone checks it too:
 * `openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in msg -sigfile f.sig`.
 */
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { ed25519PublicKeyFromPem } from "../../encoding/pem.ts";
import { assertStrictPublicKey, fingerprint } from "../../signing/ed25519/public_key.ts";
import { verifyEd25519 } from "../../signing/ed25519/verify.ts";
import { signatureMessage } from "../../signing/message.ts";
import { DOCUMENT_LIMIT, SIG_LIMIT } from "../../read_limits.ts";

/** @param checksum The file's `sha256:<hex>`, hashed as it was read (verify_blob_read.ts): the signature signs only that. */
export async function verifyBlobWithKey(ctx: Context, file: string, checksum: string, sigArg: string, keyArg: string): Promise<void> {
  const keyFile = fs.path.resolve(ctx.cwd, keyArg);
  const pem = await fs.readTextIfExists(keyFile, DOCUMENT_LIMIT);
  if (pem === null) throw new AamError("NotFound", `Cannot find public key "${keyFile}"`, { file: keyFile, hint: "check the path given to --key" });
  const publicKey = ed25519PublicKeyFromPem(pem, keyFile);
  assertStrictPublicKey(publicKey, { file: keyFile });
  const sigFile = fs.path.resolve(ctx.cwd, sigArg);
  const signature = await fs.readFileIfExists(sigFile, SIG_LIMIT);
  if (signature === null) throw new AamError("NotFound", `Cannot find signature "${sigFile}"`, { file: sigFile, hint: "check the path given to --signature" });
  if (signature.length !== 64) {
    throw new AamError("MalformedSignature", `Cannot read signature "${sigFile}": ${signature.length} bytes, not the 64 raw bytes of an Ed25519 signature`, {
      file: sigFile,
      hint: "the signature is damaged or is not a detached Ed25519 signature; get it again from the signer",
    });
  }
  const keyFingerprint = fingerprint(publicKey);
  if (!(await verifyEd25519(publicKey, signatureMessage(checksum), signature))) {
    throw new AamError("InvalidSignature", `Signature "${sigFile}" does not match "${file}" for key ${keyFingerprint}`, {
      file,
      hint: "the file or its signature was changed, or another key signed it: do not use the file; get both again from the publisher",
    });
  }
  if (ctx.out.json) {
    ctx.out.data({ ok: true, file, checksum, signature: sigFile, key_fingerprint: keyFingerprint });
    return;
  }
  ctx.out.line(`${ctx.out.paint("green", "✓")} Verified ${file}: signed by Ed25519 key ${keyFingerprint}`);
}

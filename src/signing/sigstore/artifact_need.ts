/**
 * Whether a Sigstore bundle can be verified only over the artifact's bytes, not its SHA-256 (what
 * `aam verify` has without holding the archive: SPEC §6's single streamed read). A DSSE bundle binds
 * the artifact through the in-toto subject's SHA-256; a message signature over a SHA-256 message
 * digest by an ECDSA key is checked against the digest (digest_content.ts). Others need the bytes:
 * an Ed25519 signature covers the bytes themselves, node:crypto checks RSA only over the bytes, and
 * @sigstore/verify checks another message digest's hash over the bytes.
 */
import { asBuffer } from "../../runtime/index.ts";
import { loadVerifyLibs, type VerifyLibs } from "./_libs.ts";
import { isDigestVerifiable, loadCurves } from "./digest_content.ts";
import type { ManagedKey } from "./managed_key.ts";

type Curves = Awaited<ReturnType<typeof loadCurves>>;

/** The SubjectPublicKeyInfo DER of the bundle's signing certificate, or null (none, or unreadable). */
function leafKeyDer(core: VerifyLibs["core"], content: ReturnType<VerifyLibs["bundle"]["bundleFromJSON"]>["verificationMaterial"]["content"]): Uint8Array | null {
  const raw = content.$case === "x509CertificateChain" ? content.x509CertificateChain.certificates[0]?.rawBytes : content.$case === "certificate" ? content.certificate.rawBytes : undefined;
  if (!raw) return null;
  try {
    return core.X509Certificate.parse(asBuffer(raw)).publicKey;
  } catch {
    return null;
  }
}

function digestVerifiable(core: VerifyLibs["core"], curves: Curves, der: Uint8Array): boolean {
  try {
    return isDigestVerifiable(curves, core.crypto.createPublicKey(asBuffer(der)));
  } catch {
    return true; // an unreadable key verifies nothing either way: the check reports it, with no bytes
  }
}

/**
 * @param bundle The bundle as parsed JSON (untrusted: anything unreadable answers false, and the
 *   check that follows reports it).
 * @param managedKeys The local keys a managed-key bundle may be signed with.
 */
export async function needsArtifactBytes(bundle: unknown, managedKeys: ManagedKey[]): Promise<boolean> {
  const { bundle: bundleLib, core } = await loadVerifyLibs();
  let b: ReturnType<typeof bundleLib.bundleFromJSON>;
  try {
    b = bundleLib.bundleFromJSON(bundle);
  } catch {
    return false;
  }
  if (b.content.$case !== "messageSignature") return false;
  const d = b.content.messageSignature.messageDigest;
  // HashAlgorithm: 0 unspecified (read as SHA-256), 1 SHA2_256.
  if (!d || (d.algorithm !== 0 && d.algorithm !== 1)) return true;
  const content = b.verificationMaterial.content;
  const ders = content.$case === "publicKey" ? managedKeys.map((k) => k.der) : [leafKeyDer(core, content)].filter((k) => k !== null);
  const curves = await loadCurves();
  return ders.some((der) => !digestVerifiable(core, curves, der));
}

/**
 * Which signer a bundle may have (SPEC §5, §10 verify-blob): a Fulcio certificate when no key is
 * given, the given managed key otherwise, never one in place of the other. For a managed key the
 * trust material gets a key finder that answers only that key (@sigstore/verify asks it with the
 * bundle's hint), so a bundle cannot bring its own key; its log entry and timestamps are still
 * checked against the trusted root.
 */
import { AamError } from "../../errors.ts";
import { asBuffer } from "../../runtime/index.ts";
import type { VerifyLibs } from "./_libs.ts";
import type { TrustMaterial } from "./trusted_root.ts";
import { hintNamesOtherKey, type ManagedKey } from "./managed_key.ts";

type Content = ReturnType<VerifyLibs["bundle"]["bundleFromJSON"]>["verificationMaterial"]["content"];

/**
 * @throws {AamError} UntrustedSigner when the bundle's kind of signer is not the expected one, or
 *   its hint names another key; UsageError when the given key cannot be read as a public key.
 */
export function materialForSigner(core: VerifyLibs["core"], material: TrustMaterial, content: Content, key: ManagedKey | undefined, bundleFile: string): TrustMaterial {
  const untrusted = (message: string, hint: string, expected?: string, actual?: string) =>
    new AamError("UntrustedSigner", `Cannot verify Sigstore bundle "${bundleFile}": ${message}`, { file: bundleFile, expected, actual, hint });
  if (content.$case !== "publicKey") {
    if (!key) return material;
    throw untrusted(`it is signed with a Sigstore certificate, not with the key ${key.source}`, "verify a keyless bundle with --certificate-identity and --certificate-oidc-issuer instead of --key", `key sha256:${key.fingerprint}`, "a certificate");
  }
  const hint = content.publicKey.hint ?? "";
  if (!key) {
    throw untrusted(
      `it is signed with a managed key${hint ? ` (hint ${hint})` : ""}, not with a Sigstore certificate`,
      "a bundle made with `cosign sign-blob --key` verifies only against its public key: aam verify-blob <file> --bundle <b.json> --key <pub.pem>",
      "a certificate",
      "a managed key",
    );
  }
  if (hintNamesOtherKey(hint, key)) {
    throw untrusted(`it names another signing key than ${key.source}`, "check that --key is the signer's public key", `sha256:${key.fingerprint}`, `hint ${hint}`);
  }
  let publicKey: ReturnType<typeof core.crypto.createPublicKey>;
  try {
    publicKey = core.crypto.createPublicKey(asBuffer(key.der));
  } catch (e) {
    throw new AamError("UsageError", `Cannot read public key "${key.source}": it is not a valid key (${e instanceof Error ? e.message : String(e)})`, {
      file: key.source,
      hint: "give the signer's PEM public key (-----BEGIN PUBLIC KEY-----), as `cosign generate-key-pair` writes it",
      cause: e,
    });
  }
  // The user named this key for this bundle: it is valid whenever the log or a TSA says it signed.
  return { ...material, publicKey: () => ({ publicKey, validFor: () => true }) };
}

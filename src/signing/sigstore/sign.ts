/**
 * `--signing-method sigstore` (SPEC §5): keyless signing with an OIDC identity token the caller
 * obtained (flag, SIGSTORE_ID_TOKEN, or a sign-in flow). When a trusted root is at hand, the new
 * bundle is checked before it is written, as minisign checks a new signature.
 */
import { AamError } from "../../errors.ts";
import type { SignedEntry, Signer } from "../signer.ts";
import { createSigstoreBundle } from "./create_bundle.ts";
import { checkIdentityToken } from "./identity_token.ts";
import { verifySigstoreBundle } from "./verify_bundle.ts";

export interface SigstoreServices {
  fulcioUrl: string;
  rekorUrl: string;
  tsaUrl: string;
}

export interface SigstoreSignerOptions {
  identityToken: string;
  services: SigstoreServices;
  /** The local trusted root, to check the new bundle; null when this machine has none. */
  trustedRoot: { text: string; file: string } | null;
  verifyTransparencyLog: boolean;
  now: () => Date;
  warn: (message: string) => void;
  /** Shown while Fulcio and Rekor are asked; cleared after. */
  progress?: (label: string | null) => void;
}

export function sigstoreSigner(o: SigstoreSignerOptions): Signer {
  return { sign: (archive) => signWithSigstore(archive, o) };
}

async function signWithSigstore(archive: Uint8Array, o: SigstoreSignerOptions): Promise<SignedEntry> {
  const claims = checkIdentityToken(o.identityToken, o.now());
  o.progress?.(`Signing as ${claims.subject} through ${o.services.fulcioUrl}`);
  let bundle;
  try {
    bundle = await createSigstoreBundle({ artifact: archive, identityToken: o.identityToken, ...o.services });
  } finally {
    o.progress?.(null);
  }
  if (o.trustedRoot === null) {
    o.warn("the new Sigstore signature was not checked: this machine has no trusted root (aam trust-root update, or aam trust-root import <file>)");
  } else {
    try {
      await verifySigstoreBundle({ bundle, artifact: archive, trustedRoot: o.trustedRoot.text, bundleFile: "the new bundle", trustedRootFile: o.trustedRoot.file, verifyTransparencyLog: o.verifyTransparencyLog });
    } catch (e) {
      if (!(e instanceof AamError)) throw e;
      o.warn(`the new Sigstore signature does not verify against ${o.trustedRoot.file} (${e.message}); verifiers will need the trusted root of ${o.services.fulcioUrl}`);
    }
  }
  return { entry: { algorithm: "sigstore", bundle }, keys: [] };
}

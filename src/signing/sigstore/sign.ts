/**
 * `--signing-method sigstore` (SPEC §5): keyless signing with an OIDC identity token from
 * `--identity-token` or `SIGSTORE_ID_TOKEN` (CI), or on a terminal from the browser sign-in (oauth_flow.ts).
 * Services come from `security.sigstore.{fulcio,rekor,tsa}_url` (default: the public-good instance).
 * When a trusted root is at hand, the new bundle is checked before it is written.
 */
import { AamError } from "../../errors.ts";
import { fs, proc, run } from "../../runtime/index.ts";
import type { ExternalSigner } from "../../cli/commands/_signing.ts";
import { createSigstoreBundle, DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL, DEFAULT_TSA_URL } from "./create_bundle.ts";
import { checkIdentityToken } from "./identity_token.ts";
import { verifySigstoreBundle } from "./verify_bundle.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";

export const signWithSigstore: ExternalSigner = async (ctx, archive, _packageHash, opts) => {
  const cfg = (await ctx.config()).merged.security;
  let token = (opts.identityToken ?? proc.env("SIGSTORE_ID_TOKEN") ?? "").trim();
  if (token === "") {
    if (!proc.isStdinTTY()) {
      throw new AamError("UsageError", 'Cannot sign with "sigstore": no OIDC identity token', {
        hint: "pass --identity-token <jwt> or set SIGSTORE_ID_TOKEN (in GitHub Actions: request one with `id-token: write` and audience \"sigstore\"), or run on a terminal to sign in with a browser",
      });
    }
    const { interactiveIdentityToken, DEFAULT_OIDC_ISSUER } = await import("./oauth_flow.ts");
    token = await interactiveIdentityToken({
      issuer: cfg.sigstore?.oidc_issuer ?? DEFAULT_OIDC_ISSUER,
      openUrl: async (url) => {
        ctx.out.warn(`sign in with your browser to sign keylessly:\n  ${url}`);
        await run(proc.platform() === "darwin" ? "open" : "xdg-open", [url]).catch(() => null); // best effort: the URL is printed
      },
    });
  }
  const claims = checkIdentityToken(token, ctx.now());
  const services = {
    fulcioUrl: cfg.sigstore?.fulcio_url ?? DEFAULT_FULCIO_URL,
    rekorUrl: cfg.sigstore?.rekor_url ?? DEFAULT_REKOR_URL,
    tsaUrl: cfg.sigstore?.tsa_url ?? DEFAULT_TSA_URL,
  };
  ctx.out.progress(`Signing as ${claims.subject} through ${services.fulcioUrl}`, 0, 1);
  const bundle = await createSigstoreBundle({ artifact: archive, identityToken: token, ...services });
  ctx.out.clearProgress();
  // As minisign does: check a new signature before writing it, when this machine can.
  const rootFile = fs.path.join(ctx.home, "trusted_root.json");
  const root = await fs.readTextIfExists(rootFile, DOCUMENT_LIMIT);
  if (root === null) {
    ctx.out.warn(`the new Sigstore signature was not checked: no ${rootFile} (aam trust-root update, or aam trust-root import <file>)`);
  } else {
    try {
      await verifySigstoreBundle({ bundle, artifact: archive, trustedRoot: root, bundleFile: "the new bundle", trustedRootFile: rootFile, verifyTransparencyLog: cfg.verify_transparency_log !== false });
    } catch (e) {
      if (!(e instanceof AamError)) throw e;
      ctx.out.warn(`the new Sigstore signature does not verify against ${rootFile} (${e.message}); verifiers will need the trusted root of ${services.fulcioUrl}`);
    }
  }
  return { entry: { algorithm: "sigstore", bundle }, keys: [] };
};

/**
 * What the user types back in the out-of-band sign-in (`--oidc-manual`): the authorization code the
 * identity provider showed, or the whole redirect URL copied from the browser's address bar. Pure.
 */
import { AamError } from "../../errors.ts";

/** The out-of-band redirect (cosign, sigstore-python, Dex): the provider shows the code instead of redirecting. */
export const OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob";

const HINT = "paste the code the sign-in page shows, or the whole URL it redirected to";
// Authorization codes are opaque but URL-safe; anything else is not one.
const CODE = /^[A-Za-z0-9\-._~+/=]+$/;

/**
 * The answer as redirect parameters. A URL (or bare query) brings its own `state`, checked by the
 * caller against the request; a bare code has none to check and stands on PKCE: only this process
 * holds the verifier the code is bound to.
 */
export function oobAnswer(typed: string, state: string): URLSearchParams {
  const text = typed.trim();
  if (text === "") throw new AamError("UsageError", "Cannot sign in for keyless signing: no authorization code was entered", { hint: HINT });
  const q = text.indexOf("?");
  // A query copied without its URL counts too; a code may itself end in "=" padding.
  const query = q >= 0 ? text.slice(q + 1).split("#")[0] : /(^|&)(code|state|error)=/.test(text) ? text : null;
  if (query !== null) return new URLSearchParams(query);
  if (!CODE.test(text)) {
    throw new AamError("UsageError", "Cannot sign in for keyless signing: what was entered is neither an authorization code nor a redirect URL", { hint: HINT });
  }
  return new URLSearchParams({ code: text, state });
}

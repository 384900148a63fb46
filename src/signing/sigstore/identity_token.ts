/**
 * A first look at an OIDC identity token before it is sent to Fulcio (SPEC §5 keyless signing):
 * it must be a JWT with a subject, and not expired. The signature is Fulcio's to check. Pure;
 * messages never include the token.
 */
import { AamError } from "../../errors.ts";
import { fromBase64 } from "../../encoding/base64.ts";

export interface TokenClaims {
  subject: string;
  issuer: string;
  /** Expiry, when the token says. */
  expiresAt?: Date;
}

function decodeSegment(seg: string): unknown {
  const b64 = seg.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = fromBase64(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  if (!bytes) return null;
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
}

/**
 * @throws {AamError} UsageError when the token is not a JWT with `iss` and `sub`/`email`, or expired at `now`.
 */
export function checkIdentityToken(token: string, now: Date): TokenClaims {
  const hint = "pass a fresh token with --identity-token or SIGSTORE_ID_TOKEN (OIDC tokens live a few minutes)";
  const parts = token.split(".");
  const claims = parts.length === 3 ? decodeSegment(parts[1]) : null;
  if (typeof claims !== "object" || claims === null) {
    throw new AamError("UsageError", 'Cannot sign with "sigstore": the OIDC identity token is not a JWT', { hint });
  }
  const c = claims as { iss?: unknown; sub?: unknown; email?: unknown; exp?: unknown };
  const subject = typeof c.email === "string" ? c.email : typeof c.sub === "string" ? c.sub : "";
  if (typeof c.iss !== "string" || subject === "") {
    throw new AamError("UsageError", 'Cannot sign with "sigstore": the OIDC identity token has no issuer or subject', { hint });
  }
  const expiresAt = typeof c.exp === "number" ? new Date(c.exp * 1000) : undefined;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw new AamError("UsageError", `Cannot sign with "sigstore": the OIDC identity token expired at ${expiresAt.toISOString()}`, {
      expected: `a token valid at ${now.toISOString()}`,
      hint,
    });
  }
  return { subject, issuer: c.iss, expiresAt };
}

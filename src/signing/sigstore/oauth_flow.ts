/**
 * The interactive browser sign-in for keyless signing (SPEC §5), as cosign does it: OpenID Connect
 * authorization code flow with PKCE (RFC 7636, S256) and a loopback redirect on 127.0.0.1 (RFC 8252).
 * The identity token it returns goes to Fulcio like one from --identity-token.
 */
import { AamError } from "../../errors.ts";
import { toBase64 } from "../../encoding/base64.ts";
import { listenForCallback, randomBytes } from "../../runtime/index.ts";
import { readBodyBounded } from "../../registry/source_http.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";

export const DEFAULT_OIDC_ISSUER = "https://oauth2.sigstore.dev/auth";
export const DEFAULT_CLIENT_ID = "sigstore";

export interface OAuthOptions {
  issuer: string;
  clientId?: string;
  /** Shows the sign-in URL to the user (and may open a browser). */
  openUrl: (url: string) => void | Promise<void>;
  timeoutMs?: number;
}

const base64url = (b: Uint8Array) => toBase64(b).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

function failed(message: string, hint: string): AamError {
  return new AamError("Error", `Cannot sign in for keyless signing: ${message}`, { hint });
}

async function getJson(url: string, init?: RequestInit): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw failed(`cannot reach ${new URL(url).origin} (${(e as Error).message})`, "check the network, or pass --identity-token <jwt> / SIGSTORE_ID_TOKEN");
  }
  // The issuer's answer is outside input: read within the document limit.
  let body: string;
  try {
    body = new TextDecoder().decode(await readBodyBounded(res, DOCUMENT_LIMIT, url));
  } catch (e) {
    if (e instanceof AamError) throw e;
    throw failed(`${url} broke off its answer (${(e as Error).message})`, "check the network, or pass --identity-token <jwt> / SIGSTORE_ID_TOKEN");
  }
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    doc = null; // reported below
  }
  if (!res.ok || typeof doc !== "object" || doc === null) {
    throw failed(`${url} answered HTTP ${res.status}`, "check security.sigstore.oidc_issuer, or pass --identity-token <jwt>");
  }
  return doc as Record<string, unknown>;
}

function tokenNonce(jwt: string): unknown {
  const payload = jwt.split(".")[1] ?? "";
  try {
    const b64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4))).nonce;
  } catch {
    return undefined; // not a JWT: refused by the caller's nonce comparison
  }
}

/** Runs the browser sign-in and answers the OIDC identity token. */
export async function interactiveIdentityToken(opts: OAuthOptions): Promise<string> {
  const issuer = opts.issuer.replace(/\/$/, "");
  const clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
  const conf = await getJson(`${issuer}/.well-known/openid-configuration`);
  const authEndpoint = conf.authorization_endpoint;
  const tokenEndpoint = conf.token_endpoint;
  if (typeof authEndpoint !== "string" || typeof tokenEndpoint !== "string") {
    throw failed(`${issuer} publishes no authorization or token endpoint`, "check security.sigstore.oidc_issuer");
  }
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const cb = await listenForCallback("/auth/callback", opts.timeoutMs ?? 300_000);
  try {
    const url = new URL(authEndpoint);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      scope: "openid email",
      redirect_uri: cb.redirectUri,
      code_challenge: base64url(await sha256(verifier)),
      code_challenge_method: "S256",
      state,
      nonce,
    }).toString();
    await opts.openUrl(url.toString());
    let params: URLSearchParams;
    try {
      params = await cb.result;
    } catch (e) {
      throw failed((e as Error).message, "run the command again and finish signing in within 5 minutes, or pass --identity-token <jwt>");
    }
    // The state ties this redirect to the request we made: anything else is refused.
    if (params.get("state") !== state) throw failed("the sign-in answer does not match the request (state)", "run the command again");
    const err = params.get("error");
    if (err) throw failed(`the identity provider refused: ${err} ${params.get("error_description") ?? ""}`.trim(), "run the command again");
    const code = params.get("code");
    if (!code) throw failed("the sign-in answer carries no authorization code", "run the command again");
    const token = await getJson(tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: cb.redirectUri, client_id: clientId, code_verifier: verifier }).toString(),
    });
    if (typeof token.id_token !== "string") throw failed("the token endpoint returned no id_token", "check security.sigstore.oidc_issuer");
    // The nonce ties the token to this sign-in: a token minted for another request is refused.
    if (tokenNonce(token.id_token) !== nonce) throw failed("the identity token was not issued for this sign-in (nonce)", "run the command again");
    return token.id_token;
  } finally {
    cb.close();
  }
}

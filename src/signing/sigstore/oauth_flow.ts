/**
 * The interactive sign-in for keyless signing (SPEC §5), as cosign does it: OpenID Connect
 * authorization code flow with PKCE (RFC 7636, S256), the redirect coming back to a loopback listener
 * on 127.0.0.1 (RFC 8252) or, with --oidc-manual, typed back by the user (out of band). The identity
 * token it returns goes to Fulcio like one from --identity-token.
 */
import { AamError } from "../../errors.ts";
import { toBase64 } from "../../encoding/base64.ts";
import { listenForCallback, randomBytes } from "../../runtime/index.ts";
import { readBodyBounded } from "../../registry/source_http.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";
import { oobAnswer, OOB_REDIRECT_URI } from "./oob_answer.ts";

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

/** One authorization request: what the answer and the token exchange are checked against. */
interface SignInRequest {
  url: string;
  redirectUri: string;
  clientId: string;
  tokenEndpoint: string;
  verifier: string;
  state: string;
  nonce: string;
}

async function endpoints(issuerUrl: string): Promise<{ auth: string; token: string }> {
  const issuer = issuerUrl.replace(/\/$/, "");
  const conf = await getJson(`${issuer}/.well-known/openid-configuration`);
  if (typeof conf.authorization_endpoint !== "string" || typeof conf.token_endpoint !== "string") {
    throw failed(`${issuer} publishes no authorization or token endpoint`, "check security.sigstore.oidc_issuer");
  }
  return { auth: conf.authorization_endpoint, token: conf.token_endpoint };
}

/** A fresh PKCE verifier, state and nonce, and the authorization URL carrying them. */
async function newRequest(ep: { auth: string; token: string }, clientId: string, redirectUri: string): Promise<SignInRequest> {
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const url = new URL(ep.auth);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    scope: "openid email",
    redirect_uri: redirectUri,
    code_challenge: base64url(await sha256(verifier)),
    code_challenge_method: "S256",
    state,
    nonce,
  }).toString();
  return { url: url.toString(), redirectUri, clientId, tokenEndpoint: ep.token, verifier, state, nonce };
}

/** Checks the answer (state, error, code) and trades the code, with the PKCE verifier, for the identity token. */
async function redeem(req: SignInRequest, params: URLSearchParams, again: string): Promise<string> {
  // The state ties this answer to the request we made: anything else is refused.
  if (params.get("state") !== req.state) throw failed("the sign-in answer does not match this request (state)", again);
  const err = params.get("error");
  if (err) throw failed(`the identity provider refused: ${err} ${params.get("error_description") ?? ""}`.trim(), "run the command again");
  const code = params.get("code");
  if (!code) throw failed("the sign-in answer carries no authorization code", again);
  const token = await getJson(req.tokenEndpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: req.redirectUri, client_id: req.clientId, code_verifier: req.verifier }).toString(),
  });
  if (typeof token.id_token !== "string") throw failed("the token endpoint returned no id_token", "check security.sigstore.oidc_issuer");
  // The nonce ties the token to this sign-in: a token minted for another request is refused.
  if (tokenNonce(token.id_token) !== req.nonce) throw failed("the identity token was not issued for this sign-in (nonce)", "run the command again");
  return token.id_token;
}

/** Runs the browser sign-in and answers the OIDC identity token. */
export async function interactiveIdentityToken(opts: OAuthOptions): Promise<string> {
  const ep = await endpoints(opts.issuer);
  const cb = await listenForCallback("/auth/callback", opts.timeoutMs ?? 300_000);
  try {
    const req = await newRequest(ep, opts.clientId ?? DEFAULT_CLIENT_ID, cb.redirectUri);
    await opts.openUrl(req.url);
    let params: URLSearchParams;
    try {
      params = await cb.result;
    } catch (e) {
      throw failed((e as Error).message, "run the command again and finish signing in within 5 minutes, or pass --identity-token <jwt>");
    }
    return await redeem(req, params, "run the command again");
  } finally {
    cb.close();
  }
}

export interface ManualOAuthOptions {
  issuer: string;
  clientId?: string;
  /** Shows the sign-in URL to the user. */
  showUrl: (url: string) => void;
  /** The line the user typed: the code the provider showed, or the whole redirect URL. */
  readAnswer: () => Promise<string>;
}

/**
 * The sign-in without a browser on this machine or a loopback listener (`--oidc-manual`: SSH
 * sessions, containers), as cosign's and sigstore-python's out-of-band flow: the redirect is
 * `urn:ietf:wg:oauth:2.0:oob`, the user opens the URL anywhere and types back what the provider shows.
 */
export async function manualIdentityToken(opts: ManualOAuthOptions): Promise<string> {
  const req = await newRequest(await endpoints(opts.issuer), opts.clientId ?? DEFAULT_CLIENT_ID, OOB_REDIRECT_URI);
  opts.showUrl(req.url);
  return await redeem(req, oobAnswer(await opts.readAnswer(), req.state), "paste the code or redirect URL of this sign-in (run the command again for a new one)");
}

/**
 * A stand-in OpenID Connect issuer on 127.0.0.1 for the keyless sign-in flows: discovery, an
 * authorization endpoint that "signs the user in" at once and redirects with a code (to the loopback
 * listener, or to `urn:ietf:wg:oauth:2.0:oob?code=…&state=…` for the out-of-band flow, where the test
 * reads it from the Location header as a user would from the address bar), and a token endpoint that
 * checks the PKCE verifier and redirect URI. Its id_tokens are unsigned JWTs (the mock Fulcio decodes
 * without verifying) carrying the request's nonce.
 */
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface OidcIssuer {
  url: string;
  close(): Promise<void>;
}

export interface IssuerOptions {
  /** The signed-in user's email (the certificate's identity). */
  email?: string;
  /** Answer with a nonce other than the request's. */
  badNonce?: boolean;
  /** Refuse the sign-in (error=access_denied). */
  deny?: boolean;
}

const b64url = (b: Buffer) => b.toString("base64url");
const jwt = (claims: object) => `${b64url(Buffer.from('{"alg":"none","typ":"JWT"}'))}.${b64url(Buffer.from(JSON.stringify(claims)))}.sig`;

export async function startOidcIssuer(opts: IssuerOptions = {}): Promise<OidcIssuer> {
  const email = opts.email ?? "u@example.org";
  const pending = new Map<string, { challenge: string; nonce: string; redirect: string }>();
  let n = 0;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === "/.well-known/openid-configuration") {
      res.end(JSON.stringify({ issuer: base, authorization_endpoint: `${base}/auth`, token_endpoint: `${base}/token` }));
    } else if (url.pathname === "/auth") {
      const p = url.searchParams;
      const back = new URL(p.get("redirect_uri")!);
      if (opts.deny) back.searchParams.set("error", "access_denied");
      else {
        const code = `c0de-${++n}`;
        pending.set(code, { challenge: p.get("code_challenge")!, nonce: p.get("nonce")!, redirect: p.get("redirect_uri")! });
        back.searchParams.set("code", code);
      }
      back.searchParams.set("state", p.get("state")!);
      res.writeHead(302, { location: back.toString() }).end();
    } else if (url.pathname === "/token") {
      let body = "";
      for await (const c of req) body += c;
      const f = new URLSearchParams(body);
      const p = pending.get(f.get("code") ?? "");
      const ok = p && p.redirect === f.get("redirect_uri") && b64url(createHash("sha256").update(f.get("code_verifier") ?? "").digest()) === p.challenge;
      if (!ok) return res.writeHead(400).end(JSON.stringify({ error: "invalid_grant" }));
      pending.delete(f.get("code")!); // a code is redeemed once
      const now = Math.floor(Date.now() / 1000);
      const claims = { iss: base, sub: email, email, email_verified: true, aud: "sigstore", iat: now, exp: now + 600, nonce: opts.badNonce ? "other" : p!.nonce };
      res.end(JSON.stringify({ id_token: jwt(claims) }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => (server.closeAllConnections(), server.close(() => ok()))),
  };
}

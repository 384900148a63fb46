import { describe, test, expect, afterEach } from "bun:test";
import { createServer, type Server } from "node:http";
import { createHash } from "node:crypto";
import { interactiveIdentityToken, manualIdentityToken } from "./oauth_flow.ts";
import { OOB_REDIRECT_URI } from "./oob_answer.ts";
import { catchAamError } from "../../../test/helpers/errors.ts";

const b64url = (b: Buffer) => b.toString("base64").replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const jwt = (claims: object) => `${b64url(Buffer.from('{"alg":"none"}'))}.${b64url(Buffer.from(JSON.stringify(claims)))}.sig`;

let server: Server | undefined;
afterEach(() => server?.close());

/** A stand-in OIDC issuer on 127.0.0.1: authorization redirects at once; the token endpoint checks PKCE. */
async function mockIssuer(opts: { badNonce?: boolean; deny?: boolean } = {}): Promise<string> {
  const pending = new Map<string, { challenge: string; nonce: string; redirect: string }>();
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const base = `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
    if (url.pathname === "/.well-known/openid-configuration") {
      res.end(JSON.stringify({ issuer: base, authorization_endpoint: `${base}/auth`, token_endpoint: `${base}/token` }));
    } else if (url.pathname === "/auth") {
      const p = url.searchParams;
      const back = new URL(p.get("redirect_uri")!);
      if (opts.deny) back.searchParams.set("error", "access_denied");
      else {
        pending.set("c0de", { challenge: p.get("code_challenge")!, nonce: p.get("nonce")!, redirect: p.get("redirect_uri")! });
        back.searchParams.set("code", "c0de");
      }
      back.searchParams.set("state", p.get("state")!);
      res.writeHead(302, { location: back.toString() }).end();
    } else if (url.pathname === "/token") {
      let body = "";
      for await (const c of req) body += c;
      const f = new URLSearchParams(body);
      const p = pending.get(f.get("code")!);
      const ok = p && p.redirect === f.get("redirect_uri") && b64url(createHash("sha256").update(f.get("code_verifier")!).digest()) === p.challenge;
      if (!ok) return res.writeHead(400).end(JSON.stringify({ error: "invalid_grant" }));
      res.end(JSON.stringify({ id_token: jwt({ iss: base, sub: "u", email: "u@example.org", nonce: opts.badNonce ? "other" : p!.nonce }) }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server!.listen(0, "127.0.0.1", ok));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** Plays the browser: follows the sign-in URL and its redirect back to aam's loopback listener. */
async function browser(url: string): Promise<void> {
  const res = await fetch(url, { redirect: "manual" });
  await fetch(res.headers.get("location")!);
}

describe("interactiveIdentityToken()", () => {
  test("returns the id_token after a PKCE code exchange through the loopback redirect", async () => {
    const issuer = await mockIssuer();
    const token = await interactiveIdentityToken({ issuer, openUrl: (u) => void browser(u) });
    expect(JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).email).toBe("u@example.org");
  });

  test("refuses a token whose nonce belongs to another sign-in", async () => {
    const issuer = await mockIssuer({ badNonce: true });
    expect((await catchAamError(interactiveIdentityToken({ issuer, openUrl: (u) => void browser(u) }))).code).toBe("Error");
  });

  test("reports the provider's refusal", async () => {
    const issuer = await mockIssuer({ deny: true });
    const err = await catchAamError(interactiveIdentityToken({ issuer, openUrl: (u) => void browser(u) }));
    expect(err.message).toContain("access_denied");
  });

  test("gives up when the browser never comes back", async () => {
    const issuer = await mockIssuer();
    const err = await catchAamError(interactiveIdentityToken({ issuer, openUrl: () => {}, timeoutMs: 200 }));
    expect(err.code).toBe("Error");
  });

  test("an unreachable issuer is a clear error", async () => {
    const err = await catchAamError(interactiveIdentityToken({ issuer: "http://127.0.0.1:9", openUrl: () => {} }));
    expect(err.details.hint).toContain("--identity-token");
  });
});

/** Plays the user on another machine: signs in at the URL and reads where the provider sends the answer. */
async function signInElsewhere(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: "manual" });
  return new URL(res.headers.get("location")!);
}

describe("manualIdentityToken() (--oidc-manual)", () => {
  async function manual(issuer: string, answer: (redirect: URL) => string): Promise<string> {
    let shown = "";
    return await manualIdentityToken({
      issuer,
      showUrl: (u) => void (shown = u),
      readAnswer: async () => answer(await signInElsewhere(shown)),
    });
  }

  test("asks for the out-of-band redirect and trades the typed code, with the PKCE verifier, for the token", async () => {
    const issuer = await mockIssuer();
    let asked: URL | undefined;
    const token = await manual(issuer, (r) => {
      asked = r;
      return `  ${r.searchParams.get("code")}\n`;
    });
    expect(asked!.protocol).toBe("urn:");
    expect(`${asked!.protocol}${asked!.pathname}`).toBe(OOB_REDIRECT_URI);
    expect(JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).email).toBe("u@example.org");
  });

  test("takes the whole redirect URL pasted back, and checks its state", async () => {
    const issuer = await mockIssuer();
    expect(await manual(issuer, (r) => r.toString())).toContain(".");
    const other = await catchAamError(manual(issuer, (r) => (r.searchParams.set("state", "someone-elses"), r.toString())));
    expect(other.code).toBe("Error");
    expect(other.message).toContain("state");
    const none = await catchAamError(manual(issuer, (r) => (r.searchParams.delete("state"), r.toString())));
    expect(none.message).toContain("state");
  });

  test("a code the issuer did not issue for this request is refused at the token endpoint", async () => {
    const issuer = await mockIssuer();
    const err = await catchAamError(manual(issuer, () => "not-the-code"));
    expect(err.code).toBe("Error");
    expect(err.message).toContain("HTTP 400");
  });

  test("the provider's refusal, pasted back, is reported", async () => {
    const issuer = await mockIssuer({ deny: true });
    expect((await catchAamError(manual(issuer, (r) => r.toString()))).message).toContain("access_denied");
  });

  test("an empty answer or one that is neither a code nor a URL is a UsageError", async () => {
    const issuer = await mockIssuer();
    expect((await catchAamError(manual(issuer, () => "  "))).code).toBe("UsageError");
    expect((await catchAamError(manual(issuer, () => "https://example.org/no-query"))).code).toBe("UsageError");
    expect((await catchAamError(manual(issuer, () => "two words"))).code).toBe("UsageError");
  });
});

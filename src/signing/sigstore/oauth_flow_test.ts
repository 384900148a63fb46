import { describe, test, expect, afterEach } from "bun:test";
import { interactiveIdentityToken, manualIdentityToken } from "./oauth_flow.ts";
import { OOB_REDIRECT_URI } from "./oob_answer.ts";
import { catchAamError } from "../../../test/helpers/errors.ts";
import { startOidcIssuer, type OidcIssuer, type IssuerOptions } from "../../../test/oidc_issuer.ts";

let issuerServer: OidcIssuer | undefined;
afterEach(async () => await issuerServer?.close());

async function mockIssuer(opts: IssuerOptions = {}): Promise<string> {
  issuerServer = await startOidcIssuer(opts);
  return issuerServer.url;
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

import { describe, test, expect } from "bun:test";
import { checkIdentityToken } from "./identity_token.ts";
import { AamError } from "../../errors.ts";
import { errorCodeOf as code } from "../../../test/helpers/errors.ts";

const b64url = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const jwt = (claims: unknown) => `${b64url({ alg: "RS256" })}.${b64url(claims)}.c2ln`;
const NOW = new Date("2025-01-01T00:00:00Z");
const exp = (d: Date) => Math.floor(d.getTime() / 1000);


describe("checkIdentityToken()", () => {
  test("checkIdentityToken() answers the e-mail (else sub) and issuer of a current token", () => {
    const t = jwt({ iss: "https://accounts.example.com", sub: "123", email: "a@example.com", exp: exp(NOW) + 60 });
    expect(checkIdentityToken(t, NOW)).toMatchObject({ subject: "a@example.com", issuer: "https://accounts.example.com" });
    expect(checkIdentityToken(jwt({ iss: "https://i", sub: "repo:x" }), NOW).subject).toBe("repo:x");
  });

  test.each([
    ["not a JWT", "abc"],
    ["a JWT whose claims are not JSON", "a.b.c"],
    ["a JWT without an issuer", jwt({ sub: "x" })],
    ["a JWT without a subject", jwt({ iss: "https://i" })],
    ["an expired JWT", jwt({ iss: "https://i", sub: "x", exp: exp(NOW) - 1 })],
  ])("checkIdentityToken() throws UsageError for %s", (_what, token) => {
    expect(code(() => checkIdentityToken(token, NOW))).toBe("UsageError");
  });

  test("checkIdentityToken() never puts the token in its message", () => {
    const t = jwt({ iss: "https://i", sub: "secret-subject", exp: 1 });
    let shown = "";
    try {
      checkIdentityToken(t, NOW);
    } catch (e) {
      shown = JSON.stringify({ m: (e as AamError).message, d: (e as AamError).details });
    }
    expect(shown).toContain("expired");
    expect(shown).not.toContain(t.split(".")[1]);
    expect(shown).not.toContain("secret-subject");
  });
});

import { describe, test, expect } from "bun:test";
import { verifyExpectedSigner, identityMatches } from "./expect_signer.ts";
import { WHEEL_IDENTITY, GHA_ISSUER } from "../../../test/helpers/sigstore_fixtures.ts";
import { errorCodeOf as code } from "../../../test/helpers/errors.ts";


describe("identityMatches()", () => {
  test("identityMatches() accepts the exact identity and whole-owner patterns", () => {
    expect(identityMatches(WHEEL_IDENTITY, WHEEL_IDENTITY, GHA_ISSUER)).toBe(true);
    expect(identityMatches("github:trailofbits", WHEEL_IDENTITY, GHA_ISSUER)).toBe(true);
    expect(identityMatches("*@example.com", "alice@example.com", "https://accounts.google.com")).toBe(true);
  });

  // @sigstore/verify's SAN policy is an unanchored RegExp: each of these would pass there.
  test.each([
    ["a part of the URI", "trailofbits"],
    ["the tag prefix", "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1"],
    ["a regular expression", ".*"],
    ["another owner that is a prefix", "github:trailofbit"],
  ])("identityMatches() rejects %s", (_what, pattern) => {
    expect(identityMatches(pattern, WHEEL_IDENTITY, GHA_ISSUER)).toBe(false);
  });

  test("identityMatches() rejects a look-alike domain for *@domain", () => {
    expect(identityMatches("*@example.com", "alice@example.com.evil", "https://accounts.google.com")).toBe(false);
  });
});

describe("verifyExpectedSigner()", () => {
  const actual = { identity: WHEEL_IDENTITY, issuer: GHA_ISSUER };
  test("verifyExpectedSigner() accepts the expected identity and issuer", () => {
    expect(code(() => verifyExpectedSigner(actual, actual, "f"))).toBeUndefined();
  });
  test("verifyExpectedSigner() throws UntrustedSigner for a wrong identity or issuer", () => {
    expect(code(() => verifyExpectedSigner(actual, { ...actual, identity: "trailofbits" }, "f"))).toBe("UntrustedSigner");
    expect(code(() => verifyExpectedSigner(actual, { ...actual, issuer: "https://accounts.google.com" }, "f"))).toBe("UntrustedSigner");
    expect(code(() => verifyExpectedSigner(actual, { ...actual, issuer: GHA_ISSUER + "/" }, "f"))).toBe("UntrustedSigner");
  });
});

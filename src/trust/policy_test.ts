import { describe, test, expect } from "bun:test";
import { isIdentityTrusted, isKeyTrustedFor, matchesPackagePattern, type TrustPolicy } from "./policy.ts";

const A = "a".repeat(64);
const B = "b".repeat(64);
const C = "c".repeat(64);
const PGP = "0123456789ABCDEF0123456789ABCDEF01234567";

function policy(p: Partial<TrustPolicy> = {}): TrustPolicy {
  return {
    trustedKeys: [],
    revokedKeys: [],
    trustedIdentities: [],
    allowedIssuers: [],
    signingDelegates: {},
    requireSignature: false,
    onSignatureFailure: "warn",
    ...p,
  };
}

describe("isKeyTrustedFor()", () => {
  // [case, fingerprint, package, policy, trusted]
  const table: [string, string, string, TrustPolicy, boolean][] = [
    ["a listed key", A, "@x/y", policy({ trustedKeys: [A] }), true],
    ["a listed key, other case", A.toUpperCase(), "@x/y", policy({ trustedKeys: [A] }), true],
    ["an OpenPGP key listed in lowercase with spaces", PGP, "@x/y", policy({ trustedKeys: ["0123 4567 89ab cdef 0123  4567 89ab cdef 0123 4567"] }), true],
    ["an unlisted key", B, "@x/y", policy({ trustedKeys: [A] }), false],
    ["no trusted keys at all", A, "@x/y", policy(), false],
    ["a revoked key that is also trusted", A, "@x/y", policy({ trustedKeys: [A], revokedKeys: [A.toUpperCase()] }), false],
    ["a delegated key in scope", A, "@acme/tool", policy({ trustedKeys: [A], signingDelegates: { [A]: ["@acme/*"] } }), true],
    ["a delegated key out of scope", A, "@other/tool", policy({ trustedKeys: [A], signingDelegates: { [A]: ["@acme/*"] } }), false],
    ["a delegated key and a look-alike scope", A, "@acme-evil/tool", policy({ trustedKeys: [A], signingDelegates: { [A]: ["@acme/*"] } }), false],
    ["a delegated key with an exact package", A, "@acme/tool", policy({ trustedKeys: [A], signingDelegates: { [A.toUpperCase()]: ["@acme/tool"] } }), true],
    ["a delegated key with '*'", A, "anything", policy({ trustedKeys: [A], signingDelegates: { [A]: ["*"] } }), true],
    ["a key delegated for nothing", A, "@acme/tool", policy({ trustedKeys: [A], signingDelegates: { [A]: [] } }), false],
    ["delegation alone does not trust a key", A, "@acme/tool", policy({ signingDelegates: { [A]: ["@acme/*"] } }), false],
    ["another key's delegation does not limit this one", A, "@other/tool", policy({ trustedKeys: [A, C], signingDelegates: { [C]: ["@acme/*"] } }), true],
    ["a revoked delegated key in scope", A, "@acme/tool", policy({ trustedKeys: [A], revokedKeys: [A], signingDelegates: { [A]: ["@acme/*"] } }), false],
    ["an empty fingerprint", "", "@x/y", policy({ trustedKeys: [""] }), false],
  ];
  test.each(table)("isKeyTrustedFor() with %s", (_n, fp, pkg, p, trusted) => {
    const r = isKeyTrustedFor(fp, pkg, p);
    expect(r.trusted).toBe(trusted);
    expect(r.reason.length).toBeGreaterThan(0);
  });
  test("isKeyTrustedFor() says why a revoked key is refused", () => {
    expect(isKeyTrustedFor(A, "p", policy({ trustedKeys: [A], revokedKeys: [A] })).reason).toContain("revoked");
  });
});

describe("matchesPackagePattern()", () => {
  test.each([
    ["*", "@a/b", true],
    ["*", "plain", true],
    ["@acme/*", "@acme/x", true],
    ["@acme/*", "@acme/", false],
    ["@acme/*", "@acme/x/y", false],
    ["@acme/*", "@acmex/y", false],
    ["@acme/tool-*", "@acme/tool-cli", true],
    ["@acme/tool-*", "@acme/other", false],
    ["@acme/tool", "@acme/tool", true],
    ["@acme/tool", "@acme/tool2", false],
    ["@acme/t.ol", "@acme/tool", false],
    ["", "x", false],
  ])("matchesPackagePattern(%p, %p) is %p", (p, n, expected) => {
    expect(matchesPackagePattern(p, n)).toBe(expected);
  });
});

describe("isIdentityTrusted()", () => {
  const WF = "https://github.com/acme/tool/.github/workflows/release.yml@refs/tags/v1";
  const GHA = "https://token.actions.githubusercontent.com";
  test.each([
    ["a matching identity, no issuer list", "dev@acme.com", "https://accounts.google.com", policy({ trustedIdentities: ["*@acme.com"] }), true],
    ["a matching identity and allowed issuer", WF, GHA, policy({ trustedIdentities: ["github:acme"], allowedIssuers: [GHA] }), true],
    ["a matching identity, issuer not allowed", "dev@acme.com", "https://evil.example", policy({ trustedIdentities: ["*@acme.com"], allowedIssuers: [GHA] }), false],
    ["no matching pattern", "dev@evil.com", GHA, policy({ trustedIdentities: ["*@acme.com", "github:acme"] }), false],
    ["no trusted identities", "dev@acme.com", GHA, policy(), false],
    ["an invalid pattern among valid ones", "dev@acme.com", "", policy({ trustedIdentities: ["acme", "*@acme.com"] }), true],
    ["an invalid pattern only", "acme", "", policy({ trustedIdentities: ["acme"] }), false],
    ["an empty identity", "", GHA, policy({ trustedIdentities: ["*@acme.com"] }), false],
  ])("isIdentityTrusted() with %s", (_n, identity, issuer, p, trusted) => {
    expect(isIdentityTrusted(identity, issuer, p).trusted).toBe(trusted);
  });
});

describe("isIdentityTrusted() with identity delegates", () => {
  const p = policy({
    trustedIdentities: ["*@example.com"],
    signingDelegates: { "*@example.com": ["@team/*"], "bob@example.com": ["@team/tool"], ["a".repeat(64)]: ["@other/*"] },
  });
  test("every entry whose pattern matches the identity limits it (they never add up)", () => {
    expect(isIdentityTrusted("alice@example.com", "", p, "@team/x").trusted).toBe(true);
    expect(isIdentityTrusted("alice@example.com", "", p, "@other/x").trusted).toBe(false);
    expect(isIdentityTrusted("bob@example.com", "", p, "@team/tool").trusted).toBe(true);
    expect(isIdentityTrusted("bob@example.com", "", p, "@team/x").reason).toContain('delegated by "bob@example.com" only for "@team/tool"');
  });
  test("without a package name, or with no matching entry, delegates do not apply", () => {
    expect(isIdentityTrusted("bob@example.com", "", p).trusted).toBe(true);
    expect(isIdentityTrusted("carol@example.com", "", policy({ trustedIdentities: ["*@example.com"], signingDelegates: { "bob@example.com": [] } }), "@any/x").trusted).toBe(true);
  });
});

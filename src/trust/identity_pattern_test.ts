import { describe, test, expect } from "bun:test";
import { AamError } from "../errors.ts";
import { compileIdentityPattern, isIdentityPattern, parseIdentityPattern, GITHUB_ACTIONS_ISSUER, GITHUB_OAUTH_ISSUER, GITLAB_ISSUER } from "./identity_pattern.ts";

const WF = "https://github.com/trailofbits/tool/.github/workflows/release.yml@refs/heads/main";

// [pattern, identity, issuer | undefined, expected]
const table: [string, string, string | undefined, boolean][] = [
  // exact addresses
  ["alice@example.com", "alice@example.com", undefined, true],
  ["alice@example.com", "alice@EXAMPLE.com", undefined, true],
  ["alice@example.com", "Alice@example.com", undefined, false],
  ["alice@example.com", "evil-alice@example.com", undefined, false],
  ["alice@example.com", "alice@example.com.evil", undefined, false],
  ["alice@example.com", "xalice@example.com", undefined, false],
  ["alice@example.com", "alice@example.comx", undefined, false],
  // any local part at one domain
  ["*@example.com", "bob@example.com", undefined, true],
  ["*@example.com", "bob@Example.COM", undefined, true],
  ["*@example.com", "a@example.com.evil", undefined, false],
  ["*@example.com", "a@sub.example.com", undefined, false],
  ["*@example.com", "a@evilexample.com", undefined, false],
  ["*@example.com", "@example.com", undefined, false],
  ["*@example.com", "a@b@example.com", undefined, false],
  ["*@example.com", "https://example.com/x", undefined, false],
  // github:owner
  ["github:trailofbits", WF, GITHUB_ACTIONS_ISSUER, true],
  ["github:trailofbits", WF, GITHUB_OAUTH_ISSUER, true],
  ["github:trailofbits", WF, "https://accounts.google.com", false],
  // the provider's issuer is required: none, an empty or a look-alike one never matches
  ["github:trailofbits", WF, undefined, false],
  ["github:trailofbits", WF, "", false],
  ["github:trailofbits", WF, GITLAB_ISSUER, false],
  ["github:trailofbits", WF, GITHUB_ACTIONS_ISSUER + "/", false],
  ["github:trailofbits", WF, "https://token.actions.githubusercontent.com.evil", false],
  ["github:trailofbits", WF, "HTTPS://token.actions.githubusercontent.com", false],
  ["github:trailofbits", "https://github.com/trailofbits-evil/tool/.github/workflows/r.yml@refs/heads/main", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "https://github.com/evil/trailofbits/.github/workflows/r.yml@refs/heads/main", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "https://github.com/xtrailofbits/tool/.github/workflows/r.yml@refs/heads/main", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "https://github.com.evil.com/trailofbits/tool/.github/workflows/r.yml@refs/heads/main", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "https://evil@github.com/trailofbits/tool/x", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "https://gitlab.com/trailofbits/tool//.gitlab-ci.yml@refs/heads/main", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "https://github.com/trailofbits/", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "https://github.com/trailofbits", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "https://github.com/TrailOfBits/tool/.github/workflows/r.yml@refs/heads/main", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "trailofbits@github.com", GITHUB_ACTIONS_ISSUER, false],
  ["github:trailofbits", "http://github.com/trailofbits/tool/x", GITHUB_ACTIONS_ISSUER, false],
  // gitlab:owner
  ["gitlab:acme", "https://gitlab.com/acme/tool//.gitlab-ci.yml@refs/heads/main", GITLAB_ISSUER, true],
  ["gitlab:acme", "https://gitlab.com/acme/tool//.gitlab-ci.yml@refs/heads/main", undefined, false],
  ["gitlab:acme", "https://gitlab.com/acme/tool//.gitlab-ci.yml@refs/heads/main", "", false],
  ["gitlab:acme", "https://gitlab.com/acme/tool//.gitlab-ci.yml@refs/heads/main", "https://gitlab.example.com", false],
  ["gitlab:acme", "https://gitlab.com/acme/sub/tool//.gitlab-ci.yml@refs/heads/main", GITLAB_ISSUER, true],
  ["gitlab:acme", "https://gitlab.com/acme/tool//.gitlab-ci.yml@refs/heads/main", GITHUB_ACTIONS_ISSUER, false],
  ["gitlab:acme", "https://gitlab.com/acme-evil/tool//.gitlab-ci.yml@refs/heads/main", GITLAB_ISSUER, false],
  ["gitlab:acme", "https://github.com/acme/tool/.github/workflows/r.yml@refs/heads/main", GITLAB_ISSUER, false],
  // exact URIs
  [WF, WF, undefined, true],
  [WF, WF.replace("https://github.com", "HTTPS://GitHub.com"), undefined, true],
  [WF, WF.replace("main", "Main"), undefined, false],
  [WF, WF + "x", undefined, false],
  [WF, WF.replace("@refs/heads/main", ""), undefined, false],
  [WF, "x" + WF, undefined, false],
];

describe("compileIdentityPattern()", () => {
  test.each(table)("compileIdentityPattern(%p) on %p (issuer %p) answers %p", (pattern, identity, issuer, expected) => {
    expect(compileIdentityPattern(pattern)(identity, issuer)).toBe(expected);
  });
  test("compileIdentityPattern() never matches a non-string identity", () => {
    expect(compileIdentityPattern("*@example.com")(undefined as unknown as string)).toBe(false);
    expect(compileIdentityPattern(WF)(null as unknown as string)).toBe(false);
  });
});

describe("parseIdentityPattern()", () => {
  test.each([
    ["alice@example.com", "email"],
    ["*@example.com", "email_domain"],
    ["github:trailofbits", "github"],
    ["gitlab:acme", "gitlab"],
    [WF, "uri"],
  ])("parseIdentityPattern(%p) is %p", (p, kind) => {
    expect(parseIdentityPattern(p).kind).toBe(kind as never);
  });
  test.each([
    "trailofbits",
    "",
    "*",
    "*@*",
    "a*@example.com",
    "*@*.example.com",
    "alice@",
    "@example.com",
    "a@b@example.com",
    "github:",
    "github:a/b",
    "github:-x",
    "gitlab:",
    "https://github.com/trailofbits/*",
    "https:///path",
    "alice @example.com",
  ])("parseIdentityPattern(%p) throws UsageError", (p) => {
    let err: unknown;
    try {
      parseIdentityPattern(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AamError);
    expect(err).toMatchObject({ code: "UsageError" });
    expect((err as AamError).details.hint).toBeTruthy();
    expect(isIdentityPattern(p)).toBe(false);
  });
});

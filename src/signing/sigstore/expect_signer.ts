/**
 * `aam verify-blob --certificate-identity --certificate-oidc-issuer` (SPEC §8, §6 step 6 patterns):
 * does a verified bundle's signer match what the user expects? The identity is an anchored
 * pattern (trust/identity_pattern.ts: exact address or URI, `*@domain`, `github:owner`,
 * `gitlab:owner`), never a part of the certificate's name; the issuer must be equal. Pure.
 */
import { AamError } from "../../errors.ts";
import { compileIdentityPattern, isIdentityPattern } from "../../trust/identity_pattern.ts";

export interface ExpectedSigner {
  identity: string;
  issuer: string;
}

/** Answers whether `identity` matches `pattern` as a whole (an unsupported pattern must be equal). */
export function identityMatches(pattern: string, identity: string, issuer: string): boolean {
  if (isIdentityPattern(pattern)) return compileIdentityPattern(pattern)(identity, issuer);
  return pattern === identity;
}

/**
 * @throws {AamError} UntrustedSigner when the signer's identity or issuer is not the expected one.
 */
export function verifyExpectedSigner(actual: ExpectedSigner, expected: ExpectedSigner, file: string): void {
  if (actual.issuer !== expected.issuer) {
    throw new AamError("UntrustedSigner", `Cannot verify "${file}": the certificate was issued for OIDC issuer "${actual.issuer}"`, {
      file,
      expected: expected.issuer,
      actual: actual.issuer,
      hint: "check --certificate-oidc-issuer; if you trust this issuer, pass it exactly as shown",
    });
  }
  if (!identityMatches(expected.identity, actual.identity, actual.issuer)) {
    throw new AamError("UntrustedSigner", `Cannot verify "${file}": it was signed by "${actual.identity}"`, {
      file,
      expected: expected.identity,
      actual: actual.identity,
      hint: "check --certificate-identity: it must match the whole identity (an address, *@domain, github:<owner>, gitlab:<owner>, or the exact workflow URI)",
    });
  }
}

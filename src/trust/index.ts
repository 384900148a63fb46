/**
 * Trust (SPEC §6 step 6 and `on_signature_failure`): the policy, identity patterns, delegation,
 * and the one place a signature failure is softened to a warning or skipped.
 * @module
 */
export {
  isKeyTrustedFor,
  isIdentityTrusted,
  matchesPackagePattern,
  normalizeFingerprint,
  type TrustPolicy,
  type TrustAnswer,
} from "./policy.ts";
export {
  compileIdentityPattern,
  parseIdentityPattern,
  isIdentityPattern,
  GITHUB_ACTIONS_ISSUER,
  GITHUB_OAUTH_ISSUER,
  GITLAB_ISSUER,
  type IdentityMatcher,
  type IdentityPattern,
  type IdentityPatternKind,
} from "./identity_pattern.ts";
export { decideSignatureOutcome, type SignatureOutcome } from "./decide.ts";

/**
 * The trust policy (SPEC §6 step 6, §9 `security.*`) and the questions asked of it: is this key
 * trusted for this package, is this certificate identity trusted. Pure: the shell builds the
 * policy from configuration and flags (trust/build_policy.ts).
 *
 * Nothing is trusted by presence: not a key in `$AAM_HOME/keys/`, not a `.sig`'s `public_key`.
 * A key is trusted only when its fingerprint is listed in `trustedKeys` and not in `revokedKeys`;
 * revocation always wins.
 */
import { compileIdentityPattern, isIdentityPattern } from "./identity_pattern.ts";

export interface TrustPolicy {
  /** `security.trusted_keys`: key fingerprints (Ed25519: 64 hex; OpenPGP: 40 or 64 hex). */
  trustedKeys: string[];
  /** `security.revoked_keys`: never trusted, whatever else says. */
  revokedKeys: string[];
  /** `security.trusted_identities`: Sigstore identity patterns (trust/identity_pattern.ts). */
  trustedIdentities: string[];
  /** `security.allowed_issuers`: when non-empty, a Sigstore signer's OIDC issuer must be one of these. */
  allowedIssuers: string[];
  /**
   * `security.signing_delegates`: a key fingerprint or a Sigstore identity pattern -> package
   * patterns (`@acme/*`, `@acme/tool`, `*`) that key or identity may sign.
   */
  signingDelegates: Record<string, string[]>;
  /** `security.require_signature` or `--require-signature`. */
  requireSignature: boolean;
  /** `security.on_signature_failure`. */
  onSignatureFailure: "error" | "warn" | "ignore";
  /** `security.trust_registry_attestations` (SPEC §6 table, `tra`); off when absent. */
  trustRegistryAttestations?: boolean;
  /** `security.require_registry_attestation` (SPEC §6 table, `rra`); off when absent. */
  requireRegistryAttestation?: boolean;
}

export interface TrustAnswer {
  trusted: boolean;
  /** Why, in words fit for a report line. */
  reason: string;
}

/** Fingerprints compare case-insensitively and ignore spaces (as `gpg --fingerprint` prints them). */
export function normalizeFingerprint(fp: string): string {
  return String(fp).replace(/\s+/g, "").toLowerCase();
}

/**
 * Is the key `fp` trusted to sign `packageName`?
 * Revoked keys never are; listed keys are, unless `signingDelegates` limits the key to package
 * patterns that `packageName` does not match (an empty list limits it to nothing).
 */
export function isKeyTrustedFor(fp: string, packageName: string, policy: TrustPolicy): TrustAnswer {
  const key = normalizeFingerprint(fp);
  if (key.length === 0) return { trusted: false, reason: "no key fingerprint" };
  if (policy.revokedKeys.some((k) => normalizeFingerprint(k) === key)) {
    return { trusted: false, reason: "key is revoked (security.revoked_keys)" };
  }
  if (!policy.trustedKeys.some((k) => normalizeFingerprint(k) === key)) {
    return { trusted: false, reason: "key is not in security.trusted_keys" };
  }
  const scopes = delegatesOf(key, policy.signingDelegates);
  if (scopes === null) return { trusted: true, reason: "key is in security.trusted_keys" };
  const hit = scopes.find((p) => matchesPackagePattern(p, packageName));
  if (hit !== undefined) return { trusted: true, reason: `key is in security.trusted_keys, delegated for "${hit}"` };
  return {
    trusted: false,
    reason: `key is delegated only for ${scopes.length ? scopes.map((s) => `"${s}"`).join(", ") : "no packages"} (security.signing_delegates), not "${packageName}"`,
  };
}

/** The package patterns a key is limited to, or null when it is not limited. */
function delegatesOf(key: string, delegates: Record<string, string[]>): string[] | null {
  let found: string[] | null = null;
  for (const [fp, patterns] of Object.entries(delegates ?? {})) {
    if (normalizeFingerprint(fp) !== key) continue;
    // Several spellings of one fingerprint: their patterns add up.
    found = [...(found ?? []), ...(Array.isArray(patterns) ? patterns.filter((p) => typeof p === "string") : [])];
  }
  return found;
}

/**
 * Package patterns of `security.signing_delegates`: `*` matches every package; otherwise `*`
 * matches one run of characters without `/`, so `@acme/*` matches `@acme/x` but not
 * `@acme-evil/x`; anything else must equal the name.
 */
export function matchesPackagePattern(pattern: string, packageName: string): boolean {
  if (typeof pattern !== "string" || typeof packageName !== "string" || packageName.length === 0) return false;
  if (pattern === "*") return true;
  if (!pattern.includes("*")) return pattern === packageName;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join("[^/]+")}$`);
  return re.test(packageName);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Is a Sigstore signer trusted? Its issuer must be in `allowedIssuers` (when that list is set)
 * and its certificate identity must match a `trustedIdentities` pattern. Invalid patterns match
 * nothing (configuration checks report them).
 * @param issuer The certificate's OIDC issuer; "" when unknown.
 * @param packageName When given, `signingDelegates` entries that are identity patterns limit the signer to their packages.
 */
export function isIdentityTrusted(identity: string, issuer: string, policy: TrustPolicy, packageName?: string): TrustAnswer {
  if (typeof identity !== "string" || identity.length === 0) return { trusted: false, reason: "no certificate identity" };
  if (policy.allowedIssuers.length > 0 && !policy.allowedIssuers.includes(issuer)) {
    return { trusted: false, reason: `issuer "${issuer}" is not in security.allowed_issuers` };
  }
  const matched = policy.trustedIdentities.find((p) => isIdentityPattern(p) && compileIdentityPattern(p)(identity, issuer));
  if (matched === undefined) return { trusted: false, reason: `identity "${identity}" matches no security.trusted_identities pattern` };
  const why = `identity matches "${matched}" (security.trusted_identities)`;
  if (packageName === undefined) return { trusted: true, reason: why };
  // Every delegate entry whose pattern names this identity limits it: the package must be within
  // each one, so an added entry can only narrow (never widen) what an identity may sign.
  for (const [who, patterns] of Object.entries(policy.signingDelegates ?? {})) {
    if (FINGERPRINT_RE.test(who) || !isIdentityPattern(who) || !compileIdentityPattern(who)(identity, issuer)) continue;
    const list = Array.isArray(patterns) ? patterns.filter((p) => typeof p === "string") : [];
    if (!list.some((p) => matchesPackagePattern(p, packageName))) {
      return { trusted: false, reason: `identity "${identity}" is delegated by "${who}" only for ${list.length ? list.map((x) => `"${x}"`).join(", ") : "no packages"} (security.signing_delegates), not "${packageName}"` };
    }
  }
  return { trusted: true, reason: why };
}

const FINGERPRINT_RE = /^(?:[0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/;

/** Builds the trust policy (SPEC §6) from the merged configuration and command-line flags. */
import type { Config } from "../config/schema.ts";
import type { TrustPolicy } from "../trust/policy.ts";

export interface PolicyFlags {
  requireSignature?: boolean;
}

export function policyFromConfig(cfg: Config, flags: PolicyFlags = {}, registryRequires = false): TrustPolicy {
  const s = cfg.security;
  return {
    trustedKeys: s.trusted_keys ?? [],
    revokedKeys: s.revoked_keys ?? [],
    trustedIdentities: s.trusted_identities ?? [],
    allowedIssuers: s.allowed_issuers ?? [],
    signingDelegates: s.signing_delegates ?? {},
    requireSignature: Boolean(flags.requireSignature || s.require_signature || registryRequires),
    onSignatureFailure: s.on_signature_failure ?? "warn",
  };
}

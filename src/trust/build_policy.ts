/**
 * The one place that builds the trust policy (SPEC §6) from the effective configuration, the
 * command-line flags and what the registry requires. Commands never adjust a policy afterwards.
 */
import { AamError } from "../errors.ts";
import type { Config } from "../config/schema.ts";
import type { TrustPolicy } from "./policy.ts";

export interface PolicyFlags {
  /** `--require-signature`. */
  requireSignature?: boolean;
  /** `install --verify-signature`: a failing signature is an error whatever `on_signature_failure` says. */
  verifySignature?: boolean;
  /** `--no-verify`: allowed only when nothing requires a signature (SPEC §6). */
  noVerify?: boolean;
  /**
   * `store`: the outcome is kept (offline-prepare, bundle import), so `warn` becomes `error`:
   * nothing is cached from a verification that fails.
   */
  purpose?: "use" | "store";
}

export function buildPolicy(cfg: Config, flags: PolicyFlags = {}, registryRequires = false): TrustPolicy {
  const s = cfg.security;
  const requireSignature = Boolean(flags.requireSignature || s.require_signature || registryRequires);
  const requireRegistryAttestation = s.require_registry_attestation === true;
  // A required attestation is a required signature of another kind: --no-verify cannot skip it either.
  if (flags.noVerify && (requireSignature || requireRegistryAttestation)) {
    const by = flags.requireSignature
      ? "--require-signature"
      : s.require_signature
        ? "security.require_signature"
        : registryRequires
          ? "the registry (require_signatures)"
          : "security.require_registry_attestation";
    throw new AamError("PolicyViolation", `Cannot skip signature checks: signatures are required by ${by}`, {
      hint: "drop --no-verify; a required signature cannot be skipped",
    });
  }
  let onSignatureFailure = s.on_signature_failure ?? "warn";
  if (flags.verifySignature) onSignatureFailure = "error";
  else if (flags.purpose === "store" && onSignatureFailure === "warn") onSignatureFailure = "error";
  return {
    trustedKeys: s.trusted_keys ?? [],
    revokedKeys: s.revoked_keys ?? [],
    trustedIdentities: s.trusted_identities ?? [],
    allowedIssuers: s.allowed_issuers ?? [],
    signingDelegates: s.signing_delegates ?? {},
    requireSignature,
    onSignatureFailure,
    trustRegistryAttestations: s.trust_registry_attestations === true,
    requireRegistryAttestation,
  };
}

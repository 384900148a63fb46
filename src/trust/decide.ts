/**
 * Applies `security.on_signature_failure` (SPEC §6), once, to a failure of steps 3–6 (presence,
 * form, cryptography, trust). `require_signature` makes every such failure an error whatever
 * the setting; failures of steps 1–2 (TamperedPackage) and any other error are never softened.
 */
import type { AamError } from "../errors.ts";
import type { TrustPolicy } from "./policy.ts";

export interface SignatureOutcome {
  /** ok: no failure; warn: go on with a warning (exit 0); skipped: `ignore`. */
  outcome: "ok" | "warn" | "skipped";
  warning?: string;
}

/** The codes of steps 3–6, the only failures `on_signature_failure` may soften. */
const SOFTENABLE = new Set(["SignatureNotFound", "MalformedSignature", "InvalidSignature", "UntrustedSigner"]);

/**
 * Decides what a signature-step failure means under the policy.
 * @param failure The step's error, or null when the steps passed.
 * @throws {AamError} `failure` itself when the policy says `error`, when a signature is required,
 * or when it is not a failure of steps 3–6.
 */
export function decideSignatureOutcome(failure: AamError | null, policy: Pick<TrustPolicy, "requireSignature" | "onSignatureFailure">): SignatureOutcome {
  if (failure === null) return { outcome: "ok" };
  if (!SOFTENABLE.has(failure.code) || policy.requireSignature) throw failure;
  switch (policy.onSignatureFailure) {
    case "warn":
      // The reason (`actual`: each signer's failure or trust verdict) belongs in the warning: the message alone says only that it failed.
      return { outcome: "warn", warning: `${failure.message}${failure.details.actual ? ` (${failure.details.actual})` : ""} (continuing: security.on_signature_failure is "warn")` };
    case "ignore":
      return { outcome: "skipped" };
    default:
      // "error", and any value the configuration check let through: fail closed.
      throw failure;
  }
}

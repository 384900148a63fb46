/**
 * SPEC §6 step 6, the table of `security.trust_registry_attestations` (tra) and
 * `security.require_registry_attestation` (rra): how an author's signature and a registry's
 * attestation combine. Pure; the pipeline finds each side's state and applies
 * `on_signature_failure` to the answer (the snapshot checks of §5a are never softened, and come first).
 */
import type { ErrorCode } from "../errors.ts";

/** The author side: a trusted valid entry, valid entries none of which is trusted, none valid, or no entry. */
export type AuthorState = "trusted" | "untrusted" | "invalid" | "absent";

/**
 * The registry side: `valid` is an attestation that verifies, by a key pinned for the registry,
 * for a version its valid snapshot lists and does not reject; `untrusted` one that verifies by a key
 * not pinned; `absent` none.
 */
export type AttestationState = "valid" | "untrusted" | "absent";

/** A failure names the `side` that failed, so its report can say what to fix (the author's signature or the registry's attestation). */
export type CombinedTrust = { trusted: true; by: "author" | "registry" | "both" } | { trusted: false; code: ErrorCode; reason: string; side: "author" | "registry" };

const AUTHOR_FAILURE: Record<Exclude<AuthorState, "trusted">, ErrorCode> = {
  untrusted: "UntrustedSigner",
  invalid: "InvalidSignature",
  absent: "SignatureNotFound",
};

function attestationFailure(a: Exclude<AttestationState, "valid">): CombinedTrust {
  return a === "untrusted"
    ? { trusted: false, code: "UntrustedSigner", reason: "the registry attestation is by a key not pinned for the registry", side: "registry" }
    : { trusted: false, code: "SignatureNotFound", reason: "a registry attestation is required and there is none", side: "registry" };
}

/**
 * Combines the two sides as SPEC §6's table says:
 *
 * | tra | rra | trusted when |
 * |---|---|---|
 * | off | off | an author entry is trusted |
 * | on | off | an author entry is trusted, or a valid attestation exists |
 * | off | on | an author entry is trusted and a valid attestation exists |
 * | on | on | a valid attestation exists (an author signature is optional) |
 */
export function combineTrust(author: AuthorState, attestation: AttestationState, tra: boolean, rra: boolean): CombinedTrust {
  const authorOk = author === "trusted";
  const attestOk = attestation === "valid";
  const authorFail = (): CombinedTrust => ({ trusted: false, code: AUTHOR_FAILURE[author as Exclude<AuthorState, "trusted">], reason: `the author signature: ${author}`, side: "author" });
  const ok = (): CombinedTrust => ({ trusted: true, by: authorOk && attestOk ? "both" : authorOk ? "author" : "registry" });
  if (rra && !attestOk) return attestationFailure(attestation as Exclude<AttestationState, "valid">);
  if (rra && tra) return ok();
  if (rra) return authorOk ? ok() : authorFail();
  if (tra && (authorOk || attestOk)) return ok();
  if (tra && author === "absent" && attestation === "untrusted") return attestationFailure("untrusted");
  return authorOk ? ok() : authorFail();
}

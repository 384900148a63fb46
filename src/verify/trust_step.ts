/**
 * SPEC §6 step 6: which author entries are trusted, and how they combine with the registry's
 * attestations by the table of `trust_registry_attestations` and `require_registry_attestation`
 * (trust/attestation_table.ts). Answers "verified" or "unsigned", or throws the coded failure that
 * trust/decide.ts then judges under `on_signature_failure`, like every step 3–6 failure.
 */
import { AamError } from "../errors.ts";
import type { EntryResult } from "../signing/entry_types.ts";
import { isIdentityTrusted, isKeyTrustedFor, type TrustPolicy } from "../trust/policy.ts";
import { combineTrust, type AuthorState } from "../trust/attestation_table.ts";
import type { AttestationVerdict } from "./attestation_signers.ts";

export interface SignerReport extends EntryResult {
  trusted: boolean;
  trust_reason?: string;
  /** The registry a `registry-attestation` entry was made for. */
  registry?: string;
}

/** What the failures name: the version, its `.sig`, and whether a Sigstore root is on this machine (for the hint). */
export interface TrustSubject {
  name: string;
  version: string;
  sigFile: string;
  /** The `.sig` exists (a missing file and an empty one are reported differently). */
  hasSig: boolean;
  hasTrustedRoot: boolean;
}

/** Marks each valid author entry trusted or not (keys, identities, delegates) and answers the author side of the table. */
export function judgeAuthors(authors: SignerReport[], packageName: string, policy: TrustPolicy): AuthorState {
  if (authors.length === 0) return "absent";
  const valid = authors.filter((s) => s.valid);
  if (valid.length === 0) return "invalid";
  for (const s of valid) {
    const t = s.key_fingerprint
      ? isKeyTrustedFor(s.key_fingerprint, packageName, policy)
      : s.identity
        ? isIdentityTrusted(s.identity, s.issuer ?? "", policy, packageName)
        : { trusted: false, reason: "no key or identity" };
    s.trusted = t.trusted;
    s.trust_reason = t.reason;
  }
  return valid.some((s) => s.trusted) ? "trusted" : "untrusted";
}

/**
 * Combines the two sides.
 * @throws {AamError} SignatureNotFound, InvalidSignature or UntrustedSigner, naming the side that failed.
 */
export function decideTrust(who: TrustSubject, authors: SignerReport[], author: AuthorState, att: AttestationVerdict, policy: TrustPolicy): "verified" | "unsigned" {
  const tra = policy.trustRegistryAttestations === true;
  const rra = policy.requireRegistryAttestation === true;
  const c = combineTrust(author, att.state, tra, rra);
  if (c.trusted) return "verified";
  // An attestation that does not verify is a failed signature, not a missing one, once attestations can count.
  const invalidAttestation = (tra || rra) && att.anyInvalid && c.code === "SignatureNotFound";
  if (c.side === "registry") throw invalidAttestation ? attestationInvalid(who, att) : registryFailure(who, c.code, att);
  if (author === "absent") {
    if (invalidAttestation) throw attestationInvalid(who, att);
    if (!policy.requireSignature) return "unsigned";
    throw notSigned(who, att.reports.length > 0);
  }
  if (author === "invalid") throw authorInvalid(who, authors);
  throw authorUntrusted(who, authors.filter((s) => s.valid));
}

function where(who: TrustSubject) {
  return { package: who.name, version: who.version, file: who.sigFile };
}

function notSigned(who: TrustSubject, attested: boolean): AamError {
  if (!who.hasSig) {
    return new AamError("SignatureNotFound", `Cannot verify "${who.name}@${who.version}": it is not signed and a signature is required`, {
      ...where(who),
      hint: `ask the publisher to sign it (aam pkg sign), or drop security.require_signature`,
    });
  }
  return new AamError("SignatureNotFound", `Cannot verify "${who.name}@${who.version}": its .sig holds no ${attested ? "author " : ""}signatures`, {
    ...where(who),
    hint: attested ? "sign it with `aam pkg sign`, or let a pinned registry's attestation count (security.trust_registry_attestations)" : "sign it with `aam pkg sign`",
  });
}

function authorInvalid(who: TrustSubject, authors: SignerReport[]): AamError {
  return new AamError("InvalidSignature", `Cannot verify "${who.name}@${who.version}": no signature in the .sig verifies`, {
    ...where(who),
    actual: authors.map((s) => `${s.algorithm} ${s.key_fingerprint ?? s.identity ?? ""}: ${s.reason ?? "invalid"}`).join("; "),
    hint:
      authors.some((s) => s.algorithm === "sigstore") && !who.hasTrustedRoot
        ? "this machine has no Sigstore trusted root (one that travels with a package is never used): aam trust-root import <trusted_root.json>, or aam trust-root update while connected"
        : "the archive or .sig was altered, or signed with another key; re-sign with `aam pkg sign`",
  });
}

function authorUntrusted(who: TrustSubject, valid: SignerReport[]): AamError {
  return new AamError("UntrustedSigner", `Cannot verify "${who.name}@${who.version}": signed by ${valid.map((s) => s.key_fingerprint ?? s.identity).join(", ")}, which is not trusted`, {
    ...where(who),
    actual: valid.map((s) => `${s.key_fingerprint ?? s.identity}: ${s.trust_reason}`).join("; "),
    hint: `if you trust this signer: aam key trust ${valid[0].key_fingerprint ?? "<key>"}`,
  });
}

function attestationList(att: AttestationVerdict): string | undefined {
  if (att.reports.length === 0) return undefined;
  return att.reports.map((r) => `registry-attestation ${r.registry} ${r.key_fingerprint}: ${r.valid ? r.trust_reason : r.reason}`).join("; ");
}

function attestationInvalid(who: TrustSubject, att: AttestationVerdict): AamError {
  return new AamError("InvalidSignature", `Cannot verify "${who.name}@${who.version}": its registry attestation does not verify`, {
    ...where(who),
    actual: attestationList(att),
    hint: "the attestation was forged, or copied from another package, version or registry; ask the registry to attest this version again (aam registry attest)",
  });
}

function registryFailure(who: TrustSubject, code: string, att: AttestationVerdict): AamError {
  if (code === "UntrustedSigner") {
    return new AamError("UntrustedSigner", `Cannot verify "${who.name}@${who.version}": its registry attestation is not by a key pinned for that registry`, {
      ...where(who),
      actual: attestationList(att),
      hint: `if you trust the registry's attestation key: aam registry trust <alias> ${att.reports.find((r) => r.valid)?.key_fingerprint ?? "<key.pem|fingerprint>"} (an attestation never counts through security.trusted_keys, nor for a loose file)`,
    });
  }
  return new AamError("SignatureNotFound", `Cannot verify "${who.name}@${who.version}": a registry attestation is required (security.require_registry_attestation) and none counts`, {
    ...where(who),
    actual: attestationList(att),
    hint: "ask the registry to attest it (aam registry attest), pin the registry (aam registry trust), or turn security.require_registry_attestation off",
  });
}

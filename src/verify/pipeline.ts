/**
 * The one verification pipeline (SPEC §6), shared by `verify`, `verify --offline`, `install` and
 * `registry verify`. Pure: it takes bytes, texts and the trust policy; only its inputs' source differs.
 *
 * Steps, in order: 1 checksum, 2 identity (always errors); 3 presence, 4 form, 5 cryptography,
 * 6 trust (their failures go through `on_signature_failure`, once, in trust/decide.ts).
 */
import { AamError } from "../errors.ts";
import { parseSigFile, type SigFile } from "../signing/sig_file.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import { isKeyTrustedFor, isIdentityTrusted } from "../trust/policy.ts";
import { decideSignatureOutcome } from "../trust/decide.ts";
import { checkEntry, type EntryResult } from "../signing/check_entry.ts";
import { parseArchiveManifest } from "./archive_manifest.ts";
import { bytesOf, type ArchiveInput } from "./archive_source.ts";
import { finishArchiveCheck, scanArchive, type ArchiveScan } from "./archive_scan.ts";
import type { LocalTrust } from "./local_trust.ts";
import { checksumOf } from "../encoding/sha256.ts";

export type { ArchiveInput, ArchiveSource } from "./archive_source.ts";

export interface VerifyInput {
  /** The package and version being verified (from the reference or metadata.yaml). */
  name: string;
  version: string;
  /** The archive's bytes, or a source streaming them from a file (memory then stays flat in its size). */
  archive: ArchiveInput;
  /** metadata.yaml's checksum; absent when verifying a loose file. */
  expectedChecksum?: string;
  sigText: string | null;
  files: { archive: string; sig: string; metadata?: string };
  /** Trust material from this machine only (verify/local_trust.ts); never from the registry, cache or bundle. */
  trust?: LocalTrust;
  /**
   * OpenPGP public keys that travelled with the version (registry keys/, cache entry, bundle): copies
   * that may check a signature, never trust it (step 6 asks the local policy about the fingerprint).
   */
  keyCopies?: string[];
  /**
   * Set only for a registry that is pinned AND in security.trusted_registries, after the §5a checks
   * passed (filled by verify/inputs.ts from the reader's guard; the pipeline's use of it is issue 16's H2 part).
   */
  attestation?: { registry: string /* pinned signed name */; keys: string[] /* pinned fps */; listed: boolean /* the valid snapshot lists this version, not rejected */ };
}

export interface SignerReport extends EntryResult {
  trusted: boolean;
  trust_reason?: string;
}

export type StepStatus = "passed" | "failed" | "skipped" | "unsigned" | "warned";

export interface VerifyReport {
  package: string;
  version: string;
  checksum: string;
  /** verified: signed by a trusted signer; unsigned; warned: a signature step failed under `warn`; skipped: `ignore` or --no-verify. */
  outcome: "verified" | "unsigned" | "warned" | "skipped";
  checks: { checksum: StepStatus; identity: StepStatus; signature: StepStatus; trust: StepStatus };
  signers: SignerReport[];
  warnings: string[];
}

export interface VerifyOptions {
  /** The time signatures and keys are judged at (expiry, revocation); the clock when absent. */
  now?: Date;
  /** `--no-verify`: steps 3–6 skipped; steps 1–2 always run. */
  skipSignatures?: boolean;
  /**
   * Validate the whole archive's structure even when a trusted signer vouches for its bytes
   * (`registry verify` audits archives; `install` validates them anyway while extracting).
   */
  checkWholeArchive?: boolean;
  /**
   * Runs each pass over the archive (`read`: unpacking it for steps 1-2 and the structural check)
   * when the caller lets it. `registry verify` keeps many versions in flight and unpacks one at a
   * time, so memory stays that of one archive's pass however many wait on their signatures.
   */
  readGate?: <T>(read: () => Promise<T>) => Promise<T>;
}

function where(input: VerifyInput) {
  return { package: input.name, version: input.version };
}

/** Step 1: the archive's hash (`actual`) equals metadata.yaml's checksum and the .sig's package_hash. */
export function verifyChecksum(input: VerifyInput, actual: string, sigHash: string | undefined): string {
  const hint = `the archive was modified or replaced; fetch it again from a trusted registry (aam verify ${input.name}@${input.version})`;
  if (input.expectedChecksum !== undefined && input.expectedChecksum !== actual) {
    throw new AamError("TamperedPackage", `Cannot verify "${input.name}@${input.version}": archive checksum does not match metadata.yaml`, {
      ...where(input),
      expected: input.expectedChecksum,
      actual,
      file: input.files.archive,
      hint,
    });
  }
  if (sigHash !== undefined && sigHash !== actual) {
    throw new AamError("TamperedPackage", `Cannot verify "${input.name}@${input.version}": archive checksum does not match the .sig's package_hash`, {
      ...where(input),
      expected: sigHash,
      actual,
      file: input.files.sig,
      hint: "the .sig belongs to other bytes (another version or package); re-sign with `aam pkg sign`",
    });
  }
  return actual;
}

/**
 * Step 2: the archive's own aam.yaml names the package and version being verified. Before refusing,
 * the rest of the archive is validated (by `finish`), so a structural problem is reported first, as
 * it would be by a whole-archive read.
 */
export async function verifyIdentity(input: VerifyInput, scan: ArchiveScan, finish = () => finishArchiveCheck(input.archive, scan)): Promise<void> {
  if (scan.error !== undefined) throw scan.error;
  let m;
  try {
    m = parseArchiveManifest(scan.manifest, input.files.archive);
  } catch (e) {
    await finish();
    throw e;
  }
  if (m.name !== input.name || m.version !== input.version) {
    await finish();
    throw new AamError("TamperedPackage", `Cannot verify "${input.name}@${input.version}": the archive's aam.yaml names "${m.name}@${m.version}"`, {
      ...where(input),
      expected: `${input.name}@${input.version}`,
      actual: `${m.name}@${m.version}`,
      file: input.files.archive,
      hint: "the archive was renamed or moved onto another package or version; publish the right archive",
    });
  }
}

/** Reads package_hash from a .sig leniently, for step 1; step 4 judges the form. */
function peekSigHash(sigText: string | null): string | undefined {
  if (!sigText) return undefined;
  try {
    const v = JSON.parse(sigText);
    return typeof v?.package_hash === "string" ? v.package_hash : undefined;
  } catch {
    return undefined; // malformed: reported by step 4
  }
}

/**
 * The archive's bytes for verifiers that sign the bytes themselves. A streamed archive is read again
 * here, so these bytes are hashed and must be the ones step 1 checked: a file swapped between the two
 * reads (a FIFO, a rename on a shared drive) must not lend another archive's signature to these bytes.
 */
async function wholeArchive(input: VerifyInput, checksum: string): Promise<Uint8Array> {
  const bytes = await bytesOf(input.archive);
  const actual = checksumOf(bytes);
  if (actual !== checksum) {
    throw new AamError("TamperedPackage", `Cannot verify "${input.name}@${input.version}": the archive changed while it was being verified`, {
      ...where(input),
      expected: checksum,
      actual,
      file: input.files.archive,
      hint: "something replaced the file between two reads; copy it to a private folder and verify that copy",
    });
  }
  return bytes;
}

/** Steps 3–6: answers the report, or throws the step's coded error. */
async function verifySignatures(input: VerifyInput, checksum: string, policy: TrustPolicy, now: Date, signers: SignerReport[]): Promise<Omit<VerifyReport, "package" | "version" | "checksum">> {
  const checks: VerifyReport["checks"] = { checksum: "passed", identity: "passed", signature: "unsigned", trust: "unsigned" };
  // Step 3: presence.
  if (input.sigText === null) {
    if (policy.requireSignature) {
      throw new AamError("SignatureNotFound", `Cannot verify "${input.name}@${input.version}": it is not signed and a signature is required`, {
        ...where(input),
        file: input.files.sig,
        hint: `ask the publisher to sign it (aam pkg sign), or drop security.require_signature`,
      });
    }
    return { outcome: "unsigned", checks, signers: [], warnings: [`${input.name}@${input.version} is not signed`] };
  }
  // Step 4: form.
  const sig: SigFile = parseSigFile(input.sigText, input.files.sig);
  if (sig.signatures.length === 0) {
    if (policy.requireSignature) {
      throw new AamError("SignatureNotFound", `Cannot verify "${input.name}@${input.version}": its .sig holds no signatures`, {
        ...where(input),
        file: input.files.sig,
        hint: "sign it with `aam pkg sign`",
      });
    }
    return { outcome: "unsigned", checks, signers: [], warnings: [`${input.name}@${input.version} is not signed`] };
  }
  if (sig.package !== input.name || sig.package_version !== input.version) {
    throw new AamError("TamperedPackage", `Cannot verify "${input.name}@${input.version}": its .sig is for "${sig.package}@${sig.package_version}"`, {
      ...where(input),
      expected: `${input.name}@${input.version}`,
      actual: `${sig.package}@${sig.package_version}`,
      file: input.files.sig,
      hint: "a .sig was copied from another package or version; re-sign with `aam pkg sign`",
    });
  }
  // Step 5: cryptography. `signers` belongs to the caller, so a `warn` report still says why each failed.
  // OpenPGP and Sigstore verify the bytes themselves: read them (once) only if such an entry is present.
  let whole: Promise<Uint8Array> | undefined;
  const archive = () => (whole ??= wholeArchive(input, checksum));
  for (const entry of sig.signatures) {
    const r = await checkEntry(entry, {
      archive,
      packageHash: checksum,
      trustedRoot: input.trust?.trustedRoot,
      publicKeys: [...(input.trust?.publicKeys ?? []), ...(input.keyCopies ?? [])],
      managedKeys: input.trust?.managedKeys,
      verifyTransparencyLog: input.trust?.verifyTransparencyLog ?? true,
      now,
    });
    signers.push({ ...r, trusted: false });
  }
  const valid = signers.filter((s) => s.valid);
  if (valid.length === 0) {
    checks.signature = "failed";
    throw new AamError("InvalidSignature", `Cannot verify "${input.name}@${input.version}": no signature in the .sig verifies`, {
      ...where(input),
      file: input.files.sig,
      actual: signers.map((s) => `${s.algorithm} ${s.key_fingerprint ?? s.identity ?? ""}: ${s.reason ?? "invalid"}`).join("; "),
      hint:
        signers.some((s) => s.algorithm === "sigstore") && input.trust?.trustedRoot === undefined
          ? "this machine has no Sigstore trusted root (one that travels with a package is never used): aam trust-root import <trusted_root.json>, or aam trust-root update while connected"
          : "the archive or .sig was altered, or signed with another key; re-sign with `aam pkg sign`",
    });
  }
  checks.signature = "passed";
  // Step 6: trust.
  for (const s of valid) {
    const t = s.key_fingerprint
      ? isKeyTrustedFor(s.key_fingerprint, input.name, policy)
      : s.identity
        ? isIdentityTrusted(s.identity, s.issuer ?? "", policy, input.name)
        : { trusted: false, reason: "no key or identity" };
    s.trusted = t.trusted;
    s.trust_reason = t.reason;
  }
  if (!valid.some((s) => s.trusted)) {
    checks.trust = "failed";
    const who = valid.map((s) => s.key_fingerprint ?? s.identity).join(", ");
    throw new AamError("UntrustedSigner", `Cannot verify "${input.name}@${input.version}": signed by ${who}, which is not trusted`, {
      ...where(input),
      file: input.files.sig,
      actual: valid.map((s) => `${s.key_fingerprint ?? s.identity}: ${s.trust_reason}`).join("; "),
      hint: `if you trust this signer: aam key trust ${valid[0].key_fingerprint ?? "<key>"}`,
    });
  }
  checks.trust = "passed";
  return { outcome: "verified", checks, signers, warnings: [] };
}

export async function verifyPackage(input: VerifyInput, policy: TrustPolicy, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const gate = opts.readGate ?? ((read) => read());
  // Steps 1 and 2 share one pass over the archive; see archive_scan.ts.
  const scan = await gate(() => scanArchive(input.archive, { whole: opts.checkWholeArchive }));
  // The rest of the archive is validated before any outcome but "verified" (whole-archive errors
  // keep their old precedence over signature errors). When a trusted signer vouches for these exact
  // bytes, `verify` skips it: extraction validates every entry anyway before anything is installed.
  const finish = () => gate(() => finishArchiveCheck(input.archive, scan));
  const checksum = verifyChecksum(input, scan.checksum, peekSigHash(input.sigText));
  await verifyIdentity(input, scan, finish);
  const head = { package: input.name, version: input.version, checksum };
  if (opts.skipSignatures || (policy.onSignatureFailure === "ignore" && !policy.requireSignature)) {
    await finish();
    return {
      ...head,
      outcome: "skipped",
      checks: { checksum: "passed", identity: "passed", signature: "skipped", trust: "skipped" },
      signers: [],
      warnings: opts.skipSignatures ? ["signature checks skipped (--no-verify)"] : [],
    };
  }
  let result;
  const signers: SignerReport[] = [];
  try {
    // The library's edge: a caller that names no time gets the clock's, read once here.
    result = await verifySignatures(input, checksum, policy, opts.now ?? new Date(), signers);
  } catch (e) {
    await finish();
    if (!(e instanceof AamError) || e.code === "TamperedPackage") throw e;
    const d = decideSignatureOutcome(e, policy);
    const failed = e.code === "UntrustedSigner" ? "trust" : "signature";
    const checks: VerifyReport["checks"] = { checksum: "passed", identity: "passed", signature: "passed", trust: "skipped" };
    checks[failed] = d.outcome === "warn" ? "warned" : "skipped";
    if (failed === "signature") checks.trust = "skipped";
    return {
      ...head,
      outcome: d.outcome === "warn" ? "warned" : "skipped",
      checks,
      signers: d.outcome === "warn" ? signers : [],
      warnings: d.warning ? [d.warning] : [],
    };
  }
  if (result.outcome !== "verified" || opts.checkWholeArchive) await finish();
  return { ...head, ...result };
}

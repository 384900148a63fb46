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
import { decideSignatureOutcome } from "../trust/decide.ts";
import { checkAttestations, type AttestationPin } from "./attestation_signers.ts";
import { decideTrust, judgeAuthors, type SignerReport } from "./trust_step.ts";
import { parseArchiveManifest } from "./archive_manifest.ts";
import type { ArchiveInput } from "./archive_source.ts";
import { finishArchiveCheck, scanArchive, type ArchiveScan } from "./archive_scan.ts";
import type { LocalTrust } from "./local_trust.ts";
import { startEntryChecks, type EntryChecks } from "./entry_checks.ts";

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
   * passed. Without it a registry-attestation entry never counts (verify --file, unpinned registries).
   */
  attestation?: AttestationPin;
}

export type { SignerReport } from "./trust_step.ts";
export type { AttestationPin } from "./attestation_signers.ts";

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

/** Step 4's reading of the .sig and step 5's checks, started before the archive's one read; a .sig that does not parse is thrown at step 4. */
type SignatureSteps = { sig: SigFile | null; checks: EntryChecks } | { error: unknown };

async function startSignatureSteps(input: VerifyInput, now: Date): Promise<SignatureSteps> {
  let sig: SigFile | null;
  try {
    sig = input.sigText === null ? null : parseSigFile(input.sigText, input.files.sig);
  } catch (error) {
    return { error };
  }
  const ctx = {
    trustedRoot: input.trust?.trustedRoot,
    publicKeys: [...(input.trust?.publicKeys ?? []), ...(input.keyCopies ?? [])],
    managedKeys: input.trust?.managedKeys,
    verifyTransparencyLog: input.trust?.verifyTransparencyLog ?? true,
    now,
  };
  return { sig, checks: await startEntryChecks(sig?.signatures ?? [], ctx, input.archive) };
}

/** Steps 3–6: answers the report, or throws the step's coded error. */
async function verifySignatures(input: VerifyInput, steps: SignatureSteps, checksum: string, policy: TrustPolicy, signers: SignerReport[]): Promise<Omit<VerifyReport, "package" | "version" | "checksum">> {
  const checks: VerifyReport["checks"] = { checksum: "passed", identity: "passed", signature: "unsigned", trust: "unsigned" };
  // Steps 3 and 4: presence and form. Author entries and registry attestations are told apart here.
  if ("error" in steps) throw steps.error;
  const sig = steps.sig;
  const authorEntries = sig?.signatures ?? [];
  const attestations = sig?.attestations ?? [];
  if (sig !== null && authorEntries.length + attestations.length > 0 && (sig.package !== input.name || sig.package_version !== input.version)) {
    throw new AamError("TamperedPackage", `Cannot verify "${input.name}@${input.version}": its .sig is for "${sig.package}@${sig.package_version}"`, {
      ...where(input),
      expected: `${input.name}@${input.version}`,
      actual: `${sig.package}@${sig.package_version}`,
      file: input.files.sig,
      hint: "a .sig was copied from another package or version; re-sign with `aam pkg sign`",
    });
  }
  // Step 5: cryptography, over what the archive's one read fed the checks. `signers` belongs to the
  // caller, so a `warn` report still says why each failed.
  for (const r of await steps.checks.finish(checksum)) signers.push({ ...r, trusted: false });
  const att = await checkAttestations(attestations, { package: input.name, version: input.version, packageHash: checksum }, input.attestation, policy.revokedKeys);
  // Step 6: trust, each side, then the table (trust_step.ts).
  const author = judgeAuthors(signers, input.name, policy);
  const authors = [...signers];
  signers.push(...att.reports);
  const who = { name: input.name, version: input.version, sigFile: input.files.sig, hasSig: sig !== null, hasTrustedRoot: input.trust?.trustedRoot !== undefined };
  if (decideTrust(who, authors, author, att, policy) === "unsigned") {
    return { outcome: "unsigned", checks, signers, warnings: [`${input.name}@${input.version} is not signed`] };
  }
  checks.signature = "passed";
  checks.trust = "passed";
  return { outcome: "verified", checks, signers, warnings: [] };
}

export async function verifyPackage(input: VerifyInput, policy: TrustPolicy, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const gate = opts.readGate ?? ((read) => read());
  // The library's edge: a caller that names no time gets the clock's, read once here.
  const now = opts.now ?? new Date();
  const skip = opts.skipSignatures || (policy.onSignatureFailure === "ignore" && !policy.requireSignature);
  const steps = skip ? undefined : await startSignatureSteps(input, now);
  // Steps 1 and 2 share one pass over the archive (archive_scan.ts), and so does step 5.
  const scan = await gate(() => scanArchive(input.archive, { whole: opts.checkWholeArchive, tap: steps && "checks" in steps ? steps.checks.tap : undefined }));
  // The rest of the archive is validated before any outcome but "verified" (whole-archive errors
  // keep their old precedence over signature errors). When a trusted signer vouches for these exact
  // bytes, `verify` skips it: extraction validates every entry anyway before anything is installed.
  const finish = () => gate(() => finishArchiveCheck(input.archive, scan));
  const checksum = verifyChecksum(input, scan.checksum, peekSigHash(input.sigText));
  await verifyIdentity(input, scan, finish);
  const head = { package: input.name, version: input.version, checksum };
  if (!steps) {
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
    result = await verifySignatures(input, steps, checksum, policy, signers);
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

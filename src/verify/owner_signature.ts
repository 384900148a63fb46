/**
 * "A new version must carry a valid signature by an owner" (SPEC §4): checked by `publish` before
 * anything is written, and by `registry verify` for versions published while owners were set.
 * Validity is step 5 of the pipeline (the entry verifies for these bytes); the owner list, not the
 * local trusted keys, says whose signature it must be.
 */
import { AamError } from "../errors.ts";
import { parseSigFile } from "../signing/sig_file.ts";
import { checkEntry, type EntryResult } from "../signing/check_entry.ts";
import type { SigEntry } from "../signing/sig_file.ts";
import { ownerOf } from "../trust/owners.ts";
import type { LocalTrust } from "./local_trust.ts";
import type { ArchiveInput } from "./archive_source.ts";
import { readForEntryChecks } from "./entry_checks.ts";

export interface OwnerSignatureInput {
  name: string;
  version: string;
  sigText: string | null;
  sigFile: string;
  /** `sha256:<hex>` of the archive. */
  packageHash: string;
  /**
   * The archive's bytes, or how to open it, only if an OpenPGP or Sigstore entry needs it: it is
   * then read once, streamed, and those entries checked in that read (verify/entry_checks.ts).
   */
  archive: Uint8Array | (() => Promise<ArchiveInput>);
  trust?: LocalTrust;
  /** OpenPGP public keys that travelled with the version (copies that may check, never trust). */
  keyCopies?: string[];
  now: Date;
}

/** The owner whose valid signature the `.sig` carries, or undefined. */
export async function findOwnerSignature(input: OwnerSignatureInput, owners: readonly string[]): Promise<string | undefined> {
  if (input.sigText === null || owners.length === 0) return undefined;
  let sig;
  try {
    sig = parseSigFile(input.sigText, input.sigFile);
  } catch (e) {
    if (e instanceof AamError) return undefined;
    throw e;
  }
  if (sig.package !== input.name || sig.package_version !== input.version || sig.package_hash !== input.packageHash) return undefined;
  const ctx = {
    trustedRoot: input.trust?.trustedRoot,
    publicKeys: [...(input.trust?.publicKeys ?? []), ...(input.keyCopies ?? [])],
    managedKeys: input.trust?.managedKeys,
    verifyTransparencyLog: input.trust?.verifyTransparencyLog ?? true,
    now: input.now,
  };
  const ownerIn = (results: EntryResult[]) => results.map((r) => ownerOf(r, owners)).find((o) => o !== undefined);
  // Which owner signed does not matter, only that one did: entries that sign the package hash are
  // checked first, and the archive is read only when none of them is an owner's.
  const readsArchive = (e: SigEntry) => e.algorithm === "openpgp" || e.algorithm === "sigstore";
  for (const entry of sig.signatures.filter((e) => !readsArchive(e))) {
    const found = ownerIn([await checkEntry(entry, { ...ctx, archive: new Uint8Array(0), packageHash: input.packageHash })]);
    if (found !== undefined) return found;
  }
  const rest = sig.signatures.filter(readsArchive);
  if (rest.length === 0) return undefined;
  if (input.archive instanceof Uint8Array) {
    // Publish holds the archive already: checked over its bytes, one entry at a time, as before.
    for (const entry of rest) {
      const found = ownerIn([await checkEntry(entry, { ...ctx, archive: input.archive, packageHash: input.packageHash })]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return ownerIn(await (await readForEntryChecks(rest, ctx, await input.archive())).results());
}

/** @throws {AamError} PolicyViolation unless an owner signed the version. */
export async function requireOwnerSignature(input: OwnerSignatureInput, owners: readonly string[], registry: string): Promise<void> {
  if (owners.length === 0 || (await findOwnerSignature(input, owners)) !== undefined) return;
  throw new AamError("PolicyViolation", `Cannot publish "${input.name}@${input.version}" to registry "${registry}": it is not signed by an owner of "${input.name}"`, {
    package: input.name,
    version: input.version,
    file: input.sigFile,
    expected: owners.join(", "),
    hint: `sign it with an owner's key (aam pkg publish --sign --key <owner key>), or ask an owner to add you: aam owner add ${input.name} <your fingerprint> --key <their key>`,
  });
}

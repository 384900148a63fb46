/**
 * "A new version must carry a valid signature by an owner" (SPEC §4): checked by `publish` before
 * anything is written, and by `registry verify` for versions published while owners were set.
 * Validity is step 5 of the pipeline (the entry verifies for these bytes); the owner list, not the
 * local trusted keys, says whose signature it must be.
 */
import { AamError } from "../errors.ts";
import { parseSigFile } from "../signing/sig_file.ts";
import { checkEntry } from "../signing/check_entry.ts";
import { ownerOf } from "../trust/owners.ts";
import type { LocalTrust } from "./local_trust.ts";

export interface OwnerSignatureInput {
  name: string;
  version: string;
  sigText: string | null;
  sigFile: string;
  /** `sha256:<hex>` of the archive. */
  packageHash: string;
  /** The archive's bytes, read only if an OpenPGP or Sigstore entry needs them. */
  archive: Uint8Array | (() => Promise<Uint8Array>);
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
  for (const entry of sig.signatures) {
    const r = await checkEntry(entry, {
      archive: input.archive,
      packageHash: input.packageHash,
      trustedRoot: input.trust?.trustedRoot,
      publicKeys: [...(input.trust?.publicKeys ?? []), ...(input.keyCopies ?? [])],
      managedKeys: input.trust?.managedKeys,
      verifyTransparencyLog: input.trust?.verifyTransparencyLog ?? true,
      now: input.now,
    });
    const owner = ownerOf(r, owners);
    if (owner !== undefined) return owner;
  }
  return undefined;
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

/**
 * A version the registry rejected (SPEC §5a `aam registry reject`) is never installed, verified as
 * good or prepared, whatever `on_signature_failure` says: its metadata.yaml or, for a pinned
 * registry, its signed snapshot marks it so.
 */
import { AamError } from "../errors.ts";
import type { PackageVersion } from "../registry/reader.ts";
import type { Rejection } from "../registry/metadata.ts";

/** @throws {AamError} PolicyViolation with the registry's reason when `pv` is rejected. */
export function refuseRejected(pv: PackageVersion): void {
  if (pv.record.rejected) throw rejectedError(pv.name, pv.version, pv.record.rejected);
}

/** The one refusal of a rejected version, online or from the offline cache (`registry`: the signed name, when known). */
export function rejectedError(name: string, version: string, r: Rejection, registry?: string): AamError {
  return new AamError("PolicyViolation", `Cannot use "${name}@${version}": the registry${registry ? ` "${registry}"` : ""} rejected it: ${r.reason}`, {
    package: name,
    version,
    actual: `rejected at ${r.at}: ${r.reason}`,
    hint: `pick another version (aam info ${name}); if a dist-tag points at it, ask the registry's maintainers to move the tag`,
  });
}

/**
 * A version the registry rejected (SPEC §5a `aam registry reject`) is never installed, verified as
 * good or prepared, whatever `on_signature_failure` says: its metadata.yaml or, for a pinned
 * registry, its signed snapshot marks it so.
 */
import { AamError } from "../errors.ts";
import type { PackageVersion } from "../registry/reader.ts";

/** @throws {AamError} PolicyViolation with the registry's reason when `pv` is rejected. */
export function refuseRejected(pv: PackageVersion): void {
  const r = pv.record.rejected;
  if (!r) return;
  throw new AamError("PolicyViolation", `Cannot use "${pv.name}@${pv.version}": the registry rejected it: ${r.reason}`, {
    package: pv.name,
    version: pv.version,
    actual: `rejected at ${r.at}: ${r.reason}`,
    hint: `pick another version (aam info ${pv.name}); if a dist-tag points at it, ask the registry's maintainers to move the tag`,
  });
}

/**
 * `registry attest` refuses an ownership change that is not backed by signed `ownership.transfer`
 * events (SPEC §4): from the owners the last snapshot vouches for (or none, for a package it does
 * not list), the events logged since must each verify and be signed by a key allowed at that point,
 * and end at metadata.yaml's list. The first owners need an attestation key: one signing now, or one
 * that signed the last snapshot (registry.yaml's list alone is never trusted).
 */
import { AamError } from "../errors.ts";
import { RegistryReader } from "../registry/reader.ts";
import { fileSource } from "../registry/source_fs.ts";
import { parseAuditEvents } from "../registry/audit_log.ts";
import type { Metadata } from "../registry/metadata.ts";
import { replayOwnership } from "../attest/ownership.ts";
import type { PackageRecord, Snapshot } from "../attest/types.ts";
import { sameOwners } from "../trust/owners.ts";

export interface OwnershipContext {
  root: string;
  registry: string;
  previous: Snapshot | null;
  /** Lowercase fingerprints of the keys signing now. */
  attestorKeys: readonly string[];
}

/** @throws {AamError} PolicyViolation when metadata.yaml's owners were not reached by signed transfers. */
export async function assertOwnershipBacked(c: OwnershipContext, meta: Metadata, before: PackageRecord | undefined): Promise<void> {
  if (sameOwners(before?.owners, meta.owners)) return;
  // Only an ownership change reads the log (whole): attest is rare, an owner change rarer.
  const events = parseAuditEvents(await new RegistryReader(fileSource(c.root)).auditLog());
  const from = before && c.previous ? c.previous.audit_head.seq : 0;
  const keys = new Set([...c.attestorKeys, ...(c.previous?.signatures ?? []).map((s) => s.key_fingerprint)].map((k) => k.toLowerCase()));
  const r = await replayOwnership(c.registry, meta.name, before?.owners ?? [], events.filter((e) => e.seq > from), keys);
  if (r.problems.length === 0 && sameOwners(r.owners, meta.owners)) return;
  const why = r.problems.length > 0 ? `audit.log line ${r.problems[0].seq}: ${r.problems[0].reason}` : `the signed ownership.transfer events end at [${r.owners.join(", ")}]`;
  throw new AamError("PolicyViolation", `Cannot attest "${meta.name}": its owners changed without a valid signed ownership.transfer (${why})`, {
    package: meta.name,
    expected: r.owners.join(", "),
    actual: (meta.owners ?? []).join(", "),
    hint: `restore metadata.yaml's owners, or change them with \`aam owner add|rm ${meta.name} <owner> --key <owner's or attestation key>\``,
  });
}

/**
 * A package's next snapshot record (SPEC §5a): what the registry vouches for after an attest or a
 * reject, built from metadata.yaml, the versions that passed attestation now, and the last record.
 */
import type { Metadata } from "../registry/metadata.ts";
import { isValidVersion } from "../manifest/semver.ts";
import { ownValue } from "./_fields.ts";
import type { PackageRecord, VersionState } from "./types.ts";

/**
 * The record that goes into the package's bin.
 *
 * - A version enters when it passed attestation now (`attested`: version → the author signers
 *   verified), and stays while metadata.yaml keeps it with the checksum the last record has; its
 *   yank and rejection follow metadata.yaml. Call findRewinds first: what would undo history is
 *   refused there, so here metadata.yaml's word is final.
 * - A rejected version is always listed (rejected), so the rejection cannot silently be undone.
 * - A dist-tag is kept when it names a listed version; one naming a pending version keeps the
 *   last record's target, if that is still listed.
 * - `owners` is metadata.yaml's list (its changes are checked through `ownership.transfer`).
 * @returns null when nothing is listed (a package with no attested version yet).
 */
export function nextRecord(meta: Metadata, attested: ReadonlyMap<string, readonly string[]>, previous: PackageRecord | undefined): PackageRecord | null {
  const versions: Record<string, VersionState> = {};
  for (const v of meta.versions) {
    if (!isValidVersion(v.version)) continue; // never attested, and never a key below
    const was = previous ? ownValue(previous.versions, v.version) : undefined;
    const kept = was !== undefined && was.checksum === v.checksum;
    const signers = attested.get(v.version) ?? (kept ? was.signers : undefined);
    if (signers === undefined && !v.rejected) continue; // pending
    versions[v.version] = {
      checksum: v.checksum,
      yanked: v.yanked === true,
      rejected: v.rejected ? { reason: v.rejected.reason, at: v.rejected.at } : null,
      signers: [...(signers ?? [])],
    };
  }
  if (Object.keys(versions).length === 0) return null;
  const dist_tags: Record<string, string> = {};
  const tags = new Set([...Object.keys(meta.dist_tags), ...Object.keys(previous?.dist_tags ?? {})]);
  for (const tag of [...tags].sort()) {
    const target = ownValue(meta.dist_tags, tag);
    const last = previous ? ownValue(previous.dist_tags, tag) : undefined;
    if (target === undefined) continue; // removed with `aam dist-tag rm`
    if (Object.hasOwn(versions, target)) dist_tags[tag] = target;
    else if (last !== undefined && Object.hasOwn(versions, last)) dist_tags[tag] = last;
  }
  return { dist_tags, owners: [...(meta.owners ?? [])], versions };
}

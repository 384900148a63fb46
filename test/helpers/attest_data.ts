/** Test data shared by the attest/ unit tests (never imported by the product). */
import type { Metadata, VersionRecord } from "../../src/registry/metadata.ts";
import type { PackageRecord, VersionState } from "../../src/attest/types.ts";

export const sum = (n: number): string => `sha256:${n.toString(16).padStart(2, "0").repeat(32)}`;

export function ver(version: string, checksum: string, extra: Partial<VersionRecord> = {}): VersionRecord {
  return { version, published: "2026-12-01T10:00:00Z", checksum, size: 1, dependencies: {}, yanked: false, ...extra };
}

export function meta(versions: VersionRecord[], dist_tags: Record<string, string>, extra: Partial<Metadata> = {}): Metadata {
  return { name: "@a/pkg", description: "d", keywords: [], dist_tags, versions, ...extra };
}

export function state(checksum: string, extra: Partial<VersionState> = {}): VersionState {
  return { checksum, yanked: false, rejected: null, signers: [], ...extra };
}

export function record(versions: Record<string, VersionState>, dist_tags: Record<string, string>, owners: string[] = []): PackageRecord {
  return { dist_tags, owners, versions };
}

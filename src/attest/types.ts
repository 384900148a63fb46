/**
 * The signed snapshot's documents (SPEC §5a): the root `snapshot.json` and the hashed bins
 * `snapshot/bins/<xx>.json`. Parsers live in snapshot_doc.ts and bin_doc.ts.
 */

import type { Rejection } from "../registry/metadata.ts";

export type { Rejection };

/** One version as the snapshot vouches for it. */
export interface VersionState {
  checksum: string;
  yanked: boolean;
  rejected: Rejection | null;
  /** Author signers the attestor verified: key fingerprints or Sigstore identities. */
  signers: string[];
}

/** One package's record in its bin. */
export interface PackageRecord {
  dist_tags: Record<string, string>;
  owners: string[];
  versions: Record<string, VersionState>;
}

/** A bin: file-system name → record, for the packages whose name hashes into it. */
export type BinDoc = Record<string, PackageRecord>;

export interface AuditHead {
  /** `seq` of the last audit.log line covered (0 for an empty log). */
  seq: number;
  /** Lowercase hex SHA-256 of that line's bytes (64 zeros for an empty log), as the next line's `prev`. */
  sha256: string;
}

export interface SnapshotSignature {
  key_fingerprint: string;
  public_key: string;
  signature: string;
}

/** `snapshot.json` without its signatures: what is canonicalised (RFC 8785) and signed. */
export interface UnsignedSnapshot {
  version: 1;
  registry: string;
  serial: number;
  created_at: string;
  expires_at: string;
  registry_yaml: string;
  audit_head: AuditHead;
  /** Bin id → `sha256:<hex>` of the bin file's bytes; a bin not listed holds no package. */
  bins: Record<string, string>;
}

export interface Snapshot extends UnsignedSnapshot {
  signatures: SnapshotSignature[];
}

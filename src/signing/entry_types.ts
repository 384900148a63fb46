/**
 * What a per-algorithm verifier takes and answers (SPEC §6 step 5): the contract between the
 * dispatcher (signing/check_entry.ts) and ed25519/, openpgp/ and sigstore/.
 */
import type { SigEntry } from "./sig_file.ts";

export interface EntryResult {
  algorithm: string;
  valid: boolean;
  /** Key fingerprint for key-based entries. */
  key_fingerprint?: string;
  /** Certificate identity and issuer for Sigstore entries. */
  identity?: string;
  issuer?: string;
  signed_at?: string;
  reason?: string;
  /** Extra facts worth showing (OpenPGP user id, log index, ...). */
  info?: Record<string, string | number>;
}

export interface EntryContext {
  archive: Uint8Array;
  packageHash: string;
  /** Sigstore trust material (trusted_root.json text): local, --trusted-root, or from an offline cache entry. */
  trustedRoot?: string;
  /** Armoured OpenPGP public keys known locally (key store, offline cache entry), for entries without `public_key`. */
  publicKeys?: string[];
  /** PEM public keys of managed-key Sigstore bundles known locally (`aam key trust <cosign.pub>`). */
  managedKeys?: string[];
  /** security.verify_transparency_log (default true). */
  verifyTransparencyLog?: boolean;
  /** The time keys are judged at (OpenPGP expiry and revocation). */
  now: Date;
}

export type EntryVerifier = (entry: SigEntry, ctx: EntryContext) => Promise<EntryResult>;

/** What a check started before the archive is read needs to know: everything but the archive. */
export type StreamContext = Omit<EntryContext, "archive" | "packageHash">;

/**
 * One entry's check made around the verifier's single read of the archive (SPEC §6 step 1's pass):
 * started before the read, fed every chunk as it is hashed, answered after. The bytes it judges are
 * then the very bytes step 1 hashed, read once, and memory stays flat in the archive's size.
 */
export interface StreamedEntryCheck {
  /**
   * True when this entry can be checked only over the whole archive in memory (a Sigstore message
   * signature by a key whose signature cannot be checked against a digest): `finish` then gets them.
   */
  readonly wantsBytes: boolean;
  /** Takes the next chunk; it may be a view of a buffer the next read overwrites. */
  update(chunk: Uint8Array): void;
  /** @param packageHash `sha256:<hex>` of every chunk fed; `bytes` all of them, when wantsBytes. */
  finish(packageHash: string, bytes?: Uint8Array): Promise<EntryResult>;
}

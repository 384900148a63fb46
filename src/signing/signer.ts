/**
 * A signer makes one `.sig` entry for an archive (SPEC §5), shaped like sigstore-js's
 * `Signer { sign(data) }`: it is built from values already resolved by its caller (a key to unlock,
 * the clock, services, a token) and never sees a command line, configuration or key file.
 */
import type { SigEntry } from "./sig_file.ts";

/** A public key published into the registry's keys/ for convenience (never trusted by presence). */
export interface PublishedKey {
  fileName: string;
  text: string;
  fingerprint: string;
}

export interface SignedEntry {
  entry: SigEntry;
  keys: PublishedKey[];
}

export interface Signer {
  /** `packageHash` is `sha256:<hex>` of `archive` (Ed25519 signs it; the others sign the bytes). */
  sign(archive: Uint8Array, packageHash: string): Promise<SignedEntry>;
}

/**
 * A stored Ed25519 key (keys/unlock.ts), unlocked only when the signer uses it: a passphrase is
 * asked then. The caller of `unlock` wipes the seed after use.
 */
export interface Ed25519KeyAccess {
  unlock(): Promise<{ seed: Uint8Array; publicKey: Uint8Array }>;
}

/** A stored OpenPGP secret key (keys/unlock.ts): binary packets, unlocked only when used; the caller wipes them. */
export interface OpenPgpKeyAccess {
  /** The key's name, or the start of its fingerprint, for messages. */
  label: string;
  /** The key file, named in errors. */
  file: string;
  unlock(): Promise<{ fingerprint: string; secretKey: Uint8Array }>;
}

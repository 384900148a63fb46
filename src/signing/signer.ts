/**
 * A signer makes one `.sig` entry for an archive (SPEC §5), shaped like sigstore-js's
 * `Signer { sign(data) }`: it is built from values already resolved by its caller (key text, a
 * passphrase callback, the clock, services, a token) and never sees a command line or configuration.
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

/** Answers the passphrase of an encrypted key, asked only when the key is used. */
export type PassphraseCallback = () => Promise<string>;

/** A stored private key as the key store hands it out. */
export interface PrivateKeyInput {
  text: string;
  file: string;
  /** null for a key stored unencrypted. */
  passphrase: PassphraseCallback | null;
}

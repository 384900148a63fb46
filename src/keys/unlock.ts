/**
 * Stored private keys handed to signers (SPEC §5): the key file is read now, refusing one that
 * others can read, and decrypted only when the signer unlocks it, so a passphrase is asked only then.
 */
import type { Ed25519KeyAccess, OpenPgpKeyAccess } from "../signing/signer.ts";
import { readPrivateKeyFile, type PassphraseCallback, type StoredKey } from "./store.ts";
import { decryptKeyFile } from "./ed25519_file.ts";
import { openOpenPgpKeyFile } from "./openpgp_file.ts";

function labelOf(stored: StoredKey): string {
  return stored.name || stored.fingerprint.slice(0, 16);
}

async function passphraseFor(stored: StoredKey, passphrase: PassphraseCallback): Promise<string | null> {
  return stored.encrypted ? await passphrase(`unlock key "${labelOf(stored)}"`) : null;
}

/** @throws {AamError} NotFound for a missing key file; Error for one readable by others. */
export async function ed25519KeyAccess(stored: StoredKey, passphrase: PassphraseCallback): Promise<Ed25519KeyAccess> {
  const text = await readPrivateKeyFile(stored.file);
  return { unlock: async () => await decryptKeyFile(text, await passphraseFor(stored, passphrase), stored.file) };
}

/** @throws {AamError} NotFound for a missing key file; Error for one readable by others. */
export async function openPgpKeyAccess(stored: StoredKey, passphrase: PassphraseCallback): Promise<OpenPgpKeyAccess> {
  const text = await readPrivateKeyFile(stored.file);
  return {
    label: labelOf(stored),
    file: stored.file,
    unlock: async () => {
      const { key, secretKey } = await openOpenPgpKeyFile(text, await passphraseFor(stored, passphrase), stored.file);
      return { fingerprint: key.fingerprint, secretKey };
    },
  };
}

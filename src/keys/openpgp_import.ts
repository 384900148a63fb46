/**
 * `aam key import <secret-key.asc>` for OpenPGP keys (SPEC §5): reads an armoured secret key (from
 * `gpg --armor --export-secret-keys`), removes its own passphrase protection (asking for that
 * passphrase), and stores it as `$AAM_HOME/keys/<FP>.key`, encrypted at rest with AAM's scrypt +
 * AES-GCM (keys/openpgp_file.ts) under the same passphrase, or a new one when the key had
 * none; its public part goes to `<FP>.asc`. Loaded only through a dynamic import (cli/commands/key.ts).
 */
import type * as openpgp from "openpgp";
import { AamError } from "../errors.ts";
import { writeKeyFiles, type KeyStoreEnv } from "./store.ts";
import { encodeOpenPgpKeyFile } from "./openpgp_file.ts";
import { readSecretKey, unlockSecretKey, fingerprintOf, userIdOf, minimalPublicKey, firstLine, keyState } from "../signing/openpgp/public_key.ts";
import { mergedPublicKeyText } from "./openpgp_trust.ts";
import { neverVerifiesReason, sha1Warning } from "../signing/openpgp/key_rules.ts";

export interface ImportOptions {
  name?: string;
  /** false: `--no-passphrase`, store the secret key unencrypted. */
  passphrase?: boolean;
}

export interface ImportedOpenPgpKey {
  name: string;
  fingerprint: string;
  userId: string;
  file: string;
  encrypted: boolean;
}

/**
 * @param text The armoured secret key (untrusted).
 * @param path Its file, for errors and the default name.
 * @throws {AamError} UsageError for unreadable input, a missing passphrase, or a key that cannot
 * sign; Error for a wrong passphrase or inconsistent key material.
 */
export async function importOpenPgpKey(env: KeyStoreEnv, text: string, path: string, o: ImportOptions, defaultName: string): Promise<ImportedOpenPgpKey> {
  const key = await readSecretKey(text, path);
  const fp = fingerprintOf(key);
  const now = env.now;
  const name = o.name ?? defaultName;
  const wasProtected = !key.isDecrypted();
  const given = wasProtected ? await env.passphrase(`unlock OpenPGP key ${fp}`) : null;
  let unlocked: openpgp.PrivateKey | undefined;
  let packets: Uint8Array | undefined;
  try {
    unlocked = await unlockSecretKey(key, given, fp);
    const state = await keyState(unlocked, now);
    // Before validate(): checking the key's math may itself fail for a refused algorithm.
    const never = state.revoked || state.expired ? null : await neverVerifiesReason(unlocked, now);
    if (never) {
      // Signatures it made would be refused by every `aam verify`: refuse it here, with the reason.
      throw new AamError("UsageError", `Cannot import OpenPGP key ${fp}: it can never verify under AAM's rules: ${never}`, {
        file: path,
        hint: "make a key AAM accepts, e.g. `gpg --quick-gen-key '<name> <email>' ed25519 sign` (or rsa3072, nistp256, brainpoolP256r1)",
      });
    }
    try {
      // The secret parts must match the public ones (a tampered export could pair them wrongly).
      // validate() exists at run time but is untyped in openpgp.js v6.
      await (unlocked as unknown as { validate(): Promise<void> }).validate();
    } catch (e) {
      throw new AamError("Error", `Cannot import OpenPGP key ${fp}: its secret key does not match its public key (${firstLine(e)})`, {
        file: path,
        hint: "export the key again with `gpg --armor --export-secret-keys <key id>`",
      });
    }
    try {
      await unlocked.getSigningKey(undefined, now);
    } catch (e) {
      throw new AamError("UsageError", `Cannot import OpenPGP key ${fp}: it cannot sign now (${firstLine(e)})`, {
        file: path,
        hint: "the key may be expired or revoked, or have no signing (sub)key available; check `gpg --list-secret-keys`",
      });
    }
    const sha1 = sha1Warning(unlocked);
    if (sha1) env.warn(`${fp}: ${sha1}`);
    const encrypt = o.passphrase !== false;
    if (!encrypt) env.warn("--no-passphrase: the private key is stored UNENCRYPTED; anyone who can read it can sign as you");
    const passphrase = !encrypt ? null : (given ?? (await env.passphrase(`protect key "${name}"`, true)));
    const userId = await userIdOf(unlocked, now);
    const publicKey = minimalPublicKey(unlocked).armor();
    packets = unlocked.write();
    const keyText = await encodeOpenPgpKeyFile(packets, { name, fingerprint: fp, userId, publicKey }, { passphrase, now });
    const file = await writeKeyFiles(env.home, fp, keyText, await mergedPublicKeyText(env.home, fp, publicKey, now), ".asc");
    return { name, fingerprint: fp, userId, file, encrypted: encrypt };
  } finally {
    packets?.fill(0);
    // Wipe the secret material openpgp.js holds (clearPrivateParams exists at run time, untyped in v6).
    (unlocked as unknown as { clearPrivateParams?: () => void } | undefined)?.clearPrivateParams?.();
  }
}

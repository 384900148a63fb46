/**
 * `--signing-method openpgp` (SPEC §5): signs the `.aam` file's bytes in-process with openpgp.js,
 * using a secret key added by `aam key import <key.asc>` ($AAM_HOME/keys/<FP>.key, encrypted at rest).
 * The detached, armoured signature is what `gpg --verify sig.asc pkg.aam` accepts.
 * Loaded only through a dynamic import (cli/commands/_signing.ts).
 */
import * as openpgp from "openpgp";
import { AamError } from "../../errors.ts";
import type { ExternalSigner } from "../../cli/commands/_signing.ts";
import type { Context } from "../../cli/context.ts";
import { findStoredKey, listStoredKeys, readPrivateKeyFile, type StoredKey } from "../../keys/store.ts";
import { readPassphrase } from "../../keys/passphrase.ts";
import { openOpenPgpKeyFile } from "./key_file.ts";
import { fingerprintOf, firstLine } from "./public_key.ts";
import { makeOpenPgpEntry } from "./_entry.ts";

export const signWithOpenPgp: ExternalSigner = async (ctx, archive, _packageHash, opts) => {
  const stored = await pickOpenPgpKey(ctx, opts.key);
  const label = stored.name || stored.fingerprint.slice(0, 16);
  const text = await readPrivateKeyFile(stored.file);
  const passphrase = stored.encrypted ? await readPassphrase({ passphraseFile: opts.passphraseFile, purpose: `unlock key "${label}"` }) : null;
  const { key: file, secretKey } = await openOpenPgpKeyFile(text, passphrase, stored.file);
  let priv: openpgp.PrivateKey | undefined;
  try {
    try {
      priv = await openpgp.readPrivateKey({ binaryKey: secretKey });
    } catch (e) {
      throw new AamError("Error", `Cannot use key file "${stored.file}": its secret key is unreadable (${firstLine(e)})`, {
        file: stored.file,
        hint: "the key file is damaged; import the key again with `aam key import`",
      });
    }
    // An unencrypted file has no tag binding its packets to its fingerprint: check they match.
    if (fingerprintOf(priv) !== file.fingerprint || !priv.isDecrypted()) {
      throw new AamError("Error", `Cannot use key file "${stored.file}": its secret key is not key ${file.fingerprint}`, {
        file: stored.file,
        hint: "the key file was damaged or tampered with; import the key again with `aam key import`",
      });
    }
    const now = ctx.now();
    let signature: string;
    try {
      const message = await openpgp.createMessage({ binary: archive });
      signature = (await openpgp.sign({ message, signingKeys: priv, detached: true, format: "armored", date: now })) as string;
    } catch (e) {
      throw new AamError("Error", `Cannot sign with OpenPGP key "${label}": ${firstLine(e)}`, {
        hint: "the key may be expired, revoked or have no signing subkey; check it with `gpg --list-keys` where it came from",
        cause: e,
      });
    }
    const made = await makeOpenPgpEntry(archive, signature, priv, now, "openpgp");
    return { entry: made.entry, keys: made.keys };
  } finally {
    // Wipe the secret material openpgp.js holds (clearPrivateParams exists at run time, untyped in v6).
    (priv as unknown as { clearPrivateParams?: () => void } | undefined)?.clearPrivateParams?.();
    secretKey.fill(0);
  }
};

/**
 * The OpenPGP key to sign with: `--key`, else `security.signing_key` when it names an OpenPGP key,
 * else the only imported OpenPGP secret key.
 */
async function pickOpenPgpKey(ctx: Context, ref: string | undefined): Promise<StoredKey> {
  if (ref) {
    const k = await findStoredKey(ctx.home, ref);
    if (k.algorithm !== "openpgp") {
      throw new AamError("UsageError", `Key "${ref}" is an ${k.algorithm} key, not an OpenPGP key`, {
        hint: `use --signing-method ${k.algorithm}, or pick an OpenPGP key with --key (aam key list)`,
      });
    }
    return k;
  }
  const configured = (await ctx.config()).merged.security.signing_key;
  const pgp = (await listStoredKeys(ctx.home)).filter((k) => k.has_private && k.algorithm === "openpgp");
  if (configured) {
    const c = configured.toLowerCase();
    const hit = pgp.filter((k) => k.name === configured || k.fingerprint.toLowerCase() === c || (c.length >= 8 && k.fingerprint.toLowerCase().startsWith(c)));
    // security.signing_key often names the Ed25519 key; then it does not choose among OpenPGP keys.
    if (hit.length === 1) return hit[0];
  }
  if (pgp.length === 1) return pgp[0];
  if (pgp.length === 0) {
    throw new AamError("NotFound", "Cannot sign with openpgp: no OpenPGP secret key has been imported", {
      hint: "gpg --armor --export-secret-keys <key id> > key.asc && aam key import key.asc (or sign through gpg: --signing-method gpg)",
    });
  }
  throw new AamError("UsageError", "Cannot sign with openpgp: several OpenPGP keys found; pick one", {
    hint: `pass --key <name|fingerprint>, e.g. --key ${pgp[0].fingerprint}`,
  });
}

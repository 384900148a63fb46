/**
 * `--signing-method openpgp` (SPEC §5): signs the `.aam` file's bytes in-process with openpgp.js,
 * using a secret key added by `aam key import <key.asc>` ($AAM_HOME/keys/<FP>.key, encrypted at rest).
 * The detached, armoured signature is what `gpg --verify sig.asc pkg.aam` accepts.
 * Loaded only through a dynamic import (openpgp.js is heavy).
 */
import * as openpgp from "openpgp";
import { AamError } from "../../errors.ts";
import type { OpenPgpKeyAccess, SignedEntry, Signer } from "../signer.ts";
import { fingerprintOf, firstLine } from "./public_key.ts";
import { makeOpenPgpEntry } from "./_entry.ts";

export function openPgpSigner(key: OpenPgpKeyAccess, now: () => Date): Signer {
  return { sign: (archive) => signWith(key, archive, now()) };
}

async function signWith(key: OpenPgpKeyAccess, archive: Uint8Array, now: Date): Promise<SignedEntry> {
  const label = key.label;
  const { fingerprint, secretKey } = await key.unlock();
  let priv: openpgp.PrivateKey | undefined;
  try {
    try {
      priv = await openpgp.readPrivateKey({ binaryKey: secretKey });
    } catch (e) {
      throw new AamError("Error", `Cannot use key file "${key.file}": its secret key is unreadable (${firstLine(e)})`, {
        file: key.file,
        hint: "the key file is damaged; import the key again with `aam key import`",
      });
    }
    // An unencrypted file has no tag binding its packets to its fingerprint: check they match.
    if (fingerprintOf(priv) !== fingerprint || !priv.isDecrypted()) {
      throw new AamError("Error", `Cannot use key file "${key.file}": its secret key is not key ${fingerprint}`, {
        file: key.file,
        hint: "the key file was damaged or tampered with; import the key again with `aam key import`",
      });
    }
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
}

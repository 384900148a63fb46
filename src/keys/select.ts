/** Which stored key signs: `--key`, else `security.signing_key`, else the only one of its kind. */
import { AamError } from "../errors.ts";
import { findStoredKey, listStoredKeys, type StoredKey } from "./store.ts";

/**
 * The OpenPGP key to sign with: `--key`, else `security.signing_key` when it names an OpenPGP key,
 * else the only imported OpenPGP secret key.
 */
export async function selectOpenPgpKey(home: string, ref: string | undefined, configured: string | undefined): Promise<StoredKey> {
  if (ref) {
    const k = await findStoredKey(home, ref);
    if (k.algorithm !== "openpgp") {
      throw new AamError("UsageError", `Key "${ref}" is an ${k.algorithm} key, not an OpenPGP key`, {
        hint: `use --signing-method ${k.algorithm}, or pick an OpenPGP key with --key (aam key list)`,
      });
    }
    return k;
  }
  const pgp = (await listStoredKeys(home)).filter((k) => k.has_private && k.algorithm === "openpgp");
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

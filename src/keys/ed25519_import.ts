/**
 * Adding Ed25519 keys to the store (SPEC §5): `aam key generate` and `aam key import <key.pem>`.
 * Writes `<fingerprint>.key` (encrypted at rest unless `encrypt` is false) and `<fingerprint>.pub`.
 */
import { AamError } from "../errors.ts";
import { ed25519PublicKeyToPem, ed25519PrivateKeyFromPem } from "../encoding/pem.ts";
import { generateEd25519, publicKeyOf } from "../signing/ed25519/sign.ts";
import { fingerprint } from "../signing/ed25519/public_key.ts";
import { encryptKeyFile } from "./ed25519_file.ts";
import { listStoredKeys, writeKeyFiles, type KeyStoreEnv } from "./store.ts";

export interface AddedEd25519Key {
  name: string;
  fingerprint: string;
  file: string;
  encrypted: boolean;
  publicKey: Uint8Array;
}

/** @param encrypt false: `--no-passphrase`, store the seed unencrypted (with a warning). */
async function storeEd25519(env: KeyStoreEnv, seed: Uint8Array, publicKey: Uint8Array, name: string, encrypt: boolean): Promise<AddedEd25519Key> {
  if (!encrypt) env.warn("--no-passphrase: the private key is stored UNENCRYPTED; anyone who can read it can sign as you");
  const passphrase = encrypt ? await env.passphrase(`protect key "${name}"`, true) : null;
  const text = await encryptKeyFile(seed, publicKey, { name, passphrase, now: env.now });
  const fp = fingerprint(publicKey);
  const file = await writeKeyFiles(env.home, fp, text, ed25519PublicKeyToPem(publicKey));
  return { name, fingerprint: fp, file, encrypted: encrypt, publicKey };
}

/** @throws {AamError} UsageError when a key named `name` exists. */
export async function generateEd25519Key(env: KeyStoreEnv, name: string, encrypt: boolean): Promise<AddedEd25519Key> {
  if ((await listStoredKeys(env.home)).some((k) => k.name === name)) {
    throw new AamError("UsageError", `Cannot generate key "${name}": a key of that name exists`, { hint: "pick another --name, or see aam key list" });
  }
  const { seed, publicKey } = await generateEd25519();
  try {
    return await storeEd25519(env, seed, publicKey, name, encrypt);
  } finally {
    seed.fill(0);
  }
}

/** @param pem A PKCS#8 PEM private key (untrusted). @throws {AamError} for a malformed key. */
export async function importEd25519Key(env: KeyStoreEnv, pem: string, name: string, encrypt: boolean): Promise<AddedEd25519Key> {
  const seed = ed25519PrivateKeyFromPem(pem);
  try {
    return await storeEd25519(env, seed, await publicKeyOf(seed), name, encrypt);
  } finally {
    seed.fill(0);
  }
}

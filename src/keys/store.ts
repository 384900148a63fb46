/**
 * The key store under `$AAM_HOME/keys/` (SPEC §5): one `<fingerprint>.key` (0600) and
 * `<fingerprint>.pub` per key, in a 0700 folder. A private key readable by others is refused, as ssh does.
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

/** Answers a passphrase for `purpose` ("unlock key …"); `confirm` asks twice (a new passphrase). */
export type PassphraseCallback = (purpose: string, confirm?: boolean) => Promise<string>;

/** What adding a key to the store needs from its caller: where, when, how to warn and to ask. */
export interface KeyStoreEnv {
  home: string;
  now: Date;
  warn: (message: string) => void;
  passphrase: PassphraseCallback;
}

export interface StoredKey {
  name: string;
  fingerprint: string;
  algorithm: string;
  encrypted: boolean;
  created_at: string;
  file: string;
  /** Public key: base64 raw (ed25519) or armoured (openpgp). */
  public_key: string;
  /** Public-only entries (imported for trust or export) have no private part. */
  has_private: boolean;
}

export function keysDir(home: string): string {
  return fs.path.join(home, "keys");
}

export async function ensureKeysDir(home: string): Promise<string> {
  const dir = keysDir(home);
  await fs.mkdirp(dir, 0o700);
  await fs.chmod(dir, 0o700);
  return dir;
}

function summarise(text: string, file: string): StoredKey | null {
  try {
    const j = JSON.parse(text);
    if (typeof j !== "object" || j === null || typeof j.fingerprint !== "string") return null;
    return {
      name: String(j.name ?? ""),
      fingerprint: j.fingerprint,
      algorithm: String(j.algorithm ?? "ed25519"),
      encrypted: j.encryption !== undefined && j.encryption !== "none",
      created_at: String(j.created_at ?? ""),
      file,
      public_key: String(j.public_key ?? ""),
      has_private: typeof j.private_key === "string",
    };
  } catch {
    return null; // not a key file of ours; listing skips it
  }
}

export async function listStoredKeys(home: string): Promise<StoredKey[]> {
  const dir = keysDir(home);
  const out: StoredKey[] = [];
  for (const e of await fs.readDirIfExists(dir)) {
    if (!e.isFile || !e.name.endsWith(".key")) continue;
    const file = fs.path.join(dir, e.name);
    const k = summarise(await fs.readText(file, DOCUMENT_LIMIT), file);
    if (k) out.push(k);
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

/**
 * Finds a key by name, full fingerprint, or a fingerprint prefix of at least 8 hex digits. With no
 * `ref`, the only key of `algorithm` (when given: an imported OpenPGP key does not make the Ed25519
 * default ambiguous), else the only key.
 */
export async function findStoredKey(home: string, ref: string | undefined, algorithm?: string): Promise<StoredKey> {
  const keys = (await listStoredKeys(home)).filter((k) => k.has_private);
  if (!ref) {
    const same = algorithm ? keys.filter((k) => k.algorithm === algorithm) : keys;
    if (same.length === 1) return same[0];
    if (keys.length === 1) return keys[0];
    throw new AamError(keys.length === 0 ? "NotFound" : "UsageError", keys.length === 0 ? "No signing key found" : "Several signing keys found; pick one", {
      hint: keys.length === 0 ? "aam key generate" : `pass --key <name|fingerprint>, or aam config set security.signing_key ${keys[0].name || keys[0].fingerprint}`,
    });
  }
  const r = ref.toLowerCase();
  const hits = keys.filter((k) => k.name === ref || k.fingerprint.toLowerCase() === r || (r.length >= 8 && /^[0-9a-f]+$/.test(r) && k.fingerprint.toLowerCase().startsWith(r)));
  if (hits.length === 1) return hits[0];
  throw new AamError(hits.length === 0 ? "NotFound" : "UsageError", hits.length === 0 ? `Cannot find key "${ref}"` : `Key "${ref}" is ambiguous`, {
    hint: "aam key list",
  });
}

/** Reads a private key file, refusing one that group or others can read. */
export async function readPrivateKeyFile(file: string): Promise<string> {
  const st = await fs.stat(file);
  if (!st) throw new AamError("NotFound", `Cannot find key file "${file}"`, { file, hint: "aam key list" });
  if ((st.mode & 0o077) !== 0) {
    throw new AamError("Error", `Cannot use key file "${file}": it is readable by other users (mode ${(st.mode & 0o777).toString(8)})`, {
      file,
      hint: `chmod 600 "${file}"`,
    });
  }
  return await fs.readText(file, DOCUMENT_LIMIT);
}

/** Writes `<fp>.key` (0600) and its public part, `<fp>.pub` (Ed25519 PEM) or `<fp>.asc` (armoured OpenPGP). */
export async function writeKeyFiles(home: string, fingerprint: string, keyText: string, publicText: string, publicExt: ".pub" | ".asc" = ".pub"): Promise<string> {
  const dir = await ensureKeysDir(home);
  const file = fs.path.join(dir, `${fingerprint}.key`);
  if (await fs.stat(file)) {
    throw new AamError("UsageError", `Cannot store key ${fingerprint}: it is already in the key store`, { file, hint: "aam key list" });
  }
  await fs.writeFileAtomic(fs.path.join(dir, `${fingerprint}${publicExt}`), publicText);
  await fs.writeFileAtomic(file, keyText, { mode: 0o600 });
  await fs.chmod(file, 0o600);
  return file;
}

/** An armoured OpenPGP public key kept in the store (`<FINGERPRINT>.asc`): for verification, never trusted by presence. */
export interface PublicKeyFile {
  fingerprint: string;
  file: string;
}

export async function listPublicKeyFiles(home: string): Promise<PublicKeyFile[]> {
  const dir = keysDir(home);
  const out: PublicKeyFile[] = [];
  for (const e of await fs.readDirIfExists(dir)) {
    const m = /^([0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})\.asc$/.exec(e.name);
    if (e.isFile && m) out.push({ fingerprint: m[1].toUpperCase(), file: fs.path.join(dir, e.name) });
  }
  return out.sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
}

/** The ending of a managed ECDSA public key kept for Sigstore bundles: `<fingerprint>.sigstore.pem`. */
export const MANAGED_KEY_EXT = ".sigstore.pem";

/** Writes (replaces) `<fingerprint>.asc`, or `<fingerprint>.sigstore.pem` for a managed ECDSA key. */
export async function writePublicKeyFile(home: string, fingerprint: string, text: string, ext: ".asc" | typeof MANAGED_KEY_EXT = ".asc"): Promise<string> {
  const dir = await ensureKeysDir(home);
  const file = fs.path.join(dir, `${fingerprint}${ext}`);
  await fs.writeFileAtomic(file, text);
  return file;
}

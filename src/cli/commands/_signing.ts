/** Producing `.sig` documents for `pkg sign` and `pkg publish --sign` (SPEC §5). */
import { AamError } from "../../errors.ts";
import type { Context } from "../context.ts";
import { checksumOf } from "../../encoding/sha256.ts";
import { fromBase64 } from "../../encoding/base64.ts";
import { ed25519PublicKeyToPem } from "../../encoding/pem.ts";
import { parseSigFile, serializeSigFile, addEntry, createEd25519Entry, type SigFile, type SigEntry } from "../../signing/sig_file.ts";
import { decryptKeyFile } from "../../signing/ed25519/key_store.ts";
import { findStoredKey, readPrivateKeyFile } from "../../keys/store.ts";
import { readPassphrase } from "../../keys/passphrase.ts";
import type { SignatureSummary } from "../../registry/metadata.ts";

export type SigningMethod = "ed25519" | "openpgp" | "gpg" | "sigstore";
const METHODS: SigningMethod[] = ["ed25519", "openpgp", "gpg", "sigstore"];

export interface SignOptions {
  key?: string;
  signingMethod?: string;
  gpgKey?: string;
  passphraseFile?: string;
  identityToken?: string;
}

export interface SignResult {
  sig: SigFile;
  sigText: string;
  entry: SigEntry;
  keys: { fileName: string; text: string; fingerprint: string }[];
}

export function summarise(sig: SigFile): SignatureSummary[] {
  return sig.signatures.map((e) =>
    e.algorithm === "sigstore"
      ? { algorithm: e.algorithm }
      : { algorithm: e.algorithm, key_fingerprint: e.key_fingerprint, signed_at: e.signed_at },
  );
}

async function pickMethod(ctx: Context, given?: string): Promise<SigningMethod> {
  const m = given ?? (await ctx.config()).merged.security.signing_method ?? "ed25519";
  if (!METHODS.includes(m as SigningMethod)) {
    throw new AamError("UsageError", `Unknown signing method "${m}"`, { hint: `use one of: ${METHODS.join(", ")}` });
  }
  return m as SigningMethod;
}

async function ed25519Entry(ctx: Context, packageHash: string, opts: SignOptions) {
  const cfg = (await ctx.config()).merged;
  const stored = await findStoredKey(ctx.home, opts.key ?? cfg.security.signing_key, "ed25519");
  if (stored.algorithm !== "ed25519") {
    throw new AamError("UsageError", `Key "${stored.name || stored.fingerprint}" is an ${stored.algorithm} key`, {
      hint: `use --signing-method ${stored.algorithm === "openpgp" ? "openpgp" : stored.algorithm}, or pick an Ed25519 key with --key`,
    });
  }
  const text = await readPrivateKeyFile(stored.file);
  const passphrase = stored.encrypted
    ? await readPassphrase({ passphraseFile: opts.passphraseFile, purpose: `unlock key "${stored.name || stored.fingerprint.slice(0, 16)}"` })
    : null;
  const key = await decryptKeyFile(text, passphrase, stored.file);
  try {
    const entry = await createEd25519Entry({ seed: key.seed, publicKey: key.publicKey, packageHash, now: ctx.now() });
    const pub = fromBase64(entry.public_key)!;
    return { entry: entry as SigEntry, keys: [{ fileName: `${entry.key_fingerprint}.pem`, text: ed25519PublicKeyToPem(pub), fingerprint: entry.key_fingerprint }] };
  } finally {
    key.seed.fill(0);
  }
}

/** The OpenPGP, gpg and Sigstore signers; each loads its library only when used. */
export type ExternalSigner = (ctx: Context, archive: Uint8Array, packageHash: string, opts: SignOptions) => Promise<{ entry: SigEntry; keys: SignResult["keys"] }>;
const external: Record<Exclude<SigningMethod, "ed25519">, () => Promise<ExternalSigner>> = {
  gpg: async () => (await import("../../signing/openpgp/gpg_sign.ts")).signWithGpg,
  openpgp: async () => (await import("../../signing/openpgp/sign.ts")).signWithOpenPgp,
  sigstore: async () => (await import("../../signing/sigstore/sign.ts")).signWithSigstore,
};

/**
 * Signs an archive and merges the new entry into the existing .sig (if any), so a version can carry
 * several signatures (rotation, several keys, several methods).
 */
export async function signArchive(
  ctx: Context,
  archive: Uint8Array,
  ident: { name: string; version: string },
  existingSigText: string | null,
  existingSigFile: string,
  opts: SignOptions,
): Promise<SignResult> {
  const packageHash = checksumOf(archive);
  let sig: SigFile = { version: 1, package: ident.name, package_version: ident.version, package_hash: packageHash, signatures: [] };
  if (existingSigText !== null) {
    const old = parseSigFile(existingSigText, existingSigFile);
    if (old.package_hash === packageHash && old.package === ident.name && old.package_version === ident.version) sig = old;
    else ctx.out.warn(`${existingSigFile} belongs to other bytes; starting a new .sig`);
  }
  const method = await pickMethod(ctx, opts.signingMethod);
  let made;
  if (method === "ed25519") made = await ed25519Entry(ctx, packageHash, opts);
  else made = await (await external[method]())(ctx, archive, packageHash, opts);
  sig = addEntry(sig, made.entry);
  return { sig, sigText: serializeSigFile(sig), entry: made.entry, keys: made.keys };
}

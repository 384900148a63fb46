/** Producing `.sig` documents for `pkg sign` and `pkg publish --sign` (SPEC §5). */
import { AamError } from "../../errors.ts";
import type { Context } from "../context.ts";
import { checksumOf } from "../../encoding/sha256.ts";
import { fs, proc, run } from "../../runtime/index.ts";
import { parseSigFile, serializeSigFile, addEntry, type SigFile, type SigEntry } from "../../signing/sig_file.ts";
import type { PublishedKey, Signer } from "../../signing/signer.ts";
import { ed25519Signer } from "../../signing/ed25519/signer.ts";
import { TRUSTED_ROOT_FILE } from "../../verify/local_trust.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";
import { findStoredKey, type PassphraseCallback } from "../../keys/store.ts";
import { ed25519KeyAccess, openPgpKeyAccess } from "../../keys/unlock.ts";
import { selectOpenPgpKey } from "../../keys/select.ts";
import { readPassphrase } from "../../keys/passphrase.ts";
import { splitList } from "./_shared.ts";

export type SigningMethod = "ed25519" | "openpgp" | "gpg" | "sigstore";
const METHODS: SigningMethod[] = ["ed25519", "openpgp", "gpg", "sigstore"];

export interface SignOptions {
  key?: string;
  signingMethod?: string;
  gpgKey?: string;
  /** `--gpg-keys a,b`: sign with gpg once per key, one entry each. */
  gpgKeys?: string;
  passphraseFile?: string;
  identityToken?: string;
}

export interface SignResult {
  sig: SigFile;
  sigText: string;
  /** The entries this run added (one, or one per `--gpg-keys` key). */
  entries: SigEntry[];
  keys: PublishedKey[];
}

async function pickMethod(ctx: Context, given?: string): Promise<SigningMethod> {
  const m = given ?? (await ctx.config()).merged.security.signing_method ?? "ed25519";
  if (!METHODS.includes(m as SigningMethod)) {
    throw new AamError("UsageError", `Unknown signing method "${m}"`, { hint: `use one of: ${METHODS.join(", ")}` });
  }
  return m as SigningMethod;
}

/** Passphrases for stored keys: --passphrase-file, AAM_PASSPHRASE or a prompt, asked only when a key is unlocked. */
function passphrases(opts: SignOptions): PassphraseCallback {
  return (purpose) => readPassphrase({ passphraseFile: opts.passphraseFile, purpose });
}

/** The stored Ed25519 key `opts.key` (or `security.signing_key`), unlocked when first used. */
export async function ed25519Key(ctx: Context, opts: SignOptions) {
  const cfg = (await ctx.config()).merged;
  const stored = await findStoredKey(ctx.home, opts.key ?? cfg.security.signing_key, "ed25519");
  if (stored.algorithm !== "ed25519") {
    throw new AamError("UsageError", `Key "${stored.name || stored.fingerprint}" is an ${stored.algorithm} key`, {
      hint: `use --signing-method ${stored.algorithm === "openpgp" ? "openpgp" : stored.algorithm}, or pick an Ed25519 key with --key`,
    });
  }
  return await ed25519KeyAccess(stored, passphrases(opts));
}

/** The OIDC identity token: `--identity-token`, SIGSTORE_ID_TOKEN, or a browser sign-in on a terminal. */
async function identityToken(ctx: Context, opts: SignOptions, oidcIssuer: string | undefined): Promise<string> {
  const token = (opts.identityToken ?? proc.env("SIGSTORE_ID_TOKEN") ?? "").trim();
  if (token !== "") return token;
  if (!proc.isStdinTTY()) {
    throw new AamError("UsageError", 'Cannot sign with "sigstore": no OIDC identity token', {
      hint: "pass --identity-token <jwt> or set SIGSTORE_ID_TOKEN (in GitHub Actions: request one with `id-token: write` and audience \"sigstore\"), or run on a terminal to sign in with a browser",
    });
  }
  const { interactiveIdentityToken, DEFAULT_OIDC_ISSUER } = await import("../../signing/sigstore/oauth_flow.ts");
  return await interactiveIdentityToken({
    issuer: oidcIssuer ?? DEFAULT_OIDC_ISSUER,
    openUrl: async (url) => {
      ctx.out.warn(`sign in with your browser to sign keylessly:\n  ${url}`);
      await run(proc.platform() === "darwin" ? "open" : "xdg-open", [url]).catch(() => null); // best effort: the URL is printed
    },
  });
}

/** `security.gpg_home` as a folder: `~/…` is the user's home (as the documentation writes it), a relative path is from the working folder. */
function gpgHome(ctx: Context, configured: string | undefined): string | undefined {
  if (configured === undefined) return undefined;
  const home = configured === "~" || configured.startsWith("~/") ? fs.path.join(proc.homedir(), configured.slice(1)) : configured;
  return fs.path.resolve(ctx.cwd, home);
}

/** Builds the signer for `method` from configuration and flags; each loads its library only when used. */
async function signerFor(ctx: Context, method: SigningMethod, opts: SignOptions): Promise<Signer> {
  const cfg = (await ctx.config()).merged.security;
  const now = () => ctx.now();
  switch (method) {
    case "ed25519":
      return ed25519Signer(await ed25519Key(ctx, opts), now);
    case "openpgp": {
      const stored = await selectOpenPgpKey(ctx.home, opts.key, cfg.signing_key);
      return (await import("../../signing/openpgp/sign.ts")).openPgpSigner(await openPgpKeyAccess(stored, passphrases(opts)), now);
    }
    case "gpg":
      return (await import("../../signing/openpgp/gpg_sign.ts")).gpgSigner({ keyRef: opts.gpgKey ?? cfg.gpg_key, homeDir: gpgHome(ctx, cfg.gpg_home), now });
    case "sigstore": {
      const { sigstoreSigner } = await import("../../signing/sigstore/sign.ts");
      const { DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL, DEFAULT_TSA_URL } = await import("../../signing/sigstore/create_bundle.ts");
      const rootFile = fs.path.join(ctx.home, TRUSTED_ROOT_FILE);
      const rootText = await fs.readTextIfExists(rootFile, DOCUMENT_LIMIT);
      return sigstoreSigner({
        identityToken: await identityToken(ctx, opts, cfg.sigstore?.oidc_issuer),
        services: {
          // One endpoint (`security.sigstore.endpoint`) stands in for any of the three not set one by one.
          fulcioUrl: cfg.sigstore?.fulcio_url ?? cfg.sigstore?.endpoint ?? DEFAULT_FULCIO_URL,
          rekorUrl: cfg.sigstore?.rekor_url ?? cfg.sigstore?.endpoint ?? DEFAULT_REKOR_URL,
          tsaUrl: cfg.sigstore?.tsa_url ?? cfg.sigstore?.endpoint ?? DEFAULT_TSA_URL,
        },
        trustedRoot: rootText === null ? null : { text: rootText, file: rootFile },
        verifyTransparencyLog: cfg.verify_transparency_log !== false,
        now,
        warn: (m) => ctx.out.warn(m),
        progress: (label) => (label === null ? ctx.out.clearProgress() : ctx.out.progress(label, 0, 1)),
      });
    }
  }
}

/**
 * The signers one run uses: one for the method, or with `--gpg-keys a,b` one gpg signer per key
 * (as the AAM documentation's `publish --sign --gpg-keys` does), each key asked of gpg once.
 */
async function signersFor(ctx: Context, opts: SignOptions): Promise<Signer[]> {
  const gpgKeys = splitList(opts.gpgKeys);
  if (opts.gpgKeys === undefined) return [await signerFor(ctx, await pickMethod(ctx, opts.signingMethod), opts)];
  if (gpgKeys.length === 0) throw new AamError("UsageError", "--gpg-keys names no key", { hint: "--gpg-keys <id>,<id>" });
  if (opts.gpgKey !== undefined) throw new AamError("UsageError", "Cannot combine --gpg-key with --gpg-keys", { hint: "list every key in --gpg-keys" });
  if (opts.signingMethod !== undefined && opts.signingMethod !== "gpg") {
    throw new AamError("UsageError", `Cannot use --gpg-keys with --signing-method ${opts.signingMethod}`, { hint: "--gpg-keys signs with gpg: drop --signing-method, or use --signing-method gpg" });
  }
  return await Promise.all(unique(gpgKeys).map((k) => signerFor(ctx, "gpg", { ...opts, gpgKey: k })));
}

const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

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
  /** `sha256:<hex>` of `archive` when the caller has it (publish hashes once). */
  packageHash: string = checksumOf(archive),
): Promise<SignResult> {
  let sig: SigFile = { version: 1, package: ident.name, package_version: ident.version, package_hash: packageHash, signatures: [] };
  if (existingSigText !== null) {
    const old = parseSigFile(existingSigText, existingSigFile);
    if (old.package_hash === packageHash && old.package === ident.name && old.package_version === ident.version) sig = old;
    else ctx.out.warn(`${existingSigFile} belongs to other bytes; starting a new .sig`);
  }
  const entries: SigEntry[] = [];
  const keys: PublishedKey[] = [];
  for (const signer of await signersFor(ctx, opts)) {
    const made = await signer.sign(archive, packageHash);
    sig = addEntry(sig, made.entry);
    entries.push(made.entry);
    keys.push(...made.keys);
  }
  return { sig, sigText: serializeSigFile(sig), entries, keys };
}

/** Producing `.sig` documents for `pkg sign` and `pkg publish --sign` (SPEC §5). */
import { AamError } from "../../errors.ts";
import type { Context } from "../context.ts";
import { checksumOf } from "../../encoding/sha256.ts";
import { fs, proc, readLine, run } from "../../runtime/index.ts";
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
  /** `--oidc-manual`: keyless sign-in by typing back the code, no browser or loopback listener. */
  oidcManual?: boolean;
}

export interface SignResult {
  sig: SigFile;
  sigText: string;
  /** The entries this run added (one, or one per `--gpg-keys` key). */
  entries: SigEntry[];
  keys: PublishedKey[];
}

async function pickMethod(ctx: Context, given?: string, oidcManual?: boolean): Promise<SigningMethod> {
  if (oidcManual && given !== undefined && given !== "sigstore") {
    throw new AamError("UsageError", `Cannot use --oidc-manual with --signing-method ${given}`, { hint: "--oidc-manual signs in for keyless (sigstore) signing: drop one of them" });
  }
  // The flag names keyless signing: it needs no --signing-method sigstore besides (`aam publish --sign --oidc-manual`).
  const m = given ?? (oidcManual ? "sigstore" : undefined) ?? (await ctx.config()).merged.security.signing_method ?? "ed25519";
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

/** The most one typed answer may be (SPEC §10): a redirect URL with its code and state is far less. */
const ANSWER_LIMIT = 8 * 1024;

/**
 * The OIDC identity token: `--identity-token`, SIGSTORE_ID_TOKEN, the typed-back sign-in with
 * `--oidc-manual`, or a browser sign-in on a terminal.
 */
async function identityToken(ctx: Context, opts: SignOptions, oidcIssuer: string | undefined): Promise<string> {
  if (opts.oidcManual && opts.identityToken !== undefined) {
    throw new AamError("UsageError", "Cannot combine --oidc-manual with --identity-token", { hint: "--oidc-manual signs in to get a token: drop one of them" });
  }
  // The flag asks for a sign-in: it overrides a token left in the environment.
  const token = opts.oidcManual ? "" : (opts.identityToken ?? proc.env("SIGSTORE_ID_TOKEN") ?? "").trim();
  if (token !== "") return token;
  const { interactiveIdentityToken, manualIdentityToken, DEFAULT_OIDC_ISSUER } = await import("../../signing/sigstore/oauth_flow.ts");
  const issuer = oidcIssuer ?? DEFAULT_OIDC_ISSUER;
  // Read from stdin whether or not it is a terminal, as cosign and sigstore-python do: the flag says
  // the user will answer, and a container without a terminal (`docker run -i`) still has a stdin.
  if (opts.oidcManual) return await manualIdentityToken({ issuer, showUrl: (url) => ctx.out.instruct(["Open this URL in a browser on any machine and sign in:", `  ${url}`]), readAnswer: typedAnswer });
  if (!proc.isStdinTTY()) {
    throw new AamError("UsageError", 'Cannot sign with "sigstore": no OIDC identity token', {
      hint: "pass --identity-token <jwt> or set SIGSTORE_ID_TOKEN (in GitHub Actions: request one with `id-token: write` and audience \"sigstore\"), run on a terminal to sign in with a browser, or sign in without one with --oidc-manual",
    });
  }
  return await interactiveIdentityToken({
    issuer,
    openUrl: async (url) => {
      ctx.out.instruct(["Sign in with your browser to sign keylessly:", `  ${url}`]);
      await run(proc.platform() === "darwin" ? "open" : "xdg-open", [url]).catch(() => null); // best effort: the URL is printed
    },
  });
}

/** The line typed back in the `--oidc-manual` sign-in. */
async function typedAnswer(): Promise<string> {
  const a = await readLine("Enter the code shown after signing in (or paste the whole redirect URL): ", ANSWER_LIMIT);
  if (a.kind === "line") return a.text;
  const why = a.kind === "end" ? "the input ended before a code was entered" : `the line entered is longer than ${ANSWER_LIMIT / 1024} KiB`;
  throw new AamError("UsageError", `Cannot sign in for keyless signing: ${why}`, { hint: "type or paste the code (or the redirect URL) on one line, then press Enter" });
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
  if (opts.gpgKeys === undefined) return [await signerFor(ctx, await pickMethod(ctx, opts.signingMethod, opts.oidcManual), opts)];
  if (opts.oidcManual) throw new AamError("UsageError", "Cannot use --oidc-manual with --gpg-keys", { hint: "--oidc-manual is for keyless (sigstore) signing, --gpg-keys for gpg" });
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

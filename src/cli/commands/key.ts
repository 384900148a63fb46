/** `aam key generate|list|export|import|trust|revoke` (SPEC §5, §10). */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { toBase64, fromBase64 } from "../../encoding/base64.ts";
import { ed25519PublicKeyToPem, ed25519PublicKeyFromPem } from "../../encoding/pem.ts";
import { fingerprint, assertStrictPublicKey } from "../../signing/ed25519/public_key.ts";
import { listStoredKeys, findStoredKey, listPublicKeyFiles, type KeyStoreEnv } from "../../keys/store.ts";
import { generateEd25519Key, importEd25519Key } from "../../keys/ed25519_import.ts";
import { readPassphrase } from "../../keys/passphrase.ts";
import { updateConfigFile } from "../../config/save.ts";
import type { Config } from "../../config/schema.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";

async function addTrusted(ctx: Context, fp: string): Promise<void> {
  const { userFile } = await ctx.config();
  await updateConfigFile(userFile, (cfg: Config) => {
    const list = cfg.security.trusted_keys ?? [];
    return list.some((k) => k.toLowerCase() === fp.toLowerCase()) ? cfg : { ...cfg, security: { ...cfg.security, trusted_keys: [...list, fp] } };
  });
}

/** The key store as the key commands use it: passphrases from --passphrase-file, AAM_PASSPHRASE or a prompt. */
function keyStore(ctx: Context, passphraseFile: string | undefined): KeyStoreEnv {
  return {
    home: ctx.home,
    now: ctx.now(),
    warn: (m) => ctx.out.warn(m),
    passphrase: (purpose, confirm) => readPassphrase({ passphraseFile, purpose, confirm }),
  };
}

/** `aam key trust <key.asc>`: stores each OpenPGP public key in keys/ and trusts its primary fingerprint. */
async function trustOpenPgp(ctx: Context, text: string, path: string): Promise<void> {
  const { trustOpenPgpKeys } = await import("../../keys/openpgp_trust.ts");
  const keys = await trustOpenPgpKeys(ctx.home, ctx.now(), text, path);
  const revokedByConfig = new Set(((await ctx.config()).merged.security.revoked_keys ?? []).map((k) => k.toLowerCase()));
  for (const k of keys) {
    await addTrusted(ctx, k.fingerprint);
    if (k.revoked) ctx.out.warn(`${k.fingerprint} (${u(k.userId)}) is revoked by its owner: its signatures will not verify`);
    else if (k.expired) ctx.out.warn(`${k.fingerprint} (${u(k.userId)}) has expired: its signatures will not verify until its owner extends it`);
    else if (k.neverVerifies) ctx.out.warn(`${k.fingerprint} (${u(k.userId)}) can never verify under AAM's rules: ${k.neverVerifies}`);
    if (k.sha1) ctx.out.warn(`${k.fingerprint} (${u(k.userId)}): ${k.sha1}`);
    if (revokedByConfig.has(k.fingerprint.toLowerCase())) ctx.out.warn(`${k.fingerprint} is revoked; it stays untrusted until removed from security.revoked_keys`);
  }
  if (ctx.out.json) return ctx.out.data({ ok: true, trusted: keys.map((k) => ({ fingerprint: k.fingerprint, algorithm: "openpgp", user_id: k.userId, revoked: k.revoked, expired: k.expired, ...(k.neverVerifies ? { never_verifies: k.neverVerifies } : {}), ...(k.sha1 ? { warning: k.sha1 } : {}), file: k.file })) });
  for (const k of keys) ctx.out.line(`Trusted OpenPGP key ${k.fingerprint} (${u(k.userId)})`);
}

/** Warns when a key just trusted is revoked (revocation wins); answers whether it is. */
async function warnIfRevoked(ctx: Context, fp: string): Promise<boolean> {
  const revoked = ((await ctx.config()).merged.security.revoked_keys ?? []).some((k) => k.toLowerCase() === fp.toLowerCase());
  if (revoked) ctx.out.warn(`${fp} is revoked; it stays untrusted until removed from security.revoked_keys`);
  return revoked;
}

/** Whether a PEM text holds an Ed25519 key (its SPKI names OID 1.3.101.112), not another kind. */
function isEd25519Pem(text: string): boolean {
  try {
    ed25519PublicKeyFromPem(text);
    return true;
  } catch {
    return !text.includes("-----BEGIN PUBLIC KEY-----"); // not PEM at all: the Ed25519 reader says why
  }
}

/** `aam key trust <cosign.pub>`: an ECDSA key of managed-key Sigstore bundles, stored and trusted by fingerprint. */
async function trustEcdsa(ctx: Context, text: string, path: string): Promise<void> {
  const { trustEcdsaKey } = await import("../../keys/ecdsa_trust.ts");
  const k = await trustEcdsaKey(ctx.home, text, path);
  await addTrusted(ctx, k.fingerprint);
  const revoked = await warnIfRevoked(ctx, k.fingerprint);
  if (ctx.out.json) return ctx.out.data({ ok: true, trusted: k.fingerprint, algorithm: `ecdsa-${k.curve}`, file: k.file, revoked });
  ctx.out.line(`Trusted ${k.fingerprint} (ECDSA ${k.curve}, for Sigstore bundles made with this key)`);
}

export function register(cli: CAC, ctx: Context): void {
  cli
    .command("generate", "Make an Ed25519 signing key, encrypted at rest, and trust it")
    .option("--name <name>", "A name to refer to the key by", { default: "default" })
    .option("--no-passphrase", "Store the private key unencrypted (not recommended)")
    .option("--passphrase-file <file>", "Read the passphrase from a file (else AAM_PASSPHRASE or a prompt)")
    .example("AAM_PASSPHRASE=... aam key generate --name release")
    .action(async (o: { name: string; passphrase?: boolean; passphraseFile?: string }) => {
      const r = await generateEd25519Key(keyStore(ctx, o.passphraseFile), o.name, o.passphrase !== false);
      await addTrusted(ctx, r.fingerprint);
      if (ctx.out.json) return ctx.out.data({ ok: true, name: o.name, algorithm: "ed25519", fingerprint: r.fingerprint, file: r.file, encrypted: r.encrypted, public_key: toBase64(r.publicKey) });
      ctx.out.line(`Generated Ed25519 key "${o.name}"`);
      ctx.out.line(`  fingerprint: ${r.fingerprint}`);
      ctx.out.line(`  private key: ${r.file}${r.encrypted ? " (encrypted)" : " (UNENCRYPTED)"}`);
      ctx.out.line(`  added to security.trusted_keys`);
      ctx.out.line(`Share the public key with: aam key export ${o.name} > ${o.name}.pem`);
    });

  cli.command("list", "List keys in the key store and trusted fingerprints").action(async () => {
    const cfg = (await ctx.config()).merged.security;
    const revoked = new Set((cfg.revoked_keys ?? []).map((k) => k.toLowerCase()));
    const trusted = new Set((cfg.trusted_keys ?? []).map((k) => k.toLowerCase()));
    const keys = (await listStoredKeys(ctx.home)).map((k) => ({
      name: k.name,
      fingerprint: k.fingerprint,
      algorithm: k.algorithm,
      private: k.has_private,
      encrypted: k.encrypted,
      created_at: k.created_at,
      trusted: trusted.has(k.fingerprint.toLowerCase()),
      revoked: revoked.has(k.fingerprint.toLowerCase()),
    }));
    const withKeyFile = new Set(keys.map((k) => k.fingerprint.toLowerCase()));
    for (const p of await listPublicKeyFiles(ctx.home)) {
      const fp = p.fingerprint.toLowerCase();
      if (withKeyFile.has(fp)) continue;
      keys.push({ name: "", fingerprint: p.fingerprint, algorithm: "openpgp", private: false, encrypted: false, created_at: "", trusted: trusted.has(fp), revoked: revoked.has(fp) });
    }
    const stored = new Set(keys.map((k) => k.fingerprint.toLowerCase()));
    const others = [...trusted].filter((fp) => !stored.has(fp)).map((fp) => ({ fingerprint: fp, revoked: revoked.has(fp) }));
    if (ctx.out.json) return ctx.out.data({ ok: true, keys, trusted_only: others, revoked: [...revoked] });
    if (keys.length === 0 && others.length === 0) return ctx.out.line("No keys (aam key generate)");
    for (const k of keys) {
      const flags = [k.private ? (k.encrypted ? "private, encrypted" : "private, UNENCRYPTED") : "public", k.trusted ? "trusted" : "", k.revoked ? "REVOKED" : ""].filter(Boolean);
      ctx.out.line(`${k.algorithm} ${k.fingerprint} ${k.name ? `"${k.name}"` : ""} (${flags.join(", ")})`);
    }
    for (const t of others) ctx.out.line(`trusted ${t.fingerprint}${t.revoked ? " (REVOKED)" : ""}`);
  });

  cli
    .command("export <key>", "Print a public key")
    .option("--format <format>", "pem (SubjectPublicKeyInfo, for OpenSSL) | raw (base64 of the 32 raw bytes)", { default: "pem" })
    .example("aam key export release > release.pem && openssl pkey -pubin -in release.pem -noout -text")
    .action(async (ref: string, o: { format: string }) => {
      if (o.format !== "pem" && o.format !== "raw") throw new AamError("UsageError", `Unknown format "${o.format}"`, { hint: "use --format pem or --format raw" });
      const all = await listStoredKeys(ctx.home);
      const r = ref.toLowerCase();
      const k = all.find((x) => x.name === ref || x.fingerprint.toLowerCase() === r || (r.length >= 8 && x.fingerprint.toLowerCase().startsWith(r)));
      if (!k) {
        // A trusted OpenPGP public key (keys/<FP>.asc) without a private part.
        const pub = (await listPublicKeyFiles(ctx.home)).find((p) => p.fingerprint.toLowerCase() === r || (r.length >= 8 && p.fingerprint.toLowerCase().startsWith(r)));
        if (!pub) throw new AamError("NotFound", `Cannot find key "${ref}"`, { hint: "aam key list" });
        const text = await fs.readText(pub.file, DOCUMENT_LIMIT);
        if (ctx.out.json) return ctx.out.data({ ok: true, fingerprint: pub.fingerprint, algorithm: "openpgp", public_key: text });
        return ctx.out.essential(text.replace(/\n$/, ""));
      }
      if (k.algorithm !== "ed25519") {
        if (ctx.out.json) return ctx.out.data({ ok: true, fingerprint: k.fingerprint, algorithm: k.algorithm, public_key: k.public_key });
        return ctx.out.essential(k.public_key);
      }
      const raw = fromBase64(k.public_key);
      if (!raw) throw new AamError("Error", `Cannot read key file "${k.file}"`, { file: k.file, hint: "the key file is damaged" });
      const text = o.format === "pem" ? ed25519PublicKeyToPem(raw) : toBase64(raw);
      if (ctx.out.json) ctx.out.data({ ok: true, fingerprint: k.fingerprint, format: o.format, public_key: text });
      else ctx.out.essential(text);
    });

  cli
    .command("import <file>", "Import a private key: Ed25519 PKCS#8 PEM (openssl genpkey) or an armoured OpenPGP secret key (gpg --export-secret-keys)")
    .option("--name <name>", "A name to refer to the key by")
    .option("--no-passphrase", "Store it unencrypted (not recommended)")
    .option("--passphrase-file <file>", "Read the passphrase from a file")
    .action(async (file: string, o: { name?: string; passphrase?: boolean; passphraseFile?: string }) => {
      const path = fs.path.resolve(ctx.cwd, file);
      const text = await fs.readTextIfExists(path, DOCUMENT_LIMIT);
      if (text === null) throw new AamError("NotFound", `Cannot find "${path}"`, { file: path, hint: "check the path" });
      if (text.includes("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
        // openpgp.js loads only here, for OpenPGP keys.
        const { importOpenPgpKey } = await import("../../keys/openpgp_import.ts");
        const k = await importOpenPgpKey(keyStore(ctx, o.passphraseFile), text, path, o, fs.path.basename(path).replace(/\.[^.]*$/, ""));
        await addTrusted(ctx, k.fingerprint);
        if (ctx.out.json) return ctx.out.data({ ok: true, name: k.name, algorithm: "openpgp", fingerprint: k.fingerprint, user_id: k.userId, file: k.file, encrypted: k.encrypted });
        ctx.out.line(`Imported OpenPGP key "${u(k.name)}" ${k.fingerprint} (${u(k.userId)}) and trusted it`);
        ctx.out.line(`Sign with it: aam pkg sign <file.aam> --signing-method openpgp --key ${k.fingerprint}`);
        return;
      }
      if (!text.includes("PRIVATE KEY")) {
        throw new AamError("UsageError", `Cannot import "${path}": not a private key`, { file: path, hint: "to trust a public key use `aam key trust <file>`" });
      }
      const name = o.name ?? fs.path.basename(path).replace(/\.[^.]*$/, "");
      const r = await importEd25519Key(keyStore(ctx, o.passphraseFile), text, name, o.passphrase !== false);
      await addTrusted(ctx, r.fingerprint);
      if (ctx.out.json) return ctx.out.data({ ok: true, name, algorithm: "ed25519", fingerprint: r.fingerprint, file: r.file });
      ctx.out.line(`Imported Ed25519 key "${name}" ${r.fingerprint} and trusted it`);
    });

  cli
    .command("trust <key>", "Trust a public key: an Ed25519 PEM file, an armoured OpenPGP public key, or a fingerprint")
    .example("aam key trust ./alice.pem")
    .example("gpg --armor --export alice@example.org > alice.asc && aam key trust alice.asc")
    .example("aam key trust 3f1c…(64 hex)")
    .action(async (ref: string) => {
      let fp: string;
      if (/^[0-9a-fA-F]{64}$/.test(ref) || /^[0-9A-Fa-f]{40}$/.test(ref)) fp = ref.length === 64 ? ref.toLowerCase() : ref.toUpperCase();
      else {
        const path = fs.path.resolve(ctx.cwd, ref);
        const text = await fs.readTextIfExists(path, DOCUMENT_LIMIT);
        if (text === null) throw new AamError("NotFound", `Cannot find "${path}"`, { file: path, hint: "pass a PEM public key file or a 64-hex fingerprint" });
        if (text.includes("-----BEGIN PGP ")) return await trustOpenPgp(ctx, text, path);
        if (!isEd25519Pem(text)) return await trustEcdsa(ctx, text, path);
        const raw = ed25519PublicKeyFromPem(text);
        assertStrictPublicKey(raw);
        fp = fingerprint(raw);
      }
      await addTrusted(ctx, fp);
      const revoked = await warnIfRevoked(ctx, fp);
      if (ctx.out.json) ctx.out.data({ ok: true, trusted: fp, revoked });
      else ctx.out.line(`Trusted ${fp}`);
    });

  cli
    .command("revoke <fingerprint>", "Revoke a key: its signatures never verify again, even if trusted")
    .action(async (ref: string) => {
      let fp = ref;
      if (!/^[0-9a-fA-F]{40}([0-9a-fA-F]{24})?$/.test(ref)) fp = (await findStoredKey(ctx.home, ref)).fingerprint;
      const { userFile } = await ctx.config();
      await updateConfigFile(userFile, (cfg: Config) => {
        const list = cfg.security.revoked_keys ?? [];
        return list.some((k) => k.toLowerCase() === fp.toLowerCase()) ? cfg : { ...cfg, security: { ...cfg.security, revoked_keys: [...list, fp] } };
      });
      if (ctx.out.json) ctx.out.data({ ok: true, revoked: fp });
      else ctx.out.line(`Revoked ${fp}: signatures by it no longer verify`);
    });
}

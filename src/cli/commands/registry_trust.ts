/**
 * `aam registry trust <alias> <key.pem|fp>... [--name N] [--min-serial N]` (SPEC §5a "Pinning"):
 * pins a configured registry's attestation keys and its signed name in the user's config.yaml and
 * adds the alias to `security.trusted_registries`. From then on its signed snapshot is mandatory on
 * every read path (verify/pinned_snapshot.ts).
 */
import type { CAC } from "cac";
import type { Context } from "../context.ts";
import { untrusted as u } from "../output.ts";
import { AamError } from "../../errors.ts";
import { fs } from "../../runtime/index.ts";
import { ed25519PublicKeyFromPem } from "../../encoding/pem.ts";
import { fingerprint, assertStrictPublicKey } from "../../signing/ed25519/public_key.ts";
import { isValidRegistryName } from "../../manifest/registry_name.ts";
import { updateConfigFile } from "../../config/save.ts";
import type { AttestationPin } from "../../config/schema.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";
import { openFromOptions } from "./_shared.ts";

/** A fingerprint as given, or the Ed25519 PEM public key file's. */
async function keyFingerprint(ctx: Context, ref: string): Promise<string> {
  if (/^[0-9a-fA-F]{64}$/.test(ref)) return ref.toLowerCase();
  if (/^[0-9a-fA-F]{40}$/.test(ref)) {
    throw new AamError("UsageError", `Cannot pin "${ref}": registry attestation keys are Ed25519 (64-hex fingerprints), not OpenPGP`, { hint: "ask the registry's maintainers for their attestation key (registry.yaml lists its fingerprint; keys/<fp>.pem holds it)" });
  }
  const path = fs.path.resolve(ctx.cwd, ref);
  const text = await fs.readTextIfExists(path, DOCUMENT_LIMIT);
  if (text === null) throw new AamError("NotFound", `Cannot find key "${path}"`, { file: path, hint: "pass an Ed25519 PEM public key file or a 64-hex fingerprint" });
  let raw: Uint8Array;
  try {
    raw = ed25519PublicKeyFromPem(text, path);
  } catch (e) {
    throw new AamError("UsageError", `Cannot pin "${path}": not an Ed25519 PEM public key`, {
      file: path,
      actual: e instanceof AamError ? e.message : "unreadable",
      hint: "registry attestation keys are Ed25519: pass the registry's keys/<fp>.pem, or its 64-hex fingerprint",
    });
  }
  assertStrictPublicKey(raw, { file: path });
  return fingerprint(raw);
}

function minSerial(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0 || String(v).trim() === "") {
    throw new AamError("UsageError", `Invalid --min-serial "${String(v)}": expected a non-negative integer`, { hint: "the lowest snapshot serial to accept at first contact, e.g. --min-serial 12" });
  }
  return n;
}

/** The signed name: registry.yaml's `name`, or --name when registry.yaml cannot be read (they must agree when both are there). */
async function signedName(ctx: Context, alias: string, given: string | undefined): Promise<string> {
  if (given !== undefined && !isValidRegistryName(given)) {
    throw new AamError("UsageError", `Invalid --name "${given}": registry names match ^[a-z0-9][a-z0-9._-]{0,63}$`, { hint: "pass the name the registry's snapshot.json is signed for" });
  }
  let read: string | undefined;
  let why = "";
  try {
    read = (await (await openFromOptions(ctx, alias)).reader.info()).name;
  } catch (e) {
    why = e instanceof Error ? e.message : String(e);
  }
  if (read !== undefined && !isValidRegistryName(read)) {
    if (given === undefined) throw new AamError("UsageError", `Cannot pin "${alias}": its registry.yaml names "${read}", which is not a registry name`, { hint: "pass the signed name with --name" });
    read = undefined;
  }
  if (read !== undefined && given !== undefined && read !== given) {
    throw new AamError("UsageError", `Cannot pin "${alias}": --name "${given}" differs from the name "${read}" in its registry.yaml`, { expected: read, actual: given, hint: "check with the registry's maintainers which name its snapshot is signed for" });
  }
  const name = read ?? given;
  if (name === undefined) {
    throw new AamError("UsageError", `Cannot pin "${alias}": its registry.yaml could not be read (${why})`, { hint: `pass the signed registry name: aam registry trust ${alias} <key> --name <name>` });
  }
  return name;
}

export function registerTrust(cli: CAC, ctx: Context): void {
  cli
    .command("trust <alias> [...keys]", "Pin a registry's attestation keys: its signed snapshot becomes mandatory")
    .option("--name <name>", "The signed registry name, when registry.yaml cannot be read")
    .option("--min-serial <n>", "Lowest snapshot serial accepted at first contact")
    .example("aam registry trust team ./reg/keys/3f1c….pem")
    .action(async (alias: string, keys: string[], o: { name?: string; minSerial?: unknown }) => {
      const { user, userFile } = await ctx.config();
      if (!(user.registries ?? []).some((r) => r.name === alias)) {
        throw new AamError("NotFound", `Cannot pin registry "${alias}": it is not configured`, { hint: `add it first: aam registry add ${alias} <location>; then aam registry trust ${alias} <key.pem|fp>` });
      }
      if (keys.length === 0) throw new AamError("UsageError", `Cannot pin "${alias}": no key given`, { hint: `aam registry trust ${alias} <key.pem|fp>...` });
      const fps = [...new Set(await Promise.all(keys.map((k) => keyFingerprint(ctx, k))))];
      const min = minSerial(o.minSerial);
      const name = await signedName(ctx, alias, o.name === undefined ? undefined : String(o.name));
      const pin: AttestationPin = { name, keys: fps, ...(min !== undefined ? { min_serial: min } : {}) };
      await updateConfigFile(userFile, (cfg) => {
        const trusted = cfg.security.trusted_registries ?? [];
        return {
          ...cfg,
          registries: (cfg.registries ?? []).map((r) => (r.name === alias ? { ...r, attestation: pin } : r)),
          security: { ...cfg.security, trusted_registries: trusted.includes(alias) ? trusted : [...trusted, alias] },
        };
      });
      if (ctx.out.json) return ctx.out.data({ ok: true, registry: alias, attestation: pin });
      ctx.out.line(`Pinned registry "${u(alias)}" to the snapshot signed as "${u(name)}" by ${fps.join(", ")}${min !== undefined ? ` (serial ${min} or later)` : ""}`);
      ctx.out.line(`  its signed snapshot is now checked on every read; "${u(alias)}" added to security.trusted_registries`);
    });
}

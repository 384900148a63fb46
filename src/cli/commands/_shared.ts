/** Small pieces several commands share: opening the registry, the policy, reporting a verification. */
import type { Context } from "../context.ts";
import { untrusted } from "../output.ts";
import { openRegistry, type OpenedRegistry } from "../../registry/location.ts";
import { policyFromConfig, type PolicyFlags } from "../../verify/policy_from_config.ts";
import type { TrustPolicy } from "../../trust/policy.ts";
import type { VerifyReport } from "../../verify/pipeline.ts";
import type { PackageVersion, RegistryReader } from "../../registry/reader.ts";
import type { VerifyInput } from "../../verify/pipeline.ts";
import { fs, proc } from "../../runtime/index.ts";
import { AamError } from "../../errors.ts";
import { httpSource } from "../../registry/source_http.ts";
import { gitSource } from "../../registry/source_git.ts";

export async function openFromOptions(ctx: Context, registry: string | undefined): Promise<OpenedRegistry> {
  const cfg = (await ctx.config()).merged;
  return await openRegistry(registry, cfg.registries ?? [], ctx.cwd, {
    http: (url) => httpSource(url),
    git: (url) => gitSource(url, ctx.home),
  });
}

export async function trustPolicy(ctx: Context, flags: PolicyFlags, registryRequires = false): Promise<TrustPolicy> {
  const loaded = await ctx.config();
  // A cloned repository's .aam/config.yaml can change what is trusted: say so at every use.
  if (loaded.projectSecurityKeys.length > 0) {
    ctx.out.warn(`${loaded.projectFile} sets ${loaded.projectSecurityKeys.join(", ")}: this project's configuration changes what is trusted`);
  }
  return policyFromConfig(loaded.merged, flags, registryRequires);
}

export function actor(): string {
  return proc.env("AAM_ACTOR") ?? `${proc.env("USER") ?? proc.env("USERNAME") ?? "unknown"}@${proc.hostname()}`;
}

/** Trust material this machine holds: the Sigstore trusted root and trusted OpenPGP public keys. */
export interface LocalTrust {
  trustedRoot?: string;
  publicKeys: string[];
  verifyTransparencyLog: boolean;
}

export async function localTrust(ctx: Context, trustedRootFile?: string): Promise<LocalTrust> {
  const cfg = (await ctx.config()).merged;
  const rootFile = trustedRootFile ? fs.path.resolve(ctx.cwd, trustedRootFile) : fs.path.join(ctx.home, "trusted_root.json");
  const trustedRoot = (await fs.readTextIfExists(rootFile)) ?? undefined;
  if (trustedRootFile && trustedRoot === undefined) {
    throw new AamError("NotFound", `Cannot read trusted root "${rootFile}"`, { file: rootFile, hint: "check the path given to --trusted-root" });
  }
  const publicKeys: string[] = [];
  for (const e of await fs.readDirIfExists(fs.path.join(ctx.home, "keys"))) {
    if (e.isFile && e.name.endsWith(".asc")) publicKeys.push(await fs.readText(fs.path.join(ctx.home, "keys", e.name)));
  }
  const verifyTransparencyLog = cfg.security.verify_transparency_log !== false;
  // A risky switch is announced at every use (as cosign does for --insecure-ignore-tlog).
  if (!verifyTransparencyLog) ctx.out.warn("security.verify_transparency_log is false: Sigstore transparency-log entries are not checked, and only a timestamp authority can vouch for the signing time");
  return { trustedRoot, publicKeys, verifyTransparencyLog };
}

function inputFor(reader: RegistryReader, pv: PackageVersion, sigText: string | null, trust?: LocalTrust) {
  return {
    name: pv.name,
    version: pv.version,
    expectedChecksum: pv.record.checksum,
    sigText,
    files: { archive: `${reader.location}/${pv.archiveFile}`, sig: `${reader.location}/${pv.sigFile}` },
    ...trust,
  };
}

/** The pipeline's input for a registry version, with the archive read whole (to store it, e.g.). */
export async function loadVerifyInput(reader: RegistryReader, pv: PackageVersion, trust?: LocalTrust): Promise<VerifyInput & { archive: Uint8Array }> {
  const [archive, sigText] = await Promise.all([reader.archive(pv), reader.sig(pv)]);
  return { ...inputFor(reader, pv, sigText, trust), archive };
}

/**
 * The pipeline's input for a registry version, with the archive streamed from a local registry's
 * file (memory flat in the archive size) or, for HTTP, read whole.
 */
export async function openVerifyInput(reader: RegistryReader, pv: PackageVersion, trust?: LocalTrust): Promise<VerifyInput> {
  const [archive, sigText] = await Promise.all([reader.archiveSource(pv), reader.sig(pv)]);
  return { ...inputFor(reader, pv, sigText, trust), archive };
}

/** One line per outcome, as minisign prints, plus warnings on stderr. */
export function printVerifyReport(ctx: Context, r: VerifyReport): void {
  for (const w of r.warnings) ctx.out.warn(w);
  const who = r.signers.filter((s) => s.valid && s.trusted).map((s) => untrusted(`${s.algorithm} ${s.key_fingerprint ?? s.identity}`));
  const ok = ctx.out.paint("green", "✓");
  switch (r.outcome) {
    case "verified":
      ctx.out.line(`${ok} ${r.package}@${r.version} verified: ${r.checksum}, signed by ${who.join(", ")}`);
      break;
    case "unsigned":
      ctx.out.line(`${ok} ${r.package}@${r.version} checksum and identity verified: ${r.checksum} (unsigned)`);
      break;
    case "warned":
      ctx.out.line(`! ${r.package}@${r.version} checksum and identity verified: ${r.checksum} (signature check failed, see warning)`);
      break;
    case "skipped":
      ctx.out.line(`${ok} ${r.package}@${r.version} checksum and identity verified: ${r.checksum} (signature checks skipped)`);
      break;
  }
}

export function splitList(v: unknown): string[] {
  if (v === undefined || v === null || v === false) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(",")).map((s) => s.trim()).filter(Boolean);
}

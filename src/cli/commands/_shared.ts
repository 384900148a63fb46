/** Small pieces several commands share: opening the registry, the policy, reporting a verification. */
export type { LocalTrust } from "../../verify/local_trust.ts";
import type { Context } from "../context.ts";
import { untrusted } from "../output.ts";
import type { OpenedRegistry } from "../../registry/location.ts";
import type { RegistryReader } from "../../registry/reader.ts";
import { buildPolicy, type PolicyFlags } from "../../trust/build_policy.ts";
import { readLocalTrust, type LocalTrust } from "../../verify/local_trust.ts";
import type { TrustPolicy } from "../../trust/policy.ts";
import type { VerifyReport } from "../../verify/pipeline.ts";
import { proc } from "../../runtime/index.ts";
import { DOCUMENT_LIMIT } from "../../read_limits.ts";

export async function openFromOptions(ctx: Context, registry: string | undefined): Promise<OpenedRegistry> {
  // Loaded here, not with this module: `verify --file` and other commands that share it open no
  // registry, and the reader and its sources are ~35 KB to load.
  const [{ openRegistry }, { httpSource }, { gitSource }] = await Promise.all([
    import("../../registry/location.ts"),
    import("../../registry/source_http.ts"),
    import("../../registry/source_git.ts"),
  ]);
  const cfg = (await ctx.config()).merged;
  return await openRegistry(registry, cfg.registries ?? [], ctx.cwd, {
    http: (url) => httpSource(url),
    git: (url) => gitSource(url, ctx.home),
  });
}

/**
 * A registry opened to read (search, info, install, verify, offline-prepare): when its entry pins
 * attestation keys, the reader checks the signed snapshot (SPEC §5a) and answers effective metadata.
 */
export async function openForRead(ctx: Context, registry: string | undefined): Promise<OpenedRegistry> {
  const opened = await openFromOptions(ctx, registry);
  if (opened.pin) opened.reader.guard = await pinnedGuard(ctx, opened);
  return opened;
}

/** The pinned snapshot check of an opened registry that has a pin. */
export async function pinnedGuard(ctx: Context, opened: OpenedRegistry): Promise<import("../../verify/pinned_snapshot.ts").PinnedSnapshot> {
  const { PinnedSnapshot } = await import("../../verify/pinned_snapshot.ts");
  const trusted = ((await ctx.config()).merged.security.trusted_registries ?? []).includes(opened.pin!.alias);
  // A prepared offline cache follows every newer root seen, so it never falls behind the saved serial.
  const onRaised = async (bytes: Uint8Array, read: (rel: string) => Promise<Uint8Array | null>) =>
    await (await import("../../cache/snapshot_prepare.ts")).followRaisedSnapshot(ctx.home, opened.pin!, bytes, read, opened.reader.source.location);
  return new PinnedSnapshot(opened.reader.source, opened.pin!, { home: ctx.home, now: ctx.now(), trusted, onRaised });
}

/** The pinned snapshot's word on a verified version (signers it lists, pending): may throw; notes go to the report's warnings. */
export function afterVerify(reader: RegistryReader, r: VerifyReport, sigFile: string): VerifyReport {
  const notes = reader.guard?.afterVerify(r, sigFile) ?? [];
  return notes.length ? { ...r, warnings: [...r.warnings, ...notes] } : r;
}

export async function trustPolicy(ctx: Context, flags: PolicyFlags, registryRequires = false): Promise<TrustPolicy> {
  // An untrusted project file's loosening settings are already left out (config/project_policy.ts),
  // and the warning naming them is printed once, when the configuration is loaded (cli/context.ts).
  const loaded = await ctx.config();
  return buildPolicy(loaded.merged, flags, registryRequires);
}

export function actor(): string {
  return proc.env("AAM_ACTOR") ?? `${proc.env("USER") ?? proc.env("USERNAME") ?? "unknown"}@${proc.hostname()}`;
}

/** This machine's trust material (verify/local_trust.ts), with the tlog switch announced at every use. */
export async function localTrust(ctx: Context, trustedRootFile?: string): Promise<LocalTrust> {
  const trust = await readLocalTrust(ctx.home, (await ctx.config()).merged, { trustedRootFile, cwd: ctx.cwd });
  // A risky switch is announced at every use (as cosign does for --insecure-ignore-tlog).
  if (!trust.verifyTransparencyLog) ctx.out.warn("security.verify_transparency_log is false: Sigstore transparency-log entries are not checked, and only a timestamp authority can vouch for the signing time");
  return trust;
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

/**
 * `verify --offline-prepare`, `verify --offline` and `install --offline` (SPEC §8). The offline paths
 * build no registry source at all, so "no network" holds by construction.
 */
import type { Context } from "../cli/context.ts";
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { parsePackageRef } from "../manifest/name.ts";
import { verifyPackage, type VerifyReport } from "../verify/pipeline.ts";
import { resolveDependencies } from "../install/resolve.ts";
import { parseMetadata, findVersion } from "../registry/metadata.ts";
import type { ReadyPackage } from "../install/install.ts";
import { setOfflineHandler } from "../cli/commands/verify.ts";
import { setOfflineInstall, type InstallFlags } from "../cli/commands/install.ts";
import { openFromOptions, trustPolicy, loadVerifyInput, printVerifyReport, localTrust, type LocalTrust } from "../cli/commands/_shared.ts";
import type { LoadedEntry } from "./offline.ts";

/** The cache entry's own trust material (trusted root, public keys) joined with this machine's. */
function withEntryTrust(loaded: LoadedEntry, local: LocalTrust) {
  const keys = Object.entries(loaded.extra).filter(([n]) => n.endsWith(".asc")).map(([, d]) => new TextDecoder().decode(d));
  return {
    ...loaded.input,
    trustedRoot: loaded.input.trustedRoot ?? local.trustedRoot,
    publicKeys: [...local.publicKeys, ...keys],
    verifyTransparencyLog: local.verifyTransparencyLog,
  };
}
import { writeEntry, loadEntry, preparedVersions } from "./offline.ts";
import { KEYS_DIR, metadataPath } from "../registry/layout.ts";
import { toFsName } from "../manifest/name.ts";
import type { RegistryReader, PackageVersion } from "../registry/reader.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

interface Flags {
  registry?: string;
  requireSignature?: boolean;
  offline?: boolean;
  offlinePrepare?: boolean;
  all?: boolean;
}

/** Public keys the registry publishes for the signers, and the local trusted root for Sigstore entries. */
async function trustMaterial(ctx: Context, reader: RegistryReader, report: VerifyReport): Promise<Record<string, Uint8Array>> {
  const extra: Record<string, Uint8Array> = {};
  for (const s of report.signers) {
    if (!s.key_fingerprint) continue;
    for (const ext of [".pem", ".asc"]) {
      const data = await reader.source.readBytes(`${KEYS_DIR}/${s.key_fingerprint}${ext}`);
      if (data) extra[`key-${s.key_fingerprint}${ext}`] = data;
    }
  }
  if (report.signers.some((s) => s.algorithm === "sigstore")) {
    const root = await fs.readFileIfExists(fs.path.join(ctx.home, "trusted_root.json"), DOCUMENT_LIMIT);
    if (root) extra["trusted_root.json"] = root;
  }
  return extra;
}

async function prepare(ctx: Context, refs: string[], o: Flags): Promise<void> {
  if (refs.length === 0 && !o.all) throw new AamError("UsageError", "Nothing to prepare", { hint: "aam verify --offline-prepare <pkg>[@version]... or --all" });
  const opened = await openFromOptions(ctx, o.registry);
  const reader = opened.reader;
  const info = await reader.info();
  const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature }, info.require_signatures);
  // Preparing caches only what verifies: a signature failure is an error here whatever `warn` says.
  if (policy.onSignatureFailure === "warn") policy.onSignatureFailure = "error";
  const targets: PackageVersion[] = [];
  if (o.all) {
    for (const m of await reader.allMetadata()) for (const v of m.versions) if (!v.yanked) targets.push(await reader.versionOf(m, v));
  }
  for (const raw of refs) {
    const ref = parsePackageRef(raw);
    targets.push(await reader.resolve(ref.name, ref));
  }
  const trust = await localTrust(ctx);
  const done: { package: string; version: string; path: string; outcome: string }[] = [];
  let i = 0;
  for (const pv of targets) {
    ctx.out.progress("Preparing", i++, targets.length);
    const input = await loadVerifyInput(reader, pv, trust);
    const report = await verifyPackage(input, policy);
    const metadataText = (await reader.source.readText(metadataPath(toFsName(pv.name))))!;
    const path = await writeEntry(
      ctx.home,
      pv.name,
      pv.version,
      reader.location,
      { archive: input.archive, sigText: input.sigText, metadataText, extra: await trustMaterial(ctx, reader, report) },
      report,
      ctx.now(),
    );
    done.push({ package: pv.name, version: pv.version, path, outcome: report.outcome });
    if (!ctx.out.json) {
      for (const w of report.warnings) ctx.out.warn(w);
      ctx.out.line(`✓ prepared ${pv.name}@${pv.version} for offline use (${report.outcome})`);
    }
  }
  ctx.out.clearProgress();
  if (ctx.out.json) ctx.out.data({ ok: true, prepared: done });
}

async function verifyOffline(ctx: Context, refs: string[], o: Flags): Promise<void> {
  if (refs.length === 0) throw new AamError("UsageError", "Nothing to verify", { hint: "aam verify --offline <pkg>[@version]" });
  if (o.registry) ctx.out.warn("--registry is ignored with --offline: only the offline cache is read");
  const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature });
  const local = await localTrust(ctx);
  const reports: VerifyReport[] = [];
  for (const raw of refs) {
    const ref = parsePackageRef(raw);
    if (ref.tag || ref.range) throw new AamError("UsageError", `Cannot verify "${raw}" offline: name an exact version or none`, { hint: `aam verify --offline ${ref.name}` });
    const loaded = await loadEntry(ctx.home, ref.name, ref.version);
    reports.push(await verifyPackage(withEntryTrust(loaded, local), policy));
  }
  if (ctx.out.json) ctx.out.data({ ok: true, offline: true, results: reports });
  else for (const r of reports) printVerifyReport(ctx, r);
}

setOfflineHandler(async (ctx, refs, o) => (o.offlinePrepare ? await prepare(ctx, refs, o) : await verifyOffline(ctx, refs, o)));

setOfflineInstall(async (ctx: Context, raw: string, o: InstallFlags): Promise<ReadyPackage[]> => {
  const ref = parsePackageRef(raw);
  const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature });
  if (o.verifySignature && policy.onSignatureFailure !== "error") policy.onSignatureFailure = "error";
  const rootVersion = ref.version ?? (await preparedVersions(ctx.home, ref.name))[0];
  if (!rootVersion) await loadEntry(ctx.home, ref.name); // throws OfflineCacheMiss with its hint
  const getVersions = async (name: string) => {
    const out = [];
    for (const v of await preparedVersions(ctx.home, name)) {
      const e = await loadEntry(ctx.home, name, v);
      const rec = findVersion(parseMetadata(e.metadataText, e.input.files.metadata ?? e.dir), v);
      if (rec) out.push(rec);
    }
    return out;
  };
  const chosen = await resolveDependencies([{ name: ref.name, range: rootVersion! }], getVersions);
  const local = await localTrust(ctx);
  const ready: ReadyPackage[] = [];
  for (const [name, version] of chosen) {
    const loaded = await loadEntry(ctx.home, name, version);
    const report = await verifyPackage(withEntryTrust(loaded, local), policy, { skipSignatures: o.verify === false });
    ready.push({ name, version, archive: loaded.input.archive, source: `offline:${loaded.entry.source}`, report });
  }
  return ready;
});

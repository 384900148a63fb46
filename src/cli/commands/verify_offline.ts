/**
 * `verify --offline-prepare` and `verify --offline` (SPEC §8), loaded by `verify` only for those
 * flags. The offline path builds no registry source at all, so "no network" holds by construction.
 */
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { verifyPackage, type VerifyReport } from "../../verify/pipeline.ts";
import { readRegistryVersion } from "../../verify/inputs.ts";
import { writeEntry, loadEntry } from "../../cache/offline.ts";
import { verifyCachedEntry } from "../../cache/offline_verify.ts";
import { keepCheckedSnapshot } from "../../cache/snapshot_prepare.ts";
import type { PinnedSnapshot } from "../../verify/pinned_snapshot.ts";
import { trustMaterialCopies } from "../../cache/trust_copies.ts";
import { openForRead, trustPolicy, printVerifyReport, localTrust, afterVerify } from "./_shared.ts";
import type { PackageVersion } from "../../registry/reader.ts";

export interface OfflineFlags {
  registry?: string;
  requireSignature?: boolean;
  offline?: boolean;
  offlinePrepare?: boolean;
  all?: boolean;
}

export async function runOffline(ctx: Context, refs: string[], o: OfflineFlags): Promise<void> {
  return o.offlinePrepare ? await prepare(ctx, refs, o) : await verifyOffline(ctx, refs, o);
}

async function prepare(ctx: Context, refs: string[], o: OfflineFlags): Promise<void> {
  if (refs.length === 0 && !o.all) throw new AamError("UsageError", "Nothing to prepare", { hint: "aam verify --offline-prepare <pkg>[@version]... or --all" });
  const opened = await openForRead(ctx, o.registry);
  const reader = opened.reader;
  const info = await reader.info();
  // Preparing caches only what verifies: a signature failure is an error here whatever `warn` says.
  const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature, purpose: "store" }, info.require_signatures);
  const targets: PackageVersion[] = [];
  if (o.all) {
    for (const m of await reader.allMetadata()) for (const v of m.versions) if (!v.yanked && !v.rejected) targets.push(await reader.versionOf(m, v));
  }
  for (const raw of refs) {
    const ref = parsePackageRef(raw);
    targets.push(await reader.resolve(ref.name, ref));
  }
  const trust = await localTrust(ctx);
  // openForRead attaches a PinnedSnapshot exactly when the registry is pinned.
  const guard = opened.pin ? (reader.guard as PinnedSnapshot | undefined) : undefined;
  const done: { package: string; version: string; path: string; outcome: string }[] = [];
  let i = 0;
  for (const pv of targets) {
    ctx.out.progress("Preparing", i++, targets.length);
    // One read of each file: the bytes verified are the bytes stored, with the metadata.yaml they were checked against.
    const input = await readRegistryVersion(reader, pv, trust);
    const metadataText = reader.metadataText(pv.metadata);
    const report = afterVerify(reader, await verifyPackage(input, policy, { now: ctx.now() }), input.files.sig);
    // The snapshot the guard checked travels into the cache with the entry (SPEC §5a "Offline").
    if (guard) await keepCheckedSnapshot(ctx.home, guard, pv.name);
    const path = await writeEntry(
      ctx.home,
      pv.name,
      pv.version,
      reader.location,
      { archive: input.archive, sigText: input.sigText, metadataText, extra: await trustMaterialCopies(ctx.home, reader, report) },
      report,
      ctx.now(),
      guard?.pin.name,
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

async function verifyOffline(ctx: Context, refs: string[], o: OfflineFlags): Promise<void> {
  if (refs.length === 0) throw new AamError("UsageError", "Nothing to verify", { hint: "aam verify --offline <pkg>[@version]" });
  if (o.registry) ctx.out.warn("--registry is ignored with --offline: only the offline cache is read");
  const policy = await trustPolicy(ctx, { requireSignature: o.requireSignature });
  const trust = await localTrust(ctx);
  const cfg = (await ctx.config()).merged;
  const reports: VerifyReport[] = [];
  for (const raw of refs) {
    const ref = parsePackageRef(raw);
    if (ref.tag || ref.range) throw new AamError("UsageError", `Cannot verify "${raw}" offline: name an exact version or none`, { hint: `aam verify --offline ${ref.name}` });
    const loaded = await loadEntry(ctx.home, ref.name, ref.version);
    // The whole pipeline, under today's local policy: the outcome recorded at prepare time is not used.
    reports.push(await verifyCachedEntry(ctx.home, cfg, loaded, trust, policy, { now: ctx.now() }, ctx.now()));
  }
  if (ctx.out.json) ctx.out.data({ ok: true, offline: true, results: reports });
  else for (const r of reports) printVerifyReport(ctx, r);
}

/** `verify --offline-prepare` (SPEC §8): verifies packages from a registry and stores them in the offline cache. */
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import { verifyPackage } from "../../verify/pipeline.ts";
import { readRegistryVersion } from "../../verify/inputs.ts";
import { writeEntry } from "../../cache/offline.ts";
import { keepCheckedSnapshot } from "../../cache/snapshot_prepare.ts";
import type { PinnedSnapshot } from "../../verify/pinned_snapshot.ts";
import { trustMaterialCopies } from "../../cache/trust_copies.ts";
import { openForRead, trustPolicy, localTrust, afterVerify } from "./_shared.ts";
import type { PackageVersion } from "../../registry/reader.ts";

export interface PrepareFlags {
  registry?: string;
  requireSignature?: boolean;
  all?: boolean;
}

export async function prepare(ctx: Context, refs: string[], o: PrepareFlags): Promise<void> {
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

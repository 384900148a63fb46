/**
 * `verify --offline` (SPEC §8) and the way to `--offline-prepare` (verify_offline_prepare.ts), loaded
 * by `verify` only for those flags. The offline path builds no registry source at all, so "no
 * network" holds by construction.
 */
import type { Context } from "../context.ts";
import { AamError } from "../../errors.ts";
import { parsePackageRef } from "../../manifest/name.ts";
import type { VerifyReport } from "../../verify/pipeline.ts";
import { loadEntry } from "../../cache/offline.ts";
import { verifyCachedEntry } from "../../cache/offline_verify.ts";
import { trustPolicy, printVerifyReport, localTrust } from "./_shared.ts";

export interface OfflineFlags {
  registry?: string;
  requireSignature?: boolean;
  offline?: boolean;
  offlinePrepare?: boolean;
  all?: boolean;
}

export async function runOffline(ctx: Context, refs: string[], o: OfflineFlags): Promise<void> {
  // Preparing reads a registry (snapshots, pending journal, trust copies): loaded only for --offline-prepare.
  return o.offlinePrepare ? await (await import("./verify_offline_prepare.ts")).prepare(ctx, refs, o) : await verifyOffline(ctx, refs, o);
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

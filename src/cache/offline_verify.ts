/**
 * One cache entry through the whole pipeline under this machine's policy (SPEC §8), and, when it
 * comes from a pinned registry, through the offline snapshot checks first (SPEC §5a "Offline"), so
 * an attestation counts offline exactly as online. Without a pin nothing changes.
 */
import type { Config } from "../config/schema.ts";
import { verifyPackage, type VerifyInput, type VerifyOptions, type VerifyReport } from "../verify/pipeline.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import type { LocalTrust } from "../verify/local_trust.ts";
import { entryInput, type LoadedEntry } from "./offline.ts";
import { pinForEntry, type FoundPin } from "./offline_pins.ts";
import type { CarriedSnapshot } from "./snapshot_offline.ts";

/** The cached snapshot of a pinned registry, as the offline check reads it. */
export async function cachedSnapshot(home: string, name: string): Promise<CarriedSnapshot> {
  const { readStoredSnapshot, snapshotStoreDir, ROOT_FILE } = await import("./snapshot_store.ts");
  const stored = await readStoredSnapshot(home, name);
  return stored ?? { rootBytes: null, file: `${snapshotStoreDir(home, name)}/${ROOT_FILE}`, bin: async () => null };
}

export interface PinnedReport {
  report: VerifyReport;
  /** Raises the saved serial (see checkCarriedSnapshot); a no-op without a pin. */
  raise(): Promise<void>;
}

/**
 * Runs the snapshot checks for a pinned entry and the pipeline with the attestation they allow.
 * @param carried The snapshot travelling with the entry (a bundle's); the cache's when absent.
 */
export async function verifyPinned(
  home: string,
  found: FoundPin | null,
  input: VerifyInput,
  metadataText: string,
  policy: TrustPolicy,
  vopts: VerifyOptions,
  now: Date,
  carried?: CarriedSnapshot,
): Promise<PinnedReport> {
  if (!found) return { report: await verifyPackage(input, policy, vopts), raise: async () => {} };
  // The snapshot checks (bins, freshness, saved serials under a lock) load only for a pinned registry.
  const { checkCarriedSnapshot, checkListedSigners } = await import("./snapshot_offline.ts");
  const snap = carried ?? (await cachedSnapshot(home, found.pin.name));
  const chk = await checkCarriedSnapshot(home, found.pin, snap, input.name, input.version, metadataText, now);
  const attestation = found.trusted ? { registry: found.pin.name, keys: [...found.pin.keys], listed: chk.listed } : undefined;
  const report = await verifyPackage({ ...input, attestation }, policy, vopts);
  checkListedSigners(report, chk.signers, input.sigText === null ? input.files.archive : input.files.sig);
  report.warnings.push(...chk.warnings);
  return { report, raise: chk.raise };
}

/** A loaded cache entry, verified offline (see verifyPinned). */
export async function verifyCachedEntry(home: string, cfg: Config, loaded: LoadedEntry, trust: LocalTrust, policy: TrustPolicy, vopts: VerifyOptions, now: Date): Promise<VerifyReport> {
  const { report, raise } = await verifyPinned(home, pinForEntry(cfg, loaded.entry), entryInput(loaded, trust), loaded.metadataText, policy, vopts, now);
  await raise();
  return report;
}

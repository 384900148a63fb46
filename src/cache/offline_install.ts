/**
 * `aam install --offline` (SPEC §8): resolves the package and its dependencies among the prepared
 * cache entries and runs the whole pipeline on each, under this machine's policy and trust material,
 * on every call. What the cache recorded at prepare time is never taken as an outcome.
 */
import { parsePackageRef } from "../manifest/name.ts";
import { resolveDependencies } from "../install/resolve.ts";
import { parseMetadata, findVersion } from "../registry/metadata.ts";
import type { ReadyPackage } from "../install/install.ts";
import type { VerifyOptions } from "../verify/pipeline.ts";
import type { Config } from "../config/schema.ts";
import type { TrustPolicy } from "../trust/policy.ts";
import type { LocalTrust } from "../verify/local_trust.ts";
import { loadEntry, preparedVersions } from "./offline.ts";
import { verifyCachedEntry } from "./offline_verify.ts";

export async function readyFromCache(home: string, raw: string, policy: TrustPolicy, trust: LocalTrust, vopts: VerifyOptions, cfg: Config): Promise<ReadyPackage[]> {
  const ref = parsePackageRef(raw);
  const rootVersion = ref.version ?? (await preparedVersions(home, ref.name))[0];
  if (!rootVersion) await loadEntry(home, ref.name); // throws OfflineCacheMiss with its hint
  const getVersions = async (name: string) => {
    const out = [];
    for (const v of await preparedVersions(home, name)) {
      const e = await loadEntry(home, name, v);
      const rec = findVersion(parseMetadata(e.metadataText, e.input.files.metadata ?? e.dir), v);
      if (rec) out.push(rec);
    }
    return out;
  };
  const chosen = await resolveDependencies([{ name: ref.name, range: rootVersion! }], getVersions);
  const ready: ReadyPackage[] = [];
  for (const [name, version] of chosen) {
    const loaded = await loadEntry(home, name, version);
    const report = await verifyCachedEntry(home, cfg, loaded, trust, policy, vopts, vopts.now ?? new Date());
    ready.push({ name, version, archive: loaded.input.archive, source: `offline:${loaded.entry.source}`, report });
  }
  return ready;
}

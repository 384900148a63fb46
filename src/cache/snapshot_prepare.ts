/**
 * `verify --offline-prepare` from a pinned registry (SPEC §5a, §8): the snapshot root, registry.yaml
 * and the package's bin are read once through the registry's source (folder, git or HTTP alike),
 * checked as on any read path, and the same bytes are what the cache then keeps.
 */
import type { RegistrySource } from "../registry/source.ts";
import { binPath } from "../attest/bin.ts";
import type { OfflinePin, CarriedSnapshot } from "./snapshot_offline.ts";
import { storeSnapshot, ROOT_FILE, type StoreResult } from "./snapshot_store.ts";

export interface RegistrySnapshot {
  /** What the checks read (verifyPinned with offline = false). */
  carried: CarriedSnapshot;
  /** Stores the root and the bins read, after the version verified. */
  store(home: string, pin: OfflinePin): Promise<StoreResult>;
}

/** Reads the pinned registry's snapshot through `source`; each bin is read at most once. */
export async function readRegistrySnapshot(source: RegistrySource): Promise<RegistrySnapshot> {
  const rootBytes = await source.readBytes(ROOT_FILE);
  const registryYaml = await source.readBytes("registry.yaml");
  const bins: Record<string, Uint8Array> = {};
  const bin = async (id: string) => {
    if (Object.hasOwn(bins, id)) return bins[id];
    const bytes = await source.readBytes(binPath(id));
    if (bytes !== null) bins[id] = bytes;
    return bytes;
  };
  return {
    carried: { rootBytes, file: `${source.location}/${ROOT_FILE}`, registryYaml, bin: async (_root, id) => await bin(id) },
    store: async (home, pin) => await storeSnapshot(home, pin, rootBytes!, { ...bins }, bin, source.location),
  };
}

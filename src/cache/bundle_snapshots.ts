/**
 * A pinned registry's snapshot in a bundle (SPEC §5a "Offline", §8): export carries the cached root
 * and the bins of the exported packages, per registry name; import checks each entry against the
 * carried snapshot (snapshot_offline.ts), then keeps it in the cache as a prepare would.
 */
import { AamError } from "../errors.ts";
import { toFsName } from "../manifest/name.ts";
import { binOf } from "../attest/bin.ts";
import { parseSnapshot } from "../attest/snapshot_doc.ts";
import type { BundleSnapshot } from "./bundle.ts";
import type { CarriedSnapshot, OfflinePin } from "./snapshot_offline.ts";
import { readStoredSnapshot, storeSnapshot, ROOT_FILE } from "./snapshot_store.ts";

const binMember = (id: string) => `bins/${id}.json`;

/**
 * The snapshots to carry for exported entries of pinned registries.
 * @param wanted Each exported package with the signed name of its pinned registry.
 * @throws {AamError} StaleMetadata when the cache holds no snapshot (or bin) for one of them.
 */
export async function snapshotsForExport(home: string, wanted: readonly { registry: string; package: string }[]): Promise<BundleSnapshot[]> {
  const out: BundleSnapshot[] = [];
  for (const registry of [...new Set(wanted.map((w) => w.registry))].sort()) {
    const stored = await readStoredSnapshot(home, registry);
    const missing = (what: string) =>
      new AamError("StaleMetadata", `Cannot export: the offline cache holds no ${what} of the pinned registry "${registry}"`, {
        hint: `prepare the packages again while connected: aam verify --offline-prepare ${wanted.find((w) => w.registry === registry)!.package}`,
      });
    if (!stored) throw missing("snapshot");
    const root = parseSnapshot(new TextDecoder().decode(stored.rootBytes), stored.file);
    const files: Record<string, Uint8Array> = { [ROOT_FILE]: stored.rootBytes };
    for (const w of wanted.filter((x) => x.registry === registry)) {
      const id = binOf(toFsName(w.package));
      if (!Object.hasOwn(root.bins, id) || Object.hasOwn(files, binMember(id))) continue;
      const bytes = await stored.bin(root, id);
      if (bytes === null) throw missing(`bin ${id}`);
      files[binMember(id)] = bytes;
    }
    out.push({ registry, files });
  }
  return out;
}

/** The snapshot a bundle carries for registry `name` (an absent one reads as none: StaleMetadata when checked). */
export function carriedFromBundle(snapshots: readonly BundleSnapshot[], name: string, bundleFile: string): CarriedSnapshot {
  const sn = snapshots.find((s) => s.registry === name);
  const file = `${bundleFile}!snapshots/${name}/${ROOT_FILE}`;
  if (!sn) return { rootBytes: null, file, bin: async () => null };
  return {
    rootBytes: Object.hasOwn(sn.files, ROOT_FILE) ? sn.files[ROOT_FILE] : null,
    file,
    bin: async (_root, id) => (Object.hasOwn(sn.files, binMember(id)) ? sn.files[binMember(id)] : null),
  };
}

/** Keeps a bundle's snapshot in the cache once its entries verified (never lowering a cached root: storeSnapshot). */
export async function storeBundleSnapshot(home: string, pin: OfflinePin, snapshots: readonly BundleSnapshot[], bundleFile: string): Promise<void> {
  const sn = snapshots.find((s) => s.registry === pin.name);
  if (!sn || !Object.hasOwn(sn.files, ROOT_FILE)) return;
  const bins: Record<string, Uint8Array> = {};
  for (const [n, d] of Object.entries(sn.files)) {
    const m = /^bins\/([0-9a-f]{2})\.json$/.exec(n);
    if (m) bins[m[1]] = d;
  }
  await storeSnapshot(home, pin, sn.files[ROOT_FILE], bins, async () => null, `${bundleFile}!snapshots/${pin.name}`);
}

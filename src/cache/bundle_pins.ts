/**
 * Which pinned registry a bundle entry belongs to (SPEC §5a "Offline", §8). The entry's `registry`
 * field is the exporter's word, and a bundle can be edited: stripping or changing it must not turn a
 * pinned registry's package into an unpinned one and skip its snapshot (a version the registry
 * rejected, imported on its author's signature). So the package is a pinned registry's, whatever
 * the field says, when a snapshot of that registry (carried in the bundle, or kept in the cache)
 * lists it, or when the cache holds an entry of it prepared from that registry.
 *
 * The cost: a same-named package from another registry is judged by the pinned registry's snapshot
 * (refused, never let through). What remains is first contact: a machine that never saw the
 * registry's snapshot, given a bundle stripped of it, cannot tell.
 */
import type { Config } from "../config/schema.ts";
import { fs } from "../runtime/index.ts";
import { toFsName } from "../manifest/name.ts";
import { binOf } from "../attest/bin.ts";
import { parseBin } from "../attest/bin_doc.ts";
import { parseSnapshot } from "../attest/snapshot_doc.ts";
import type { BundleEntry, BundleSnapshot } from "./bundle.ts";
import { carriedFromBundle } from "./bundle_snapshots.ts";
import { ENTRY_FILE, parseCacheEntry } from "./entry.ts";
import { offlineDir } from "./offline.ts";
import { pinByRegistryName, type FoundPin } from "./offline_pins.ts";
import type { CarriedSnapshot } from "./snapshot_offline.ts";
import { readStoredSnapshot } from "./snapshot_store.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";

export interface BundlePin {
  found: FoundPin;
  /** The snapshot to check the entry against: the bundle's when it carries one for the registry, else the cache's (undefined). */
  carried?: CarriedSnapshot;
}

/** The pinned registry `e` belongs to here, or null when none claims it (then it is judged as unpinned). */
export async function pinForBundleEntry(home: string, cfg: Config, e: BundleEntry, snapshots: readonly BundleSnapshot[], bundleFile: string): Promise<BundlePin | null> {
  const claimed = pinByRegistryName(cfg, e.registry);
  const names = [...new Set((cfg.registries ?? []).flatMap((r) => (r.attestation ? [r.attestation.name] : [])))];
  const cachedFrom = await cachedRegistries(home, e.package);
  const owners: FoundPin[] = [];
  for (const name of names) {
    if (cachedFrom.has(name) || (await bundleLists(snapshots, name, e.package)) || (await cacheLists(home, name, e.package))) owners.push(pinByRegistryName(cfg, name)!);
  }
  const found = owners.find((o) => o.pin.name === claimed?.pin.name) ?? owners[0] ?? claimed;
  if (!found) return null;
  const inBundle = snapshots.some((s) => s.registry === found.pin.name);
  return { found, ...(inBundle || e.registry === found.pin.name ? { carried: carriedFromBundle(snapshots, found.pin.name, bundleFile) } : {}) };
}

/** A snapshot the bundle carries whose signed name is `name` (whatever the manifest files it under) lists `pkg`. */
async function bundleLists(snapshots: readonly BundleSnapshot[], name: string, pkg: string): Promise<boolean> {
  for (const s of snapshots) if (await lists(carriedFromBundle(snapshots, s.registry, "bundle"), name, pkg)) return true;
  return false;
}

async function cacheLists(home: string, name: string, pkg: string): Promise<boolean> {
  const stored = await readStoredSnapshot(home, name);
  return stored !== null && (await lists(stored, name, pkg));
}

/**
 * Does this snapshot of registry `name` list `pkg`? Unchecked here (the entry's own check verifies
 * the snapshot it is judged by); a claim only makes an entry's checks stricter.
 */
async function lists(snap: CarriedSnapshot, name: string, pkg: string): Promise<boolean> {
  if (snap.rootBytes === null) return false;
  try {
    const root = parseSnapshot(new TextDecoder().decode(snap.rootBytes), snap.file);
    const fsName = toFsName(pkg);
    const id = binOf(fsName);
    if (root.registry !== name || !Object.hasOwn(root.bins, id)) return false;
    const bytes = await snap.bin(root, id);
    return bytes !== null && Object.hasOwn(parseBin(new TextDecoder().decode(bytes), snap.file, id), fsName);
  } catch {
    return false; // unreadable: it cannot claim anything (and the entry it travels with fails its own check)
  }
}

/** The pinned registries the cache holds entries of `pkg` from (any version). */
async function cachedRegistries(home: string, pkg: string): Promise<Set<string>> {
  const dir = fs.path.join(offlineDir(home), toFsName(pkg));
  const out = new Set<string>();
  for (const d of await fs.readDirIfExists(dir)) {
    if (!d.isDirectory) continue;
    const text = await fs.readTextIfExists(fs.path.join(dir, d.name, ENTRY_FILE), DOCUMENT_LIMIT).catch(() => null);
    try {
      const entry = text === null ? null : parseCacheEntry(text, dir);
      if (entry?.package === pkg && entry.registry !== undefined) out.add(entry.registry);
    } catch {
      // an unreadable entry is replaced like a missing one (cache/offline.ts assertReplaceable)
    }
  }
  return out;
}

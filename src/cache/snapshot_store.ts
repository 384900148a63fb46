/**
 * The offline copy of pinned registries' signed snapshots (SPEC §5a, §8):
 * `$AAM_HOME/cache/offline/_snapshots/<registry name>/snapshot.json` (the root's bytes as served) and
 * `bins/<xx>-<hex>.json` (each bin a prepared package needs, named by the hash the root gives it).
 * The leading `_` keeps the folder apart from package folders (a package name starts with [a-z0-9]).
 *
 * A root is replaced only by one that verifies against the pin and has a higher serial; bins are
 * written before the root that names them, so a kill at any point leaves a root whose bins are all
 * present (old bins are removed last).
 */
import { AamError } from "../errors.ts";
import { fs } from "../runtime/index.ts";
import { withLock } from "../registry/lock.ts";
import { DOCUMENT_LIMIT } from "../read_limits.ts";
import { isValidRegistryName } from "../manifest/registry_name.ts";
import { parseSnapshot } from "../attest/snapshot_doc.ts";
import { snapshotDigest } from "../attest/messages.ts";
import { verifyBoundBytes, verifySnapshotSignatures, type SnapshotPin } from "../attest/snapshot_verify.ts";
import type { Snapshot } from "../attest/types.ts";
import { offlineDir } from "./offline.ts";

export const SNAPSHOTS_DIR = "_snapshots";
export const ROOT_FILE = "snapshot.json";

const dec = new TextDecoder();

/** The folder of one registry name's snapshot. The name is a checked registry name (no path syntax). */
export function snapshotStoreDir(home: string, name: string): string {
  // Starts with [a-z0-9] and holds no separator, so it is one folder name and never "." or "..".
  if (!isValidRegistryName(name)) throw new TypeError(`not a registry name: ${String(name).slice(0, 80)}`);
  return fs.path.join(offlineDir(home), SNAPSHOTS_DIR, name);
}

/** A bin's file in the store: named by the hash the root gives it, so a newer root never overwrites a bin an older one names. */
export function binFileName(id: string, checksum: string): string {
  return `${id}-${checksum.replace(/^sha256:/, "")}.json`;
}

export interface StoredSnapshot {
  rootBytes: Uint8Array;
  file: string;
  /** The cached bytes of bin `id` as `root` names it, or null when not cached. */
  bin(root: Snapshot, id: string): Promise<Uint8Array | null>;
}

/** The cached root's bytes (unchecked: the caller verifies them), or null when none is cached for this name. */
export async function readStoredSnapshot(home: string, name: string): Promise<StoredSnapshot | null> {
  const dir = snapshotStoreDir(home, name);
  const file = fs.path.join(dir, ROOT_FILE);
  const rootBytes = await fs.readFileIfExists(file, DOCUMENT_LIMIT);
  if (rootBytes === null) return null;
  return {
    rootBytes,
    file,
    bin: async (root, id) => (Object.hasOwn(root.bins, id) ? await fs.readFileIfExists(fs.path.join(dir, "bins", binFileName(id, root.bins[id])), DOCUMENT_LIMIT) : null),
  };
}

/** The cached root when it parses and verifies against `pin`; null otherwise (a rotated key set starts afresh). */
async function currentRoot(home: string, pin: SnapshotPin): Promise<Snapshot | null> {
  const stored = await readStoredSnapshot(home, pin.name);
  if (!stored) return null;
  try {
    const root = parseSnapshot(dec.decode(stored.rootBytes), stored.file);
    await verifySnapshotSignatures(root, pin, stored.file);
    return root;
  } catch {
    return null;
  }
}

export interface StoreResult {
  serial: number;
  /** False when the cached root had this serial already (only bins were added). */
  replaced: boolean;
}

/**
 * Stores a root and the bins given (already checked online, checked again here against the pin and
 * the root's hashes). A root with a higher serial than the cached one replaces it, and every bin
 * cached for the old root is carried over: kept when the new root names the same bytes, else read
 * again with `fetchBin` (the registry being prepared from) and checked, or dropped when it answers null.
 * @throws {AamError} StaleMetadata for a root older than the cached one, or the same serial with
 * other bytes; TamperedPackage for a root or bin that does not verify.
 */
export async function storeSnapshot(home: string, pin: SnapshotPin, rootBytes: Uint8Array, bins: Record<string, Uint8Array>, fetchBin: (id: string) => Promise<Uint8Array | null>, from: string): Promise<StoreResult> {
  const root = parseSnapshot(dec.decode(rootBytes), `${from}/${ROOT_FILE}`);
  await verifySnapshotSignatures(root, pin, `${from}/${ROOT_FILE}`);
  for (const [id, bytes] of Object.entries(bins)) verifyBoundBytes(root, id, bytes, `${from}/snapshot/bins/${id}.json`);
  const dir = snapshotStoreDir(home, pin.name);
  await fs.mkdirp(dir);
  return await withLock(fs.path.join(dir, ".lock"), async () => {
    const old = await currentRoot(home, pin);
    if (old && root.serial < old.serial) throw stale(pin.name, `the registry serves serial ${root.serial}, older than the cached serial ${old.serial}: a roll-back`, `serial ${old.serial} or later`, root.serial, dir);
    if (old && root.serial === old.serial && snapshotDigest(root) !== snapshotDigest(old)) {
      throw stale(pin.name, `serial ${root.serial} is cached with other content`, `the cached serial ${old.serial}`, root.serial, dir);
    }
    const replaced = !old || root.serial > old.serial;
    const binDir = fs.path.join(dir, "bins");
    await fs.mkdirp(binDir);
    const keep = new Set<string>();
    const write = async (id: string, bytes: Uint8Array) => {
      const name = binFileName(id, root.bins[id]);
      keep.add(name);
      await fs.writeFileAtomic(fs.path.join(binDir, name), bytes);
    };
    for (const [id, bytes] of Object.entries(bins)) await write(id, bytes);
    if (old) {
      // Every bin the old root had cached stays available under the new root.
      for (const id of Object.keys(old.bins)) {
        const have = await fs.readFileIfExists(fs.path.join(binDir, binFileName(id, old.bins[id])), DOCUMENT_LIMIT);
        if (have === null || Object.hasOwn(bins, id) || !Object.hasOwn(root.bins, id)) continue;
        if (root.bins[id] === old.bins[id]) keep.add(binFileName(id, root.bins[id]));
        else {
          // Not obtainable (a bundle carries only its own packages' bins): dropped; those entries need a new prepare.
          const fresh = await fetchBin(id);
          if (fresh === null) continue;
          verifyBoundBytes(root, id, fresh, `${from}/snapshot/bins/${id}.json`);
          await write(id, fresh);
        }
      }
    }
    if (replaced) await fs.writeFileAtomic(fs.path.join(dir, ROOT_FILE), rootBytes);
    // Only now, with the root that names them in place, are bins of older roots removed.
    for (const e of await fs.readDirIfExists(binDir)) {
      const ownsName = Object.entries(root.bins).some(([id, h]) => binFileName(id, h) === e.name);
      if (!keep.has(e.name) && !(ownsName && !replaced)) await fs.remove(fs.path.join(binDir, e.name));
    }
    return { serial: root.serial, replaced };
  });
}

function stale(name: string, why: string, expected: string, serial: number, file: string): AamError {
  return new AamError("StaleMetadata", `Cannot cache the snapshot of registry "${name}": ${why}`, {
    file,
    expected,
    actual: `serial ${serial}`,
    hint: "the registry or a mirror serves old metadata; use another mirror, or ask its maintainers",
  });
}

/**
 * `verify --offline-prepare` from a pinned registry (SPEC §5a "Offline", §8): once the read path's
 * check (verify/pinned_snapshot.ts) passed, the root it checked and the package's bin are kept in the
 * cache. They are read through the same journal view as the check, and the root kept must be the one
 * checked (same signed content), so the cache never holds a snapshot the check did not see.
 */
import { AamError } from "../errors.ts";
import { toFsName } from "../manifest/name.ts";
import type { RegistrySource } from "../registry/source.ts";
import { pendingView, viewBytes } from "../registry/pending_view.ts";
import { binOf, binPath } from "../attest/bin.ts";
import { snapshotDigest } from "../attest/messages.ts";
import { parseSnapshot } from "../attest/snapshot_doc.ts";
import type { Snapshot } from "../attest/types.ts";
import type { OfflinePin } from "./snapshot_offline.ts";
import { checksumOf } from "../encoding/sha256.ts";
import { readStoredSnapshot, storeSnapshot, ROOT_FILE, type StoreResult } from "./snapshot_store.ts";

/** What keeping needs of the read path's check (a PinnedSnapshot). */
export interface CheckedSnapshot {
  readonly source: RegistrySource;
  readonly pin: OfflinePin;
  /** The root the check accepted. */
  root(): Promise<Snapshot>;
}

/**
 * Stores the checked root and `pkg`'s bin (and refreshes other cached bins when the root is newer).
 * @throws {AamError} StaleMetadata when the registry's snapshot changed since it was checked;
 * TamperedPackage for a bin that does not match the root; what storeSnapshot throws.
 */
export async function keepCheckedSnapshot(home: string, checked: CheckedSnapshot, pkg: string): Promise<StoreResult> {
  const { source, pin } = checked;
  const read = viewBytes(source, await pendingView(source));
  const root = await checked.root();
  const file = `${source.location}/${ROOT_FILE}`;
  const rootBytes = await read(ROOT_FILE);
  if (rootBytes === null || snapshotDigest(parseSnapshot(new TextDecoder().decode(rootBytes), file)) !== snapshotDigest(root)) {
    throw new AamError("StaleMetadata", `Cannot cache the snapshot of registry "${pin.name}": it changed while ${pkg} was being prepared`, {
      file,
      expected: `serial ${root.serial}`,
      hint: "the registry was written to meanwhile; prepare again",
    });
  }
  const id = binOf(toFsName(pkg));
  const bins: Record<string, Uint8Array> = {};
  // An absent bin is passed as empty bytes so storeSnapshot refuses it against the root's hash.
  if (Object.hasOwn(root.bins, id)) bins[id] = (await read(binPath(id))) ?? new Uint8Array();
  return await storeSnapshot(home, pin, rootBytes, bins, (other) => read(binPath(other)), source.location);
}

/**
 * A read path accepted a newer root and raised the saved serial: when the cache holds a root of that
 * registry, it moves to the new one (with its cached bins read again), so `verify --offline` does not
 * then find the cache older than the state. A bin that cannot be read, or does not match, is dropped:
 * its entries ask for a new prepare. Nothing is cached for a registry never prepared.
 */
export async function followRaisedSnapshot(home: string, pin: OfflinePin, rootBytes: Uint8Array, read: (rel: string) => Promise<Uint8Array | null>, from: string): Promise<void> {
  if (!(await readStoredSnapshot(home, pin.name))) return;
  const root = parseSnapshot(new TextDecoder().decode(rootBytes), `${from}/${ROOT_FILE}`);
  const fetchBin = async (id: string) => {
    const bytes = await read(binPath(id));
    return bytes !== null && checksumOf(bytes) === root.bins[id] ? bytes : null;
  };
  await storeSnapshot(home, pin, rootBytes, {}, fetchBin, from);
}
